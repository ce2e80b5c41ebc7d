#include "http/query.h"

#include <gtest/gtest.h>

namespace tickets::http {
namespace {

TEST(QueryParams, DecodesPercentAndPlus) {
  std::string error;
  auto q = QueryParams::parse("/api/events?q=caf%C3%A9%20bar&limit=5&empty=", error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(q->get("q"), "café bar");
  EXPECT_EQ(q->get("limit"), "5");
  EXPECT_EQ(q->get("empty"), "");
  EXPECT_FALSE(q->get("missing"));
  EXPECT_EQ(q->firstUnknown({"q", "limit"}), "empty");
  EXPECT_FALSE(q->firstUnknown({"q", "limit", "empty"}));
}

TEST(QueryParams, NoQueryIsEmpty) {
  std::string error;
  auto q = QueryParams::parse("/api/events", error);
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->firstUnknown({}));
}

TEST(QueryParams, RejectsMalformedEncodingRepeatsAndFloods) {
  std::string error;
  EXPECT_FALSE(QueryParams::parse("/api/events?q=%zz", error));
  EXPECT_FALSE(QueryParams::parse("/api/events?q=%", error));
  EXPECT_FALSE(QueryParams::parse("/api/events?limit=1&limit=2", error));
  EXPECT_NE(error.find("repeated"), std::string::npos);
  std::string flood = "/api/events?";
  for (int i = 0; i < 40; ++i) {
    flood += 'p';
    flood += std::to_string(i);
    flood += "=1&";
  }
  EXPECT_FALSE(QueryParams::parse(flood, error));
}

}  // namespace
}  // namespace tickets::http
