#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/concurrency_limit.h"

namespace tickets {

// http_concurrency_limit{budget}, http_concurrency_in_flight{budget} and
// http_requests_shed_total{endpoint,method} of one budget's adaptive concurrency limit. The
// shed series of `routes` (method, route template) are declared at start-up. Thread-safe.
class SheddingMetrics final : public http::ConcurrencyLimitObserver {
 public:
  SheddingMetrics(prometheus::Registry& registry, const std::string& budget,
                  const std::vector<std::pair<std::string, std::string>>& routes);

  void onLimit(size_t limit) override;
  void onInFlight(size_t in_flight) override;
  void onShed(std::string_view endpoint, std::string_view method) override;

 private:
  prometheus::Gauge& limit_;
  prometheus::Gauge& in_flight_;
  prometheus::Family<prometheus::Counter>& shed_family_;
};

}  // namespace tickets
