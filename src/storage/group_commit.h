#pragma once

// Group commit: concurrent write transactions coalesced into one database transaction and one
// commit, each keeping its own outcome.
//
// A caller hands its work to a lane and blocks. If the lane is idle, the caller runs at once
// (a batch of one: no waiting when there is no queue). Work that arrives while a batch is in
// flight queues; when the batch ends, the first waiting caller takes everything queued, in
// arrival order, and runs it as the next batch. So the wait is bounded by one batch and grows
// with the load by itself: there is never a timer or a fixed sleep.
//
// Inside a batch each unit of work runs under its own SAVEPOINT. A unit that refuses (returns
// without calling commit() on its WriteUnit) or throws is rolled back to its savepoint, so it
// neither fails nor changes what the others see; a unit that commits is kept. One COMMIT then
// makes every kept unit durable together, and only then does any caller get its answer: an
// answer is never given for work that could still be lost. If the batch as a whole fails (the
// connection breaks, the commit fails), every caller in it gets that error, and nothing of it
// was committed. A collision with another transaction (deadlock, serialization failure) makes
// the database abandon the whole batch; it is run again from the start, a few times at most.
//
// Lock order: units of one batch run one after another, so without care a batch could take
// row locks in an order no single transaction would (the first unit locks row 5, the second
// row 3) and deadlock with another batch. Each unit therefore names the rows it will lock
// (ticket types, by id); the batch locks all of them at its start, in id order, in one
// statement, before any unit runs.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/database_errors.h"

namespace tickets {

// What a unit of work calls where a stand-alone transaction would commit: its changes are kept.
class WriteUnit {
 public:
  void commit() { kept_ = true; }
  bool kept() const { return kept_; }

 private:
  bool kept_ = false;
};

template <class Connection>
class GroupCommit {
 public:
  // Runs `work` with a connection of the database's pool (acquiring it, with the pool's
  // timeout, and giving it back).
  using WithConnection = std::function<void(const std::function<void(Connection&)>&)>;
  // Runs SQL without results on the connection (several statements separated by ';').
  using Execute = std::function<void(Connection&, const std::string&)>;

  struct Options {
    size_t lanes = 1;
    // The statements that open a batch's transaction.
    std::vector<std::string> begin = {"BEGIN"};
    // Units per batch at most; the rest waits for the next batch.
    size_t max_batch = 128;
    int attempts = 3;
    // Called after BEGIN at the start of every batch (and of every rerun of it) with the rows
    // named by its units (sorted, distinct; possibly none): locks them.
    std::function<void(Connection&, const std::vector<int64_t>&)> lock;
    // Called after each unit, with whether it was kept.
    std::function<void(Connection&, bool kept)> unit_done = {};
    // Commits a batch with kept units, once the batch's own statements were run or handed to
    // `defer`: e.g. writes what the batch accumulated (counter changes) and commits, in one
    // round trip. Unset: COMMIT.
    std::function<void(Connection&)> commit = {};
    // Told the number of units of every batch (for metrics); thread-safe and fast.
    std::function<void(size_t)> on_batch;
    // When set, the batch's own statements (`begin`, the savepoints) are handed
    // to `defer`, one at a time, instead of being run at once: the connection sends them ahead
    // of the next statement, in its round trip. `drop` forgets what is still deferred; it is
    // called before a ROLLBACK.
    std::function<void(Connection&, std::string)> defer = {};
    std::function<void(Connection&)> drop = {};
  };

  GroupCommit(Options options, WithConnection with, Execute execute)
      : options_(std::move(options)),
        with_(std::move(with)),
        execute_(std::move(execute)),
        lanes_(options_.lanes == 0 ? 1 : options_.lanes) {}

  size_t lanes() const { return lanes_.size(); }

  // Units waiting in lane `key % lanes()` for the next batch (not those running).
  size_t queued(uint64_t key) {
    Lane& lane = lanes_[key % lanes_.size()];
    std::lock_guard lock(lane.mutex);
    return lane.queue.size();
  }

  // Runs `work(connection, unit)` in a batch of lane `key % lanes()` and returns its result
  // once the batch is committed; rethrows what the work or the batch threw. `locks`: the rows
  // the work will lock (see Options::lock).
  template <class T>
  T run(uint64_t key, std::vector<int64_t> locks, std::function<T(Connection&, WriteUnit&)> work) {
    // Shared with the lane: the leader wakes this unit after it let go of the lane's lock, so
    // the unit may outlive this call by as long.
    auto unit = std::make_shared<Unit<T>>(std::move(work));
    unit->locks = std::move(locks);
    Lane& lane = lanes_[key % lanes_.size()];
    std::unique_lock lock(lane.mutex);
    lane.queue.push_back(unit);
    if (lane.busy) {
      // Woken once: when a batch that held this unit is done, or to lead the next batch.
      unit->wake.wait(lock, [&] { return unit->done || unit->lead; });
    } else {
      lane.busy = true;  // an idle lane has an empty queue: this unit is its head
      unit->lead = true;
    }
    if (!unit->done) {
      // The leader runs the queue's head (itself first) as one batch, wakes each of its units,
      // and hands the lane to the next queued unit, if any: every wake-up is for a reason.
      std::vector<std::shared_ptr<Pending>> batch;
      while (!lane.queue.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(lane.queue.front()));
        lane.queue.pop_front();
      }
      lock.unlock();
      runBatch(batch);
      lock.lock();
      for (const auto& done : batch) {
        done->done = true;
      }
      std::shared_ptr<Pending> next;
      if (lane.queue.empty()) {
        lane.busy = false;
      } else {
        next = lane.queue.front();
        next->lead = true;
      }
      lock.unlock();
      // Woken after the lock is let go, so that a woken caller does not at once wait for it.
      if (next) {
        next->wake.notify_one();
      }
      for (const auto& done : batch) {
        if (done != unit) {
          done->wake.notify_one();
        }
      }
    }
    if (unit->error) {
      std::rethrow_exception(unit->error);
    }
    return std::move(*unit->result);
  }

