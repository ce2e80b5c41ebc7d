#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>

namespace tickets::http {
namespace {

TEST(RequestId, GeneratedIdsAreUniqueAndAcceptable) {
  RequestIdGenerator ids;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = ids.next();
    EXPECT_TRUE(RequestIdGenerator::isAcceptable(id)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
  RequestIdGenerator other;
  EXPECT_NE(ids.next().substr(0, 8), other.next().substr(0, 8));
}

TEST(RequestId, IncomingIdsMustBeSane) {
  EXPECT_TRUE(RequestIdGenerator::isAcceptable("abc-123_x.y:z"));
  EXPECT_FALSE(RequestIdGenerator::isAcceptable(""));
  EXPECT_FALSE(RequestIdGenerator::isAcceptable(std::string(129, 'a')));
  EXPECT_FALSE(RequestIdGenerator::isAcceptable("a b"));
  EXPECT_FALSE(RequestIdGenerator::isAcceptable("a\"b"));
  EXPECT_FALSE(RequestIdGenerator::isAcceptable("a\r\nb"));
}

}  // namespace
}  // namespace tickets::http
