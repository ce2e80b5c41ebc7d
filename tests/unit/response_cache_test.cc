#include "api/response_cache.h"

#include <gtest/gtest.h>

namespace tickets::api {
namespace {

class ManualClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return {}; }
  std::chrono::steady_clock::time_point steadyNow() const override { return steady; }
  std::chrono::steady_clock::time_point steady{};
};

auto body(const char* text) { return std::make_shared<const std::string>(text); }

TEST(ResponseCache, ServesUntilTtlCountedFromTheRead) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), 10);
  auto read_at = cache.now();
  clock.steady += std::chrono::milliseconds(300);  // the read took 300 ms
  cache.put("k", 0, read_at, body("v"));
  clock.steady += std::chrono::milliseconds(600);
  ASSERT_TRUE(cache.get("k", 0));
  EXPECT_EQ(*cache.get("k", 0), "v");
  clock.steady += std::chrono::milliseconds(100);  // 1000 ms after the read began
  EXPECT_FALSE(cache.get("k", 0));
}

TEST(ResponseCache, GenerationChangeDropsEntries) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), 10);
  cache.put("k", 1, cache.now(), body("v"));
  EXPECT_TRUE(cache.get("k", 1));
  EXPECT_FALSE(cache.get("k", 2));
}

TEST(ResponseCache, ZeroTtlDisables) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(0), 10);
  cache.put("k", 0, cache.now(), body("v"));
  EXPECT_FALSE(cache.enabled());
  EXPECT_FALSE(cache.get("k", 0));
}

TEST(ResponseCache, StaysBounded) {
  ManualClock clock;
  ResponseCache cache(clock, std::chrono::milliseconds(1000), 3);
  for (int i = 0; i < 10; ++i) {
    cache.put("k" + std::to_string(i), 0, cache.now(), body("v"));
  }
  int present = 0;
  for (int i = 0; i < 10; ++i) {
    present += cache.get("k" + std::to_string(i), 0) ? 1 : 0;
  }
  EXPECT_LE(present, 3);
  EXPECT_TRUE(cache.get("k9", 0));
}

}  // namespace
}  // namespace tickets::api
