#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "common/database_errors.h"
#include "common/pool_observer.h"

namespace tickets {

// A fixed-size pool of database connections, each used by one thread at a time.
// Connections are opened lazily, up to `size`. acquire() blocks the calling thread (never an I/O
// thread) for at most the timeout, then throws PoolExhausted. A lease returns its connection when
// destroyed, also during stack unwinding; discard() drops a connection that is broken.
// Thread-safe.
template <class Connection>
class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  using Clock = std::chrono::steady_clock;

  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        release();
        pool_ = std::exchange(other.pool_, nullptr);
        connection_ = std::move(other.connection_);
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }
    explicit operator bool() const { return connection_ != nullptr; }

    // The connection is broken: close it instead of returning it.
    void discard() { connection_.reset(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    void release() {
      if (pool_ != nullptr) {
        std::exchange(pool_, nullptr)->giveBack(std::move(connection_));
      }
    }

    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(size_t size, std::chrono::milliseconds timeout, Factory factory,
                 PoolObserver* observer = nullptr)
      : size_(size), timeout_(timeout), factory_(std::move(factory)), observer_(observer) {
    idle_.reserve(size_);
  }

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  Lease acquire() { return acquire(timeout_); }

  Lease acquire(std::chrono::milliseconds timeout) {
    const auto start = Clock::now();
    std::unique_lock lock(mutex_);
    const auto ready = [&] { return !idle_.empty() || open_ < size_; };
    if (!available_.wait_until(lock, start + timeout, ready)) {
      lock.unlock();
      auto waited = Clock::now() - start;
      if (observer_ != nullptr) {
        observer_->onExhausted(waited);
      }
      throw PoolExhausted(size_, std::chrono::duration_cast<std::chrono::milliseconds>(waited));
    }
    ++active_;
    std::unique_ptr<Connection> connection;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;
      lock.unlock();
      try {
        connection = factory_();
      } catch (...) {
        lock.lock();
        --open_;
        --active_;
        lock.unlock();
        available_.notify_one();
        throw;
      }
    }
    if (lock.owns_lock()) {
      lock.unlock();
    }
    if (observer_ != nullptr) {
      observer_->onAcquired(Clock::now() - start);
    }
    return Lease(this, std::move(connection));
  }

  size_t size() const { return size_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  size_t active() const {
    std::lock_guard lock(mutex_);
    return active_;
  }

 private:
  void giveBack(std::unique_ptr<Connection> connection) {
    {
      std::lock_guard lock(mutex_);
      // Told before the slot is free: told after, the next checkout's onAcquired could come
      // first and db_active_connections read more than the pool holds.
      if (observer_ != nullptr) {
        observer_->onReleased();
      }
      --active_;
      if (connection) {
        idle_.push_back(std::move(connection));
      } else {
        --open_;
      }
    }
    available_.notify_one();
  }

  const size_t size_;
  const std::chrono::milliseconds timeout_;
  const Factory factory_;
  PoolObserver* const observer_;

  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
  size_t active_ = 0;
};

}  // namespace tickets
