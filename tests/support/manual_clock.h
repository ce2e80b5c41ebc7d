#pragma once

#include <atomic>
#include <chrono>

#include "common/time.h"

namespace tickets::test {

// A clock that moves only when a test advances it: wall time starts at 2027-01-15T08:00:00Z and
// steady time at its epoch; advance() moves both. Thread-safe to read while one thread advances.
class ManualClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return wall_.load(); }
  std::chrono::steady_clock::time_point steadyNow() const override { return steady_.load(); }

  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> by) {
    wall_.store(wall_.load() + std::chrono::duration_cast<std::chrono::system_clock::duration>(by));
    steady_.store(steady_.load() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(by));
  }

 private:
  std::atomic<std::chrono::system_clock::time_point> wall_{
      std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  std::atomic<std::chrono::steady_clock::time_point> steady_{};
};

}  // namespace tickets::test
