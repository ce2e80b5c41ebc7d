#include "domain/outbox.h"

#include <algorithm>
#include <exception>

namespace tickets {

std::chrono::seconds OutboxDispatcher::backoff(int attempts) {
  constexpr std::chrono::seconds kFirst{5};
  constexpr std::chrono::seconds kMost{3600};
  const int doublings = std::clamp(attempts - 1, 0, 20);
  return std::min(kMost, kFirst * (int64_t{1} << doublings));
}

int64_t OutboxDispatcher::dispatch() {
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
  int64_t delivered = 0;
  for (auto& message : repository_.claimDue(now, kLease, kBatch)) {
    auto deliverer = deliverers_.find(message.kind);
    std::string error;
    if (deliverer == deliverers_.end()) {
      error = "no deliverer for this kind of message";
    } else {
      try {
        error = deliverer->second->deliver(message);
      } catch (const std::exception& e) {
        error = e.what();
        if (error.empty()) {
          error = "delivery failed";
        }
      }
    }
    const auto done = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
    if (error.empty()) {
      repository_.markDelivered(message.id, done);
      ++delivered;
      if (observer_ != nullptr) {
        observer_->onDelivery(message.kind, "delivered");
      }
      continue;
    }
    const bool dead = message.attempts >= kMaxAttempts;
    repository_.markFailed(message.id, done, done + backoff(message.attempts), error, dead);
    if (observer_ != nullptr) {
      observer_->onDelivery(message.kind, dead ? "dead" : "failed");
    }
    if (log_) {
      log_(message, error, dead);
    }
  }
  return delivered;
}

OutboxStats OutboxDispatcher::report() {
  auto stats = repository_.stats();
  if (observer_ != nullptr) {
    observer_->onStats(stats, std::chrono::time_point_cast<std::chrono::seconds>(clock_.now()));
  }
  return stats;
}

}  // namespace tickets
