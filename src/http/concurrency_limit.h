#pragma once

// An adaptive concurrency limit: how many requests of one kind (a budget, e.g. the selling
// path) may be in flight at once, driven by the latency they are measured to take.
//
// The shape is the AIMD member of the family of Netflix's concurrency-limits and Envoy's
// adaptive concurrency filter, on windows of samples rather than single ones: the latency of
// every admitted request is recorded; when a window ends (at least `window` long and
// `min_samples` samples) its p95 is compared with `target`. Above it, the limit shrinks by
// `decrease` (multiplicative: a queue building up at the database drains fast). At or below
// half of it, and if the window actually used at least half of the limit (so that there is
// evidence more would be served as fast), the limit grows by a tenth (at least 1). Between the
// two it holds. A request beyond the limit is not queued: the caller sheds it at once (429 with
// Retry-After), so the latency of those admitted stays near the target however large the
// offered load, and far below the SLO (p95 800 ms) it is set under.
//
// Thread-safe: the in-flight count is atomic; the window is under a mutex taken once per
// completed request.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <vector>

namespace tickets::http {

class ConcurrencyLimitObserver {
 public:
  virtual ~ConcurrencyLimitObserver() = default;
  virtual void onLimit(size_t limit) = 0;
  virtual void onInFlight(size_t in_flight) = 0;
  // A request of `endpoint` (its route template) was refused at the limit.
  virtual void onShed(std::string_view endpoint, std::string_view method) = 0;
};

class AdaptiveConcurrencyLimit {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    double initial = 32;
    double min = 2;
    double max = 48;
    std::chrono::milliseconds target{250};
    std::chrono::milliseconds window{250};
    size_t min_samples = 20;  // so that one slow request in twenty is not the p95
    double decrease = 0.75;
  };

  explicit AdaptiveConcurrencyLimit(Options options, ConcurrencyLimitObserver* observer = nullptr);

  // Admits one request (true: call release() when it is answered) or refuses it (false: call
  // shed() with the request's route).
  bool tryAcquire();
  void shed(std::string_view endpoint, std::string_view method) {
    if (observer_ != nullptr) {
      observer_->onShed(endpoint, method);
    }
  }
  // The admitted request was answered after `latency`; `now` ends the window if it is due.
  void release(Clock::duration latency, Clock::time_point now = Clock::now());

  size_t limit() const { return limit_.load(std::memory_order_relaxed); }
  size_t inFlight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  void endWindow(Clock::time_point now);  // under mutex_

  const Options options_;
  ConcurrencyLimitObserver* observer_;
  std::atomic<size_t> limit_;
  std::atomic<size_t> in_flight_{0};
  std::atomic<size_t> peak_in_flight_{0};  // in this window

  std::mutex mutex_;
  double exact_limit_;  // the limit before rounding down
  Clock::time_point window_start_;
  std::vector<double> samples_;  // seconds
};

}  // namespace tickets::http
