// The waiting room's admission arithmetic (domain/waiting_room.h), without a database.
#include "domain/waiting_room.h"

#include <gtest/gtest.h>

namespace tickets {
namespace {

using namespace std::chrono;

constexpr int64_t kStart = 1'800'000'000;  // a bucket: a second since the epoch

QueueTime at(int64_t second, int64_t ms = 0) { return QueueTime(milliseconds(second * 1000 + ms)); }

QueueState queue(int64_t per_minute, QueuePlace watermark, QueueTime advanced) {
  QueueState state;
  state.event = 1;
  state.settings = QueueSettings{true, per_minute, 0};
  state.watermark = watermark;
  state.advanced_at = advanced;
  return state;
}

TEST(QueueRank, CountsEarlierBucketsAndItsOwnProRata) {
  QueueRepository::Arrivals arrivals{{0, 100}, {kStart, 10}, {kStart + 1, 20}};
  EXPECT_DOUBLE_EQ(queueRank(arrivals, {0, 0.0}), 0);
  EXPECT_DOUBLE_EQ(queueRank(arrivals, {0, 0.5}), 50);
  EXPECT_DOUBLE_EQ(queueRank(arrivals, {kStart, 0.0}), 100);
  EXPECT_DOUBLE_EQ(queueRank(arrivals, {kStart + 1, 0.25}), 115);
  EXPECT_DOUBLE_EQ(queueRank(arrivals, {kStart + 5, 0.0}), 130);
}

TEST(AdvanceWatermark, AdmitsAtTheRateOverAMinute) {
  // 10 buyers a second for two minutes; 300 a minute admitted, one advance a second.
  QueueRepository::Arrivals arrivals;
  for (int64_t s = 0; s < 120; ++s) {
    arrivals[kStart + s] = 10;
  }
  auto state = queue(300, {kStart, 0.0}, at(kStart + 10));
  for (int64_t s = 11; s <= 70; ++s) {
    state = advanceWatermark(state, arrivals, at(kStart + s, 137), std::nullopt);
  }
  EXPECT_NEAR(state.admitted, 300, 30) << "within 10% of the rate";
  EXPECT_NEAR(queueRank(arrivals, state.watermark), state.admitted, 1e-6);
}

TEST(AdvanceWatermark, MovesOnlyOverCompleteSeconds) {
  QueueRepository::Arrivals arrivals{{kStart, 5}, {kStart + 1, 5}, {kStart + 2, 5}};
  // At kStart + 3.5 only kStart is complete (kStart + 1 may still lack a replica's count).
  auto state = advanceWatermark(queue(6000, {kStart, 0.0}, at(kStart + 2, 500)), arrivals,
                                at(kStart + 3, 500), std::nullopt);
  EXPECT_EQ(state.watermark.bucket, kStart + 1);
  EXPECT_DOUBLE_EQ(state.watermark.fraction, 0.0);
  EXPECT_DOUBLE_EQ(state.admitted, 5);
  EXPECT_LE(state.carry, 1.0) << "unused admissions are not banked";
}

TEST(AdvanceWatermark, NeverBeforeTheSaleHasStartedAndItsCohortIsCounted) {
  QueueRepository::Arrivals arrivals{{0, 50}};
  const SystemTime sale(seconds(kStart + 100));
  auto state = queue(6000, {0, 0.0}, at(kStart + 100));
  auto early = advanceWatermark(state, arrivals, at(kStart + 101), sale);
  EXPECT_DOUBLE_EQ(early.admitted, 0);
  EXPECT_EQ(early.watermark.bucket, 0);
  auto later = advanceWatermark(early, arrivals, at(kStart + 103, 200), sale);
  EXPECT_GT(later.admitted, 0);
}

TEST(AdvanceWatermark, WaitsForEveryReplicasCounts) {
  QueueRepository::Arrivals arrivals{{kStart, 4}, {kStart + 1, 4}, {kStart + 5, 4}};
  // One replica last wrote its counts at kStart + 1.2: kStart is complete, kStart + 1 is not.
  auto state = advanceWatermark(queue(6000, {kStart, 0.0}, at(kStart + 5)), arrivals,
                                at(kStart + 6), std::nullopt, at(kStart + 1, 200));
  EXPECT_DOUBLE_EQ(state.admitted, 4);
  EXPECT_EQ(state.watermark.bucket, kStart + 1);
  EXPECT_DOUBLE_EQ(state.watermark.fraction, 0.0);
  // The pre-sale cohort waits until every replica has written its counts since the sale began.
  const SystemTime sale(seconds(kStart + 100));
  QueueRepository::Arrivals cohort{{0, 10}};
  auto held = advanceWatermark(queue(6000, {0, 0.0}, at(kStart + 104)), cohort, at(kStart + 105),
                               sale, at(kStart + 99, 900));
  EXPECT_DOUBLE_EQ(held.admitted, 0);
  auto moved = advanceWatermark(queue(6000, {0, 0.0}, at(kStart + 104)), cohort, at(kStart + 105),
                                sale, at(kStart + 100, 100));
  EXPECT_DOUBLE_EQ(moved.admitted, 10);
}

TEST(AdvanceWatermark, PausedOrDisabledHoldsAndOwesNothing) {
  QueueRepository::Arrivals arrivals{{kStart, 100}};
  auto paused = queue(0, {kStart, 0.0}, at(kStart + 5));
  paused.carry = 0.7;
  auto next = advanceWatermark(paused, arrivals, at(kStart + 60), std::nullopt);
  EXPECT_DOUBLE_EQ(next.admitted, 0);
  EXPECT_DOUBLE_EQ(next.carry, 0);
  EXPECT_EQ(next.advanced_at, at(kStart + 60));
  // Resuming after a long pause owes at most 5 s of the rate.
  next.settings.admit_per_minute = 600;
  auto resumed = advanceWatermark(next, arrivals, at(kStart + 600), std::nullopt);
  EXPECT_NEAR(resumed.admitted, 50, 1e-9);
}

TEST(AdvanceWatermark, SplitsABucketByItsFraction) {
  QueueRepository::Arrivals arrivals{{kStart, 40}};
  auto state = advanceWatermark(queue(600, {kStart, 0.0}, at(kStart + 9)), arrivals,
                                at(kStart + 10), std::nullopt);
  EXPECT_NEAR(state.watermark.fraction, 0.25, 1e-9);  // 10 of 40
  EXPECT_EQ(state.watermark.bucket, kStart);
}

}  // namespace
}  // namespace tickets
