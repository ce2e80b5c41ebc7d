#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace tickets {

// Faults an operator injects on purpose to rehearse incidents (slow routes, 5xx errors, a slow
// database). Only reachable when ticketsd runs with FAULT_INJECTION=true. Thread-safe; when no
// fault is set, checks cost one atomic load.
class FaultInjector {
 public:
  struct RouteFault {
    std::chrono::milliseconds latency{0};
    double error_ratio = 0;  // 0..1: share of requests answered 500
  };

  struct Settings {
    std::map<std::string, RouteFault> routes;  // by route template
    std::chrono::milliseconds database_latency{0};
  };

  void set(Settings settings);
  Settings get() const;

  std::optional<RouteFault> forRoute(const std::string& route_template) const;
  // Extra time each database checkout holds its connection, as a slow database would.
  std::chrono::milliseconds databaseLatency() const {
    return std::chrono::milliseconds(database_latency_ms_.load(std::memory_order_relaxed));
  }

 private:
  std::atomic<bool> any_route_fault_{false};
  std::atomic<int64_t> database_latency_ms_{0};
  mutable std::mutex mutex_;
  Settings settings_;
};

}  // namespace tickets
