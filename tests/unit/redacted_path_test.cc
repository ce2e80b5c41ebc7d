#include <gtest/gtest.h>

#include "http/server.h"

namespace tickets::http {
namespace {

TEST(RedactedPath, HidesCodesAndKeepsWordsAndIds) {
  EXPECT_EQ(redactedPath("/api/tickets/q8Zr1xYbT0aLm3Kd9wVu2A/qr.svg"), "/api/tickets/***/qr.svg");
  EXPECT_EQ(redactedPath("/api/basket/Xy-12_abcDEF"), "/api/basket/***");
  EXPECT_EQ(redactedPath("/api/orders/7K3M9Q2XRT/cancel"), "/api/orders/***/cancel");
  EXPECT_EQ(redactedPath("/api/events/42"), "/api/events/42");
  EXPECT_EQ(redactedPath("/api/admin/ticket-types/7"), "/api/admin/ticket-types/7");
  EXPECT_EQ(redactedPath("/"), "/");
  EXPECT_EQ(redactedPath("/healthz"), "/healthz");
}

TEST(RedactedPath, IsBounded) {
  std::string long_path;
  for (int i = 0; i < 1000; ++i) {
    long_path += "/segment";
  }
  EXPECT_LE(redactedPath(long_path).size(), 256u);
}

}  // namespace
}  // namespace tickets::http
