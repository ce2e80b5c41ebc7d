#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <type_traits>

namespace tickets {

// The worker pool is full: the request is shed (429 with Retry-After) rather than queued.
class Overloaded : public std::runtime_error {
 public:
  Overloaded() : std::runtime_error("worker pool full") {}
};

// Threads that run blocking work (database calls) off the I/O threads. It admits at most as many
// jobs as it has threads, so an admitted job starts at once and a job never waits in an
// unbounded queue; beyond that, run() throws Overloaded. Thread-safe.
class WorkerPool {
 public:
  explicit WorkerPool(size_t threads) : threads_(threads), pool_(threads) {}
  ~WorkerPool() { pool_.join(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on a worker thread and resumes the caller on its own executor with the result
  // or the job's exception.
  template <class Job>
  boost::asio::awaitable<std::invoke_result_t<Job>> run(Job job) {
    if (busy_.fetch_add(1, std::memory_order_acq_rel) >= threads_) {
      busy_.fetch_sub(1, std::memory_order_acq_rel);
      throw Overloaded();
    }
    Release release{busy_};
    co_return co_await boost::asio::co_spawn(
        pool_.get_executor(),
        [job = std::move(job)]() mutable -> boost::asio::awaitable<std::invoke_result_t<Job>> {
          co_return job();
        },
        boost::asio::use_awaitable);
  }

  // Runs the jobs already handed over to their end, then ends the threads. Call it once the
  // event loops have stopped and before they are destroyed: a job dropped unrun would, when the
  // pool goes, hand its caller's coroutine back to a loop that no longer exists.
  void drain() { pool_.join(); }

 private:
  struct Release {
    std::atomic<size_t>& busy;
    ~Release() { busy.fetch_sub(1, std::memory_order_acq_rel); }
  };

  const size_t threads_;
  std::atomic<size_t> busy_{0};
  boost::asio::thread_pool pool_;
};

}  // namespace tickets
