#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/time.h"

namespace tickets::api {

// Encoded response bodies of cheap-to-serve reads, each kept for at most `ttl` after the read
// that produced it began, and dropped as soon as the catalogue's generation changes (a local
// write). Bounded: when full, expired entries are dropped, then everything. Thread-safe.
class ResponseCache {
 public:
  using Body = std::shared_ptr<const std::string>;

  ResponseCache(const Clock& clock, std::chrono::milliseconds ttl, size_t max_entries);

  bool enabled() const { return ttl_.count() > 0; }
  // The time a read starts; pass it to put() so that staleness counts from then.
  std::chrono::steady_clock::time_point now() const { return clock_.steadyNow(); }

  Body get(const std::string& key, uint64_t generation) const;
  void put(const std::string& key, uint64_t generation,
           std::chrono::steady_clock::time_point read_at, Body body);

 private:
  struct Entry {
    Body body;
    uint64_t generation;
    std::chrono::steady_clock::time_point expires_at;
  };

  const Clock& clock_;
  const std::chrono::milliseconds ttl_;
  const size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace tickets::api
