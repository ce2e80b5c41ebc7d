#include "common/fault_injector.h"

namespace tickets {

void FaultInjector::set(Settings settings) {
  std::lock_guard lock(mutex_);
  database_latency_ms_.store(settings.database_latency.count(), std::memory_order_relaxed);
  any_route_fault_.store(!settings.routes.empty(), std::memory_order_release);
  settings_ = std::move(settings);
}

FaultInjector::Settings FaultInjector::get() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

std::optional<FaultInjector::RouteFault> FaultInjector::forRoute(
    const std::string& route_template) const {
  if (!any_route_fault_.load(std::memory_order_acquire)) {
    return std::nullopt;
  }
  std::lock_guard lock(mutex_);
  auto it = settings_.routes.find(route_template);
  if (it == settings_.routes.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace tickets
