#include "http/concurrency_limit.h"

#include <gtest/gtest.h>

namespace tickets::http {
namespace {

using namespace std::chrono_literals;
using Clock = AdaptiveConcurrencyLimit::Clock;

AdaptiveConcurrencyLimit::Options options() {
  return {.initial = 20,
          .min = 2,
          .max = 40,
          .target = 200ms,
          .window = 100ms,
          .min_samples = 20,
          .decrease = 0.75};
}

// Runs `n` requests concurrently (all admitted first, then answered) with `latency` each, one
// window's worth, the window ending at `now`.
void window(AdaptiveConcurrencyLimit& limit, size_t n, Clock::duration latency,
            Clock::time_point now) {
  size_t admitted = 0;
  for (size_t i = 0; i < n; ++i) {
    admitted += limit.tryAcquire() ? 1 : 0;
  }
  for (size_t i = 0; i < admitted; ++i) {
    limit.release(latency, now);
  }
}

TEST(AdaptiveConcurrencyLimit, AdmitsUpToTheLimitAndNoMore) {
  AdaptiveConcurrencyLimit limit({.initial = 3, .min = 1, .max = 10});
  EXPECT_TRUE(limit.tryAcquire());
  EXPECT_TRUE(limit.tryAcquire());
  EXPECT_TRUE(limit.tryAcquire());
  EXPECT_FALSE(limit.tryAcquire());
  EXPECT_EQ(limit.inFlight(), 3u);
  limit.release(1ms);
  EXPECT_TRUE(limit.tryAcquire());
}

TEST(AdaptiveConcurrencyLimit, ShrinksWhileLatencyIsAboveTheTargetDownToTheMinimum) {
  AdaptiveConcurrencyLimit limit(options());
  auto now = Clock::now();
  window(limit, 20, 500ms, now += 150ms);
  EXPECT_EQ(limit.limit(), 15u);  // 20 x 0.75
  for (int i = 0; i < 20; ++i) {
    window(limit, 20, 500ms, now += 150ms);
  }
  EXPECT_EQ(limit.limit(), 2u);
}

TEST(AdaptiveConcurrencyLimit, GrowsBackWhenFastAndUsedUpToTheMaximum) {
  AdaptiveConcurrencyLimit limit(options());
  auto now = Clock::now();
  for (int i = 0; i < 60; ++i) {
    window(limit, 20, 500ms, now += 150ms);
  }
  ASSERT_EQ(limit.limit(), 2u);
  // Fast, but only two in flight of a limit of two: used, so it grows.
  for (int i = 0; i < 100; ++i) {
    window(limit, 40, 20ms, now += 150ms);
  }
  EXPECT_EQ(limit.limit(), 40u);
}

TEST(AdaptiveConcurrencyLimit, HoldsWhenFastButUnused) {
  AdaptiveConcurrencyLimit limit(options());
  auto now = Clock::now();
  for (int i = 0; i < 10; ++i) {
    // Ten requests one after another: never more than one in flight of twenty.
    for (int j = 0; j < 10; ++j) {
      ASSERT_TRUE(limit.tryAcquire());
      limit.release(5ms, now);
    }
    now += 150ms;
    ASSERT_TRUE(limit.tryAcquire());
    limit.release(5ms, now);
  }
  EXPECT_EQ(limit.limit(), 20u);
}

TEST(AdaptiveConcurrencyLimit, HoldsBetweenHalfTheTargetAndTheTarget) {
  AdaptiveConcurrencyLimit limit(options());
  auto now = Clock::now();
  for (int i = 0; i < 5; ++i) {
    window(limit, 20, 150ms, now += 150ms);
  }
  EXPECT_EQ(limit.limit(), 20u);
}

TEST(AdaptiveConcurrencyLimit, AWindowNeedsEnoughSamplesAndTime) {
  AdaptiveConcurrencyLimit limit(options());
  auto now = Clock::now();
  window(limit, 10, 500ms, now += 1s);  // too few samples
  EXPECT_EQ(limit.limit(), 20u);
  window(limit, 10, 500ms, now);  // twenty now: the window ends
  EXPECT_EQ(limit.limit(), 15u);
  window(limit, 15, 500ms, now += 10ms);  // too soon
  window(limit, 15, 500ms, now);
  EXPECT_EQ(limit.limit(), 15u);
}

TEST(AdaptiveConcurrencyLimit, OneSlowRequestInTwentyIsNotTheP95) {
  AdaptiveConcurrencyLimit limit(options());
  auto now = Clock::now() + 150ms;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(limit.tryAcquire());
  }
  limit.release(2s, now);
  for (int i = 0; i < 19; ++i) {
    limit.release(150ms, now);
  }
  EXPECT_EQ(limit.limit(), 20u);
}

}  // namespace
}  // namespace tickets::http
