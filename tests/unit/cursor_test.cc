#include "domain/cursor.h"

#include <gtest/gtest.h>

#include "common/base64url.h"

namespace tickets {
namespace {

TEST(Cursor, RoundTrips) {
  EventCursor cursor{SystemTime{std::chrono::seconds{1796583600}}, 42};
  auto text = encodeCursor(cursor);
  EXPECT_EQ(decodeCursor(text), cursor);
}

TEST(Cursor, RejectsAnythingItDidNotIssue) {
  for (std::string bad :
       {std::string(""), std::string("abc"), base64urlEncode("e1:12"), base64urlEncode("e1:12:0"),
        base64urlEncode("e1:12:-3"), base64urlEncode("e2:12:3"), base64urlEncode("e1:x:3"),
        base64urlEncode("e1:12:3:4"), std::string(200, 'A')}) {
    EXPECT_FALSE(decodeCursor(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tickets
