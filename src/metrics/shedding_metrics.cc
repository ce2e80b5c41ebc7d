#include "metrics/shedding_metrics.h"

namespace tickets {

SheddingMetrics::SheddingMetrics(prometheus::Registry& registry, const std::string& budget,
                                 const std::vector<std::pair<std::string, std::string>>& routes)
    : limit_(prometheus::BuildGauge()
                 .Name("http_concurrency_limit")
                 .Help("The adaptive concurrency limit of a budget of routes (selling: POST "
                       "/api/basket and POST /api/checkout): the most requests in flight at "
                       "once; it shrinks when their latency rises toward the SLO.")
                 .Register(registry)
                 .Add({{"budget", budget}})),
      in_flight_(prometheus::BuildGauge()
                     .Name("http_concurrency_in_flight")
                     .Help("Requests of a budget in flight under its adaptive concurrency limit.")
                     .Register(registry)
                     .Add({{"budget", budget}})),
      shed_family_(prometheus::BuildCounter()
                       .Name("http_requests_shed_total")
                       .Help("Requests refused with 429 and Retry-After at their budget's "
                             "adaptive concurrency limit, by route.")
                       .Register(registry)) {
  for (const auto& [method, endpoint] : routes) {
    shed_family_.Add({{"endpoint", endpoint}, {"method", method}});
  }
}

void SheddingMetrics::onLimit(size_t limit) { limit_.Set(static_cast<double>(limit)); }

void SheddingMetrics::onInFlight(size_t in_flight) {
  in_flight_.Set(static_cast<double>(in_flight));
}

void SheddingMetrics::onShed(std::string_view endpoint, std::string_view method) {
  shed_family_.Add({{"endpoint", std::string(endpoint)}, {"method", std::string(method)}})
      .Increment();
}

}  // namespace tickets
