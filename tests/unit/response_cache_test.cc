#include "api/response_cache.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "support/manual_clock.h"

namespace tickets::api {
namespace {

using test::ManualClock;

constexpr size_t kMiB = 1024 * 1024;

auto body(const char* text) { return std::make_shared<const std::string>(text); }

TEST(ResponseCache, ServesUntilTtlCountedFromTheRead) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), kMiB);
  auto read_at = cache.now();
  clock.advance(std::chrono::milliseconds(300));  // the read took 300 ms
  cache.put("k", 0, read_at, body("v"));
  clock.advance(std::chrono::milliseconds(600));
  ASSERT_TRUE(cache.get("k", 0).body);
  EXPECT_EQ(*cache.get("k", 0).body, "v");
  clock.advance(std::chrono::milliseconds(100));  // 1000 ms after the read began
  EXPECT_FALSE(cache.get("k", 0).body);
}

TEST(ResponseCache, GenerationChangeDropsEntries) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), kMiB);
  cache.put("k", 1, cache.now(), body("v"));
  EXPECT_TRUE(cache.get("k", 1).body);
  EXPECT_FALSE(cache.get("k", 2).body);
}

TEST(ResponseCache, ZeroTtlDisables) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(0), kMiB);
  cache.put("k", 0, cache.now(), body("v"));
  EXPECT_FALSE(cache.enabled());
  EXPECT_FALSE(cache.get("k", 0).body);
}

TEST(ResponseCache, StaysWithinItsBytes) {
  ManualClock clock;
  const size_t budget = 64 * 1024;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), budget);
  const auto big = std::make_shared<const std::string>(4000, 'x');
  for (int i = 0; i < 1000; ++i) {
    cache.put("k" + std::to_string(i), 0, cache.now(), big);
    ASSERT_LE(cache.bytes(), budget);
  }
  EXPECT_GE(cache.entries(), 10u);  // it still caches
  EXPECT_TRUE(cache.get("k999", 0).body);
  // A body too large for the budget is served by its reader but not kept.
  cache.put("huge", 0, cache.now(), std::make_shared<const std::string>(budget, 'y'));
  EXPECT_FALSE(cache.get("huge", 0).body);
  EXPECT_LE(cache.bytes(), budget);
}

TEST(ResponseCache, ReclaimsExpiredEntriesWithoutBeingFull) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), kMiB);
  for (int i = 0; i < 100; ++i) {
    cache.put("q|" + std::to_string(i), 0, cache.now(), body("result"));
  }
  EXPECT_EQ(cache.entries(), 100u);
  clock.advance(std::chrono::milliseconds(1500));
  cache.put("fresh", 0, cache.now(), body("v"));
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_LT(cache.bytes(), 1024u);
}

TEST(ResponseCache, AsksExactlyOneReaderToRefreshAheadOfExpiry) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), kMiB);
  cache.put("k", 0, cache.now(), body("old"));
  clock.advance(std::chrono::milliseconds(700));
  EXPECT_FALSE(cache.get("k", 0).refresh);
  clock.advance(std::chrono::milliseconds(100));
  auto first = cache.get("k", 0);
  auto second = cache.get("k", 0);
  EXPECT_TRUE(first.refresh);
  EXPECT_FALSE(second.refresh);
  ASSERT_TRUE(second.body);
  EXPECT_EQ(*second.body, "old");
  cache.put("k", 0, cache.now(), body("new"));
  EXPECT_EQ(*cache.get("k", 0).body, "new");
  EXPECT_FALSE(cache.get("k", 0).refresh);
}

TEST(ResponseCache, ColdKeyHasOneLeaderAndWaitersGetItsBody) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), kMiB);
  bool leader = false;
  auto flight = cache.joinFill("k", 0, leader);
  EXPECT_TRUE(leader);
  bool second_leader = true;
  auto same = cache.joinFill("k", 0, second_leader);
  EXPECT_FALSE(second_leader);
  EXPECT_EQ(flight, same);

  boost::asio::io_context io;
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          auto b = co_await same->wait();
          got.push_back(b ? *b : "null");
        },
        boost::asio::detached);
  }
  io.poll();  // the waiters are now suspended
  EXPECT_TRUE(got.empty());
  cache.finishFill("k", flight, body("filled"));
  io.run();
  EXPECT_EQ(got, (std::vector<std::string>{"filled", "filled", "filled"}));
  // A waiter arriving after the fill finished does not wait.
  bool late_leader = false;
  auto next = cache.joinFill("k", 0, late_leader);
  EXPECT_TRUE(late_leader);
  cache.finishFill("k", next, nullptr);
  std::string late;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { late = *(co_await flight->wait()); },
      boost::asio::detached);
  io.restart();
  io.run();
  EXPECT_EQ(late, "filled");
}

}  // namespace
}  // namespace tickets::api
