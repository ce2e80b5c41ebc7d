#include "metrics/http_metrics.h"

namespace tickets {
namespace {

constexpr std::array<std::string_view, 8> kMethodNames = {"GET",    "HEAD",    "POST",  "PUT",
                                                          "DELETE", "OPTIONS", "PATCH", "other"};

}  // namespace

const std::vector<double>& HttpMetrics::latencyBuckets() {
  static const std::vector<double> buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   0.8,  1,     1.5,  2,   5};
  return buckets;
}

HttpMetrics::HttpMetrics(prometheus::Registry& registry, std::vector<std::string> endpoints)
    : endpoints_(std::move(endpoints)),
      requests_(prometheus::BuildCounter()
                    .Name("http_requests_total")
                    .Help("HTTP requests answered, by method, route template and status code.")
                    .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("http_request_latency_seconds")
                   .Help("Time from a request's first byte read to its response written, by "
                         "method and route template.")
                   .Register(registry)),
      in_flight_(prometheus::BuildGauge()
                     .Name("http_requests_in_flight")
                     .Help("HTTP requests being handled now.")
                     .Register(registry)
                     .Add({})) {
  endpoints_.emplace_back(kUnmatchedEndpoint);
  series_ = std::vector<std::array<std::atomic<Series*>, kMethods>>(endpoints_.size());
}

HttpMetrics::~HttpMetrics() = default;

size_t HttpMetrics::methodIndex(std::string_view method) {
  for (size_t i = 0; i + 1 < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == method) {
      return i;
    }
  }
  return kMethodNames.size() - 1;
}

HttpMetrics::Series& HttpMetrics::series(size_t endpoint, size_t method) {
  auto& slot = series_[endpoint][method];
  if (Series* existing = slot.load(std::memory_order_acquire)) {
    return *existing;
  }
  std::lock_guard lock(create_mutex_);
  if (Series* existing = slot.load(std::memory_order_relaxed)) {
    return *existing;
  }
  auto created = std::make_unique<Series>();
  created->latency = &latency_.Add(
      {{"method", std::string(kMethodNames[method])}, {"endpoint", endpoints_[endpoint]}},
      latencyBuckets());
  Series* raw = created.get();
  owned_.push_back(std::move(created));
  slot.store(raw, std::memory_order_release);
  return *raw;
}

prometheus::Counter& HttpMetrics::counter(Series& series, size_t endpoint, size_t method,
                                          int status) {
  auto& slot = series.requests[static_cast<size_t>(status - kMinStatus)];
  if (auto* existing = slot.load(std::memory_order_acquire)) {
    return *existing;
  }
  std::lock_guard lock(create_mutex_);
  if (auto* existing = slot.load(std::memory_order_relaxed)) {
    return *existing;
  }
  auto* created = &requests_.Add({{"method", std::string(kMethodNames[method])},
                                  {"endpoint", endpoints_[endpoint]},
                                  {"code", std::to_string(status)}});
  slot.store(created, std::memory_order_release);
  return *created;
}

void HttpMetrics::observe(size_t endpoint, std::string_view method, int status, double seconds) {
  if (endpoint >= endpoints_.size()) {
    endpoint = unmatchedEndpoint();
  }
  if (status < kMinStatus || status > kMaxStatus) {
    status = 500;
  }
  size_t m = methodIndex(method);
  Series& s = series(endpoint, m);
  s.latency->Observe(seconds);
  counter(s, endpoint, m, status).Increment();
}

}  // namespace tickets
