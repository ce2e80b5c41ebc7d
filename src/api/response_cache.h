#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace tickets::api {

// Encoded response bodies of cheap-to-serve reads, each kept for at most `ttl` after the read
// that produced it began, and dropped as soon as the catalogue's generation changes (a local
// write). So that a popular entry never expires under load, the first reader past three
// quarters of its life is asked to refresh it while everyone else is still served; so that a
// cold key does not send every concurrent reader to the database, one reader fills it and the
// others wait for that (single flight). Bounded by bytes (keys and bodies): expired entries are
// reclaimed at least once per ttl, and when a new entry does not fit, expired entries go first,
// then others until it fits; a body larger than an eighth of the budget is not kept. Thread-safe.
class ResponseCache {
 public:
  using Body = std::shared_ptr<const std::string>;

  // One in-progress fill of a cold key, awaited by the readers that came after its leader.
  class Flight {
   public:
    // Resumes when the leader has finished; the body it produced, or null if it failed.
    boost::asio::awaitable<Body> wait();

   private:
    friend class ResponseCache;
    struct Waiter;
    void finish(Body body);

    std::mutex mutex_;
    bool done_ = false;
    Body body_;
    std::vector<std::shared_ptr<Waiter>> waiters_;
  };

  struct Lookup {
    Body body;             // servable now, or null
    bool refresh = false;  // this caller should re-read and put(); the body is still servable
  };

  ResponseCache(const Clock& clock, std::chrono::milliseconds ttl, size_t max_bytes);

  bool enabled() const { return ttl_.count() > 0; }
  // The time a read starts; pass it to put() so that staleness counts from then.
  std::chrono::steady_clock::time_point now() const { return clock_.steadyNow(); }

  Lookup get(const std::string& key, uint64_t generation);
  void put(const std::string& key, uint64_t generation,
           std::chrono::steady_clock::time_point read_at, Body body);

  // For a cold key: `leader` is set for the one caller that must read, call put() if it can,
  // and then finishFill(); every other caller gets the same flight to wait on.
  std::shared_ptr<Flight> joinFill(const std::string& key, uint64_t generation, bool& leader);
  void finishFill(const std::string& key, const std::shared_ptr<Flight>& flight, Body body);

  // What the kept entries take now, in bytes, and how many there are.
  size_t bytes() const;
  size_t entries() const;

 private:
  struct Entry {
    Body body;
    uint64_t generation;
    std::chrono::steady_clock::time_point refresh_at;
    std::chrono::steady_clock::time_point expires_at;
    bool refreshing = false;
  };
  struct Fill {
    std::shared_ptr<Flight> flight;
    uint64_t generation;
  };
  using Entries = std::unordered_map<std::string, Entry>;

  static size_t sizeOf(const std::string& key, const Entry& entry);
  Entries::iterator erase(Entries::iterator it);
  // Drops entries that expired by `now` or belong to an older generation than `generation`.
  void reclaim(std::chrono::steady_clock::time_point now, uint64_t generation);

  const Clock& clock_;
  const std::chrono::milliseconds ttl_;
  const size_t max_bytes_;
  mutable std::mutex mutex_;
  size_t bytes_ = 0;
  std::chrono::steady_clock::time_point next_reclaim_{};
  Entries entries_;
  std::unordered_map<std::string, Fill> fills_;
};

}  // namespace tickets::api
