#include "api/response_cache.h"

namespace tickets::api {

ResponseCache::ResponseCache(const Clock& clock, std::chrono::milliseconds ttl, size_t max_entries)
    : clock_(clock), ttl_(ttl), max_entries_(max_entries) {}

ResponseCache::Body ResponseCache::get(const std::string& key, uint64_t generation) const {
  if (!enabled()) {
    return nullptr;
  }
  const auto now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation || it->second.expires_at <= now) {
    return nullptr;
  }
  return it->second.body;
}

void ResponseCache::put(const std::string& key, uint64_t generation,
                        std::chrono::steady_clock::time_point read_at, Body body) {
  if (!enabled()) {
    return;
  }
  const auto now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_ && entries_.find(key) == entries_.end()) {
    std::erase_if(entries_, [&](const auto& item) {
      return item.second.expires_at <= now || item.second.generation != generation;
    });
    if (entries_.size() >= max_entries_) {
      entries_.clear();
    }
  }
  entries_[key] = Entry{std::move(body), generation, read_at + ttl_};
}

}  // namespace tickets::api
