#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/observer.h"

namespace tickets {

// The golden-signal instruments of the HTTP server: http_requests_total{method,endpoint,code},
// http_request_latency_seconds{method,endpoint} and http_requests_in_flight.
// Endpoints are known route templates, fixed at construction, so labels stay bounded; series are
// created on first use and then reached by index, never by string. Thread-safe.
class HttpMetrics final : public http::RequestObserver {
 public:
  static constexpr std::string_view kUnmatchedEndpoint = "unmatched";
  static const std::vector<double>& latencyBuckets();

  // `endpoints` are route templates; index i of it is endpoint id i. One more id, endpoints.size(),
  // stands for requests that matched no route.
  HttpMetrics(prometheus::Registry& registry, std::vector<std::string> endpoints);
  ~HttpMetrics();

  size_t unmatchedEndpoint() const { return endpoints_.size() - 1; }

  void observe(size_t endpoint, std::string_view method, int status, double seconds);
  prometheus::Gauge& inFlight() { return in_flight_; }

  void onStarted() override { in_flight_.Increment(); }
  void onAnswered() override { in_flight_.Decrement(); }
  void onCompleted(size_t endpoint, std::string_view method, int status, double seconds) override {
    observe(endpoint, method, status, seconds);
  }

 private:
  static constexpr size_t kMethods = 8;
  static constexpr int kMinStatus = 100;
  static constexpr int kMaxStatus = 599;

  struct Series {
    prometheus::Histogram* latency = nullptr;
    std::array<std::atomic<prometheus::Counter*>, kMaxStatus - kMinStatus + 1> requests{};
  };

  static size_t methodIndex(std::string_view method);
  Series& series(size_t endpoint, size_t method);
  prometheus::Counter& counter(Series& series, size_t endpoint, size_t method, int status);

  std::vector<std::string> endpoints_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Gauge& in_flight_;
  std::vector<std::array<std::atomic<Series*>, kMethods>> series_;
  std::vector<std::unique_ptr<Series>> owned_;
  std::mutex create_mutex_;
};

}  // namespace tickets