 private:
  struct Pending {
    virtual ~Pending() = default;
    virtual void execute(Connection& connection, WriteUnit& unit) = 0;
    virtual void reset() = 0;
    std::exception_ptr error;
    std::vector<int64_t> locks;
    // Under the lane's mutex:
    bool done = false;
    bool lead = false;
    std::condition_variable wake;
  };

  template <class T>
  struct Unit final : Pending {
    explicit Unit(std::function<T(Connection&, WriteUnit&)> w) : work(std::move(w)) {}
    void execute(Connection& connection, WriteUnit& unit) override {
      result.emplace(work(connection, unit));
    }
    void reset() override {
      result.reset();
      this->error = nullptr;
    }
    std::function<T(Connection&, WriteUnit&)> work;
    std::optional<T> result;
  };

  struct Lane {
    std::mutex mutex;
    std::deque<std::shared_ptr<Pending>> queue;
    bool busy = false;  // a leader is running a batch; then the queue waits for it
  };

  // Never throws: every unit ends with a result or an error.
  void runBatch(const std::vector<std::shared_ptr<Pending>>& batch) {
    if (options_.on_batch) {
      options_.on_batch(batch.size());
    }
    try {
      with_([&](Connection& connection) {
        for (int attempt = 1;; ++attempt) {
          try {
            runOnce(connection, batch);
            return;
          } catch (const TransientConflict&) {
            rollback(connection);
            if (attempt >= options_.attempts) {
              throw;
            }
          } catch (...) {
            // E.g. a COMMIT refused by a deferred constraint leaves the transaction open.
            rollback(connection);
            throw;
          }
        }
      });
    } catch (...) {
      for (const auto& unit : batch) {
        unit->reset();
        unit->error = std::current_exception();
      }
    }
  }

  // One transaction for the batch. A single unit needs no savepoint: its refusal rolls the
  // transaction back.
  void runOnce(Connection& connection, const std::vector<std::shared_ptr<Pending>>& batch) {
    for (const auto& unit : batch) {
      unit->reset();
    }
    const bool alone = batch.size() == 1;
    // The batch's own statements not sent yet.
    std::vector<std::string> next = options_.begin;
    const auto joined = [&] {
      std::string sql;
      for (const auto& statement : next) {
        sql += sql.empty() ? statement : "; " + statement;
      }
      return sql;
    };
    // Runs `next` now, or defers it to the connection's next statement.
    auto send = [&] {
      if (next.empty()) {
        return;
      }
      if (!options_.defer) {
        execute_(connection, joined());
      } else {
        for (auto& statement : next) {
          options_.defer(connection, std::move(statement));
        }
      }
      next.clear();
    };
    if (options_.lock) {
      std::vector<int64_t> rows;
      for (const auto& unit : batch) {
        rows.insert(rows.end(), unit->locks.begin(), unit->locks.end());
      }
      std::sort(rows.begin(), rows.end());
      rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
      send();
      options_.lock(connection, rows);
    }
    bool any_kept = false;
    for (const auto& unit : batch) {
      if (!alone) {
        next.push_back("SAVEPOINT unit");
      }
      send();
      WriteUnit outcome;
      try {
        unit->execute(connection, outcome);
      } catch (const TransientConflict&) {
        throw;  // the database abandoned the whole transaction
      } catch (...) {
        unit->error = std::current_exception();
      }
      const bool keep = outcome.kept() && !unit->error;
      any_kept = any_kept || keep;
      if (options_.unit_done) {
        options_.unit_done(connection, keep);
      }
      if (alone) {
        next.clear();
      } else if (keep) {
        next = {"RELEASE SAVEPOINT unit"};
      } else {
        next = {"ROLLBACK TO SAVEPOINT unit", "RELEASE SAVEPOINT unit"};
      }
    }
    if (any_kept && options_.commit) {
      send();
      options_.commit(connection);
      return;
    }
    next.push_back(any_kept ? "COMMIT" : "ROLLBACK");
    execute_(connection, joined());
  }

  void rollback(Connection& connection) {
    if (options_.drop) {
      options_.drop(connection);
    }
    try {
      execute_(connection, "ROLLBACK");
    } catch (const DatabaseError&) {
      // Already rolled back by the database, or the connection is gone: nothing was kept.
    }
  }

  Options options_;
  WithConnection with_;
  Execute execute_;
  std::deque<Lane> lanes_;
};

}  // namespace tickets
