#include "metrics/http_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

namespace tickets {
namespace {

std::string exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST(HttpMetrics, LabelsAreRouteTemplatesMethodsAndCodes) {
  prometheus::Registry registry;
  HttpMetrics metrics(registry, {"/api/events", "/api/events/{id}"});
  metrics.observe(1, "GET", 200, 0.003);
  metrics.observe(1, "GET", 200, 0.9);
  metrics.observe(0, "BREW", 405, 0.001);
  metrics.observe(metrics.unmatchedEndpoint(), "GET", 404, 0.001);
  metrics.observe(99, "GET", 1000, 0.001);  // out of range: unmatched, 500
  auto text = exposition(registry);
  EXPECT_NE(
      text.find(R"(http_requests_total{code="200",endpoint="/api/events/{id}",method="GET"} 2)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(http_requests_total{code="405",endpoint="/api/events",method="other"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(http_requests_total{code="404",endpoint="unmatched",method="GET"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(http_requests_total{code="500",endpoint="unmatched",method="GET"} 1)"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          R"(http_request_latency_seconds_bucket{endpoint="/api/events/{id}",method="GET",le="0.8"} 1)"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(http_request_latency_seconds_bucket{endpoint="/api/events/{id}",method="GET",le="1"} 2)"),
      std::string::npos);
  EXPECT_EQ(text.find("/api/events/7"), std::string::npos);
}

TEST(HttpMetrics, BucketsIncludeTheSloThreshold) {
  const auto& buckets = HttpMetrics::latencyBuckets();
  for (double b : {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 1.5, 2.0, 5.0}) {
    EXPECT_NE(std::find(buckets.begin(), buckets.end(), b), buckets.end()) << b;
  }
}

}  // namespace
}  // namespace tickets
