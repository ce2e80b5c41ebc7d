#include "storage/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace tickets {
namespace {

using namespace std::chrono_literals;

struct FakeConnection {
  int id;
};

class CountingObserver final : public PoolObserver {
 public:
  void onAcquired(std::chrono::steady_clock::duration) override { ++acquired; }
  void onReleased() override { ++released; }
  void onExhausted(std::chrono::steady_clock::duration) override { ++exhausted; }
  std::atomic<int> acquired{0}, released{0}, exhausted{0};
};

class PoolTest : public ::testing::Test {
 protected:
  ConnectionPool<FakeConnection> makePool(size_t size, std::chrono::milliseconds timeout) {
    return ConnectionPool<FakeConnection>(
        size, timeout,
        [this] { return std::make_unique<FakeConnection>(FakeConnection{++opened}); }, &observer);
  }
  std::atomic<int> opened{0};
  CountingObserver observer;
};

TEST_F(PoolTest, OpensLazilyAndReusesConnections) {
  auto pool = makePool(3, 100ms);
  EXPECT_EQ(opened, 0);
  {
    auto a = pool.acquire();
    EXPECT_EQ(pool.active(), 1u);
  }
  auto b = pool.acquire();
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(b->id, 1);
}

TEST_F(PoolTest, ExhaustionThrowsAfterTimeoutAndCounts) {
  auto pool = makePool(2, 50ms);
  auto a = pool.acquire();
  auto b = pool.acquire();
  auto start = std::chrono::steady_clock::now();
  try {
    pool.acquire();
    FAIL() << "expected PoolExhausted";
  } catch (const PoolExhausted& e) {
    EXPECT_EQ(e.poolSize(), 2u);
    EXPECT_GE(e.waited(), 50ms);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_EQ(observer.exhausted, 1);
  EXPECT_EQ(pool.active(), 2u);
}

TEST_F(PoolTest, WaiterGetsConnectionReleasedByAnotherThread) {
  auto pool = makePool(1, 5000ms);
  auto held = pool.acquire();
  std::thread releaser([&] {
    std::this_thread::sleep_for(20ms);
    held = {};
  });
  auto got = pool.acquire();
  EXPECT_EQ(got->id, 1);
  releaser.join();
}

TEST_F(PoolTest, ReleasesOnException) {
  auto pool = makePool(1, 50ms);
  try {
    auto lease = pool.acquire();
    throw std::runtime_error("query failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(pool.active(), 0u);
  EXPECT_NO_THROW(pool.acquire());
  EXPECT_EQ(observer.acquired, observer.released + 0);
}

TEST_F(PoolTest, DiscardedConnectionIsReplaced) {
  auto pool = makePool(1, 50ms);
  {
    auto lease = pool.acquire();
    lease.discard();
  }
  auto lease = pool.acquire();
  EXPECT_EQ(lease->id, 2);
}

TEST_F(PoolTest, FailedOpenFreesTheSlot) {
  bool fail = true;
  ConnectionPool<FakeConnection> pool(
      1, 50ms,
      [&]() -> std::unique_ptr<FakeConnection> {
        if (fail) {
          throw DatabaseUnavailable("down");
        }
        return std::make_unique<FakeConnection>(FakeConnection{7});
      },
      &observer);
  EXPECT_THROW(pool.acquire(), DatabaseUnavailable);
  EXPECT_EQ(pool.active(), 0u);
  fail = false;
  EXPECT_EQ(pool.acquire()->id, 7);
}

TEST_F(PoolTest, NeverHandsOutMoreThanSize) {
  auto pool = makePool(4, 2000ms);
  std::atomic<int> concurrent{0}, peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto lease = pool.acquire();
        int now = ++concurrent;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        --concurrent;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_LE(peak.load(), 4);
  EXPECT_LE(opened.load(), 4);
  EXPECT_EQ(pool.active(), 0u);
  EXPECT_EQ(observer.acquired, 16 * 200);
  EXPECT_EQ(observer.released, 16 * 200);
}

// db_active_connections / db_max_connections is what the saturation alert watches: the gauge
// the observer keeps must never read more connections out than the pool has.
TEST(PoolObserverTest, TheActiveGaugeNeverExceedsThePoolSize) {
  class GaugeObserver final : public PoolObserver {
   public:
    void onAcquired(std::chrono::steady_clock::duration) override {
      int now = ++active;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
    }
    void onReleased() override { --active; }
    void onExhausted(std::chrono::steady_clock::duration) override {}
    std::atomic<int> active{0}, peak{0};
  } gauge;
  ConnectionPool<FakeConnection> pool(
      2, 5000ms, [] { return std::make_unique<FakeConnection>(FakeConnection{0}); }, &gauge);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        auto lease = pool.acquire();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_LE(gauge.peak.load(), 2);
  EXPECT_EQ(gauge.active.load(), 0);
}

}  // namespace
}  // namespace tickets
