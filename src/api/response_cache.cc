#include "api/response_cache.h"

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tickets::api {

struct ResponseCache::Flight::Waiter {
  explicit Waiter(boost::asio::any_io_executor executor) : wakeup(std::move(executor), 1) {}
  // Buffered, so that a wake-up sent before the waiter starts receiving is not lost.
  boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> wakeup;
};

boost::asio::awaitable<ResponseCache::Body> ResponseCache::Flight::wait() {
  auto waiter = std::make_shared<Waiter>(co_await boost::asio::this_coro::executor);
  {
    std::lock_guard lock(mutex_);
    if (done_) {
      co_return body_;
    }
    waiters_.push_back(waiter);
  }
  co_await waiter->wakeup.async_receive(boost::asio::use_awaitable);
  std::lock_guard lock(mutex_);
  co_return body_;
}

void ResponseCache::Flight::finish(Body body) {
  std::vector<std::shared_ptr<Waiter>> waiters;
  {
    std::lock_guard lock(mutex_);
    done_ = true;
    body_ = std::move(body);
    waiters.swap(waiters_);
  }
  for (auto& waiter : waiters) {
    waiter->wakeup.try_send(boost::system::error_code{});
  }
}

ResponseCache::ResponseCache(const Clock& clock, std::chrono::milliseconds ttl, size_t max_bytes)
    : clock_(clock), ttl_(ttl), max_bytes_(max_bytes) {}

size_t ResponseCache::sizeOf(const std::string& key, const Entry& entry) {
  constexpr size_t kOverhead = 96;  // the node, the hash slot and the shared body's control block
  return key.size() + (entry.body ? entry.body->size() : 0) + kOverhead;
}

ResponseCache::Entries::iterator ResponseCache::erase(Entries::iterator it) {
  bytes_ -= sizeOf(it->first, it->second);
  return entries_.erase(it);
}

void ResponseCache::reclaim(std::chrono::steady_clock::time_point now, uint64_t generation) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.expires_at <= now || it->second.generation < generation ? erase(it)
                                                                            : std::next(it);
  }
  next_reclaim_ = now + ttl_;
}

size_t ResponseCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

size_t ResponseCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

ResponseCache::Lookup ResponseCache::get(const std::string& key, uint64_t generation) {
  if (!enabled()) {
    return {};
  }
  const auto now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation || it->second.expires_at <= now) {
    return {};
  }
  Entry& entry = it->second;
  Lookup lookup{entry.body, false};
  if (now >= entry.refresh_at && !entry.refreshing) {
    entry.refreshing = true;
    lookup.refresh = true;
  }
  return lookup;
}

void ResponseCache::put(const std::string& key, uint64_t generation,
                        std::chrono::steady_clock::time_point read_at, Body body) {
  if (!enabled()) {
    return;
  }
  const auto now = clock_.steadyNow();
  Entry entry{std::move(body), generation, read_at + ttl_ * 3 / 4, read_at + ttl_, false};
  const size_t size = sizeOf(key, entry);
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    erase(it);
  }
  if (size > max_bytes_ / 8) {
    return;
  }
  if (now >= next_reclaim_ || bytes_ + size > max_bytes_) {
    reclaim(now, generation);
  }
  for (auto it = entries_.begin(); bytes_ + size > max_bytes_ && it != entries_.end();) {
    it = erase(it);
  }
  bytes_ += size;
  entries_.emplace(key, std::move(entry));
}

std::shared_ptr<ResponseCache::Flight> ResponseCache::joinFill(const std::string& key,
                                                               uint64_t generation, bool& leader) {
  std::lock_guard lock(mutex_);
  auto it = fills_.find(key);
  if (it != fills_.end() && it->second.generation == generation) {
    leader = false;
    return it->second.flight;
  }
  leader = true;
  auto flight = std::make_shared<Flight>();
  // A fill of an older generation keeps its own waiters; newer readers start a new one.
  fills_[key] = Fill{flight, generation};
  return flight;
}

void ResponseCache::finishFill(const std::string& key, const std::shared_ptr<Flight>& flight,
                               Body body) {
  {
    std::lock_guard lock(mutex_);
    auto it = fills_.find(key);
    if (it != fills_.end() && it->second.flight == flight) {
      fills_.erase(it);
    }
  }
  flight->finish(std::move(body));
}

}  // namespace tickets::api
