#include "http/concurrency_limit.h"

#include <algorithm>
#include <cmath>

namespace tickets::http {

AdaptiveConcurrencyLimit::AdaptiveConcurrencyLimit(Options options,
                                                   ConcurrencyLimitObserver* observer)
    : options_(options),
      observer_(observer),
      limit_(static_cast<size_t>(std::clamp(options.initial, options.min, options.max))),
      exact_limit_(std::clamp(options.initial, options.min, options.max)),
      window_start_(Clock::now()) {
  if (observer_ != nullptr) {
    observer_->onLimit(limit());
    observer_->onInFlight(0);
  }
}

bool AdaptiveConcurrencyLimit::tryAcquire() {
  size_t current = in_flight_.load(std::memory_order_relaxed);
  do {
    if (current >= limit_.load(std::memory_order_relaxed)) {
      return false;
    }
  } while (!in_flight_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
  size_t peak = peak_in_flight_.load(std::memory_order_relaxed);
  while (peak < current + 1 &&
         !peak_in_flight_.compare_exchange_weak(peak, current + 1, std::memory_order_relaxed)) {
  }
  if (observer_ != nullptr) {
    observer_->onInFlight(current + 1);
  }
  return true;
}

void AdaptiveConcurrencyLimit::release(Clock::duration latency, Clock::time_point now) {
  const size_t left = in_flight_.fetch_sub(1, std::memory_order_acq_rel) - 1;
  if (observer_ != nullptr) {
    observer_->onInFlight(left);
  }
  std::lock_guard lock(mutex_);
  samples_.push_back(std::chrono::duration<double>(latency).count());
  if (samples_.size() >= options_.min_samples && now - window_start_ >= options_.window) {
    endWindow(now);
  }
}

void AdaptiveConcurrencyLimit::endWindow(Clock::time_point now) {
  const size_t rank = (samples_.size() * 95 + 99) / 100 - 1;  // the p95 sample, nearest rank
  std::nth_element(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(rank),
                   samples_.end());
  const double p95 = samples_[rank];
  const double target = std::chrono::duration<double>(options_.target).count();
  const size_t peak = peak_in_flight_.exchange(in_flight_.load(std::memory_order_relaxed),
                                               std::memory_order_relaxed);
  double next = exact_limit_;
  if (p95 > target) {
    next = exact_limit_ * options_.decrease;
  } else if (p95 <= target / 2 && static_cast<double>(peak) * 2 >= exact_limit_) {
    next = exact_limit_ + std::max(1.0, exact_limit_ / 10);
  }
  exact_limit_ = std::clamp(next, options_.min, options_.max);
  const auto rounded = static_cast<size_t>(std::floor(exact_limit_));
  if (rounded != limit_.exchange(rounded, std::memory_order_relaxed) && observer_ != nullptr) {
    observer_->onLimit(rounded);
  }
  samples_.clear();
  window_start_ = now;
}

}  // namespace tickets::http
