#include "common/time.h"

#include <gtest/gtest.h>

namespace tickets {
namespace {

TEST(Rfc3339, FormatsUtc) {
  EXPECT_EQ(formatRfc3339(SystemTime{std::chrono::seconds{0}}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatRfc3339(SystemTime{std::chrono::seconds{1796583600}}), "2026-12-06T19:00:00Z");
}

TEST(Rfc3339, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(parseRfc3339("2026-12-06T19:00:00Z")->time_since_epoch().count(), 1796583600);
  EXPECT_EQ(parseRfc3339("2026-12-06T20:00:00+01:00")->time_since_epoch().count(), 1796583600);
  EXPECT_EQ(parseRfc3339("2026-12-06T18:30:00-00:30")->time_since_epoch().count(), 1796583600);
  EXPECT_EQ(parseRfc3339("2026-12-06T19:00:00.999Z")->time_since_epoch().count(), 1796583600);
}

TEST(Rfc3339, RejectsMalformedAndImpossible) {
  for (const char* bad :
       {"", "2026-12-06", "2026-12-06 19:00:00Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-12-06T24:00:00Z", "2026-12-06T19:00:00", "2026-12-06T19:00:00+1:00",
        "2026-12-06T19:00:00Zjunk", "2026-12-06T19:00:00.Z", "x026-12-06T19:00:00Z"}) {
    EXPECT_FALSE(parseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tickets
