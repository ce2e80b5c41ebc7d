// Group commit on a real SQLite database: batches formed on purpose (a first unit holds the
// lane while the others queue in a known order) must give every unit the outcome it would have
// had alone, in arrival order, as a sequential model of the same arrivals says; a unit that
// fails or refuses changes nothing; a batch whose commit fails keeps nothing and tells everyone.
#include "storage/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_connection.h"
#include "support/temp_dir.h"

namespace tickets {
namespace {

using sqlite::Connection;
using sqlite::Query;

constexpr int64_t kCapacity = 20;

class Sizes {
 public:
  void onBatch(size_t units) {
    std::lock_guard lock(mutex_);
    sizes_.push_back(units);
  }
  std::vector<size_t> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(sizes_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<size_t> sizes_;
};

// A one-shot gate a unit of work waits at.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    open_cv_.wait(lock, [&] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    open_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable open_cv_;
  bool open_ = false;
};

enum class Kind { kTake, kRelease, kExpire, kInvalid };

struct Op {
  Kind kind;
  int64_t hold;
  int64_t quantity;
};

// What the sequential model (and the database) answers for one operation.
std::string apply(std::map<int64_t, std::pair<int64_t, std::string>>& holds, int64_t& taken,
                  const Op& op) {
  switch (op.kind) {
    case Kind::kTake:
      if (holds.count(op.hold) != 0) {
        return "error";  // the unique key refuses a second hold with this id
      }
      if (taken + op.quantity > kCapacity) {
        return "sold out";
      }
      taken += op.quantity;
      holds[op.hold] = {op.quantity, "active"};
      return "held";
    case Kind::kRelease:
    case Kind::kExpire: {
      auto it = holds.find(op.hold);
      if (it == holds.end() || it->second.second != "active") {
        return "gone";
      }
      it->second.second = op.kind == Kind::kRelease ? "released" : "expired";
      taken -= it->second.first;
      return op.kind == Kind::kRelease ? "released" : "expired";
    }
    case Kind::kInvalid:
      return "error";
  }
  return "?";
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    connection = std::make_unique<Connection>(dir.path() + "/batch.db", Connection::Options{});
    connection->execute(
        "PRAGMA foreign_keys = ON;"
        "CREATE TABLE stock (id INTEGER PRIMARY KEY, taken INTEGER NOT NULL "
        "  CHECK (taken BETWEEN 0 AND 20));"
        "INSERT INTO stock VALUES (1, 0);"
        "CREATE TABLE holds (id INTEGER PRIMARY KEY, quantity INTEGER NOT NULL, "
        "  status TEXT NOT NULL);"
        "CREATE TABLE parents (id INTEGER PRIMARY KEY);"
        "CREATE TABLE children (id INTEGER PRIMARY KEY, parent INTEGER "
        "  REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED);");
    batch = std::make_unique<GroupCommit<Connection>>(
        GroupCommit<Connection>::Options{.lanes = 1,
                                         .begin = {"BEGIN IMMEDIATE"},
                                         .lock = nullptr,
                                         .on_batch = [this](size_t n) { sizes.onBatch(n); }},
        [this](const std::function<void(Connection&)>& work) { work(*connection); },
        [](Connection& c, const std::string& sql) { c.execute(sql); });
  }

  // The unit of work for an operation, as a repository would write it: changes first, then
  // the decision; a refusal returns without commit().
  std::string run(const Op& op) {
    return batch->run<std::string>(0, {}, [op](Connection& c, WriteUnit& unit) -> std::string {
      switch (op.kind) {
        case Kind::kTake: {
          Query insert(c.prepare("INSERT INTO holds VALUES (?1, ?2, 'active')"));
          insert.bind(1, op.hold).bind(2, op.quantity);
          insert.run();
          Query take(c.prepare("UPDATE stock SET taken = taken + ?1 WHERE taken + ?1 <= 20"));
          take.bind(1, op.quantity);
          take.run();
          if (c.changes() == 0) {
            return "sold out";  // the inserted hold must not survive
          }
          unit.commit();
          return "held";
        }
        case Kind::kRelease:
        case Kind::kExpire: {
          Query end(c.prepare("UPDATE holds SET status = ?2 WHERE id = ?1 AND status = 'active'"));
          end.bind(1, op.hold).bind(2, op.kind == Kind::kRelease ? "released" : "expired");
          end.run();
          if (c.changes() == 0) {
            return "gone";
          }
          Query give(c.prepare(
              "UPDATE stock SET taken = taken - (SELECT quantity FROM holds WHERE id = ?1)"));
          give.bind(1, op.hold);
          give.run();
          unit.commit();
          return op.kind == Kind::kRelease ? "released" : "expired";
        }
        case Kind::kInvalid: {
          // Changes something, then breaks a constraint: throws.
          Query insert(c.prepare("INSERT INTO holds VALUES (?1, 1, 'active')"));
          insert.bind(1, op.hold);
          insert.run();
          c.execute("UPDATE stock SET taken = -1");
          unit.commit();
          return "unreachable";
        }
      }
      return "?";
    });
  }

  std::string runCatching(const Op& op) {
    try {
      return run(op);
    } catch (const DatabaseError&) {
      return "error";
    }
  }

  // Runs `calls` as one batch, in their order: a unit waiting at a gate holds the lane while
  // each call is started and has queued behind it; then the gate opens.
  void runAsOneBatch(const std::vector<std::function<void()>>& calls) {
    Gate gate;
    std::atomic<bool> gate_running{false};
    std::thread holder([&] {
      batch->run<int>(0, {}, [&](Connection&, WriteUnit&) {
        gate_running = true;
        gate.wait();
        return 0;
      });
    });
    while (!gate_running) {
      std::this_thread::yield();
    }
    std::vector<std::thread> callers;
    for (size_t i = 0; i < calls.size(); ++i) {
      callers.emplace_back(calls[i]);
      while (batch->queued(0) != i + 1) {
        std::this_thread::yield();
      }
    }
    gate.open();
    holder.join();
    for (auto& t : callers) {
      t.join();
    }
  }

  std::vector<std::string> runAsOneBatch(const std::vector<Op>& ops) {
    std::vector<std::string> answers(ops.size());
    std::vector<std::function<void()>> calls;
    for (size_t i = 0; i < ops.size(); ++i) {
      calls.push_back([&, i] { answers[i] = runCatching(ops[i]); });
    }
    runAsOneBatch(calls);
    return answers;
  }

  int64_t scalar(const std::string& sql) {
    Query q(connection->prepare(sql));
    EXPECT_TRUE(q.step());
    return q.getInt(0);
  }

  test::TempDir dir;
  std::unique_ptr<Connection> connection;
  Sizes sizes;
  std::unique_ptr<GroupCommit<Connection>> batch;
};

TEST_F(GroupCommitTest, BatchesGiveTheOutcomesOfTheSequentialModelInArrivalOrder) {
  std::mt19937 random(20261129);
  std::map<int64_t, std::pair<int64_t, std::string>> model;
  int64_t taken = 0;
  int64_t next_hold = 1;
  int refusals = 0;
  for (int round = 0; round < 25; ++round) {
    std::vector<Op> ops;
    for (int i = 0; i < 12; ++i) {
      const auto pick = random() % 10;
      const int64_t known =
          next_hold > 1 ? 1 + static_cast<int64_t>(random() % (next_hold - 1)) : 1;
      if (pick < 5) {
        // Sometimes a hold id already taken: the unique key refuses it (an error, not a crash).
        int64_t id = random() % 8 == 0 ? known : next_hold++;
        ops.push_back({Kind::kTake, id, 1 + static_cast<int64_t>(random() % 4)});
      } else if (pick < 7) {
        ops.push_back({Kind::kRelease, known, 0});
      } else if (pick < 9) {
        ops.push_back({Kind::kExpire, known, 0});
      } else {
        ops.push_back({Kind::kInvalid, next_hold++, 0});
      }
    }
    auto answers = runAsOneBatch(ops);
    ASSERT_EQ(sizes.take(), (std::vector<size_t>{1, ops.size()})) << "round " << round;
    for (size_t i = 0; i < ops.size(); ++i) {
      std::string expected = apply(model, taken, ops[i]);
      refusals += expected == "sold out" ? 1 : 0;
      ASSERT_EQ(answers[i], expected) << "round " << round << ", unit " << i;
    }
    ASSERT_EQ(scalar("SELECT taken FROM stock"), taken) << "round " << round;
    ASSERT_EQ(scalar("SELECT count(*) FROM holds"), static_cast<int64_t>(model.size()));
    ASSERT_EQ(scalar("SELECT COALESCE(sum(quantity), 0) FROM holds WHERE status = 'active'"),
              taken);
  }
  EXPECT_GT(refusals, 0) << "the arrivals never ran out of stock: the test proves less";
}

TEST_F(GroupCommitTest, AnIdleLaneRunsAtOnceAndAloneWithoutSavepoints) {
  EXPECT_EQ(run({Kind::kTake, 1, 2}), "held");
  EXPECT_EQ(run({Kind::kTake, 2, 30}), "sold out");
  EXPECT_EQ(runCatching({Kind::kInvalid, 3, 0}), "error");
  EXPECT_EQ(sizes.take(), (std::vector<size_t>{1, 1, 1}));
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM holds"), 1);
}

TEST_F(GroupCommitTest, ABatchWhoseCommitFailsKeepsNothingAndTellsEveryone) {
  std::vector<std::string> answers(3);
  runAsOneBatch({
      [&] {
        answers[0] = runCatching({Kind::kTake, 1, 2});
      },
      [&] {
        try {
          batch->run<int>(0, {}, [](Connection& c, WriteUnit& unit) {
            c.execute("INSERT INTO children VALUES (1, 42)");  // no parent 42: COMMIT fails
            unit.commit();
            return 0;
          });
          answers[1] = "committed";
        } catch (const DatabaseError&) {
          answers[1] = "error";
        }
      },
      [&] {
        answers[2] = runCatching({Kind::kTake, 2, 3});
      },
  });
  EXPECT_EQ(answers, (std::vector<std::string>{"error", "error", "error"}));
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM holds"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM children"), 0);
  // The connection is usable again: the failed transaction was rolled back.
  EXPECT_EQ(run({Kind::kTake, 3, 1}), "held");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 1);
}

TEST_F(GroupCommitTest, ManyCallersAtOnceNeverLoseOrDoubleAnAnswer) {
  std::atomic<int64_t> held{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 16; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        if (run({Kind::kTake, t * 1000 + i + 1, 1}) == "held") {
          ++held;
          EXPECT_EQ(run({Kind::kRelease, t * 1000 + i + 1, 0}), "released");
        }
      }
    });
  }
  for (auto& t : callers) {
    t.join();
  }
  EXPECT_GT(held.load(), 0);
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM holds WHERE status = 'released'"), held.load());
  size_t units = 0;
  for (size_t n : sizes.take()) {
    units += n;
  }
  EXPECT_EQ(units, static_cast<size_t>(16 * 40) + static_cast<size_t>(held.load()));
}

}  // namespace
}  // namespace tickets

namespace tickets {
namespace {

TEST_F(GroupCommitTest, HooksSeeEveryUnitAndTheBatchsLastWordsCommitWithIt) {
  std::vector<bool> outcomes;
  std::vector<size_t> locks;
  int kept = 0;
  batch = std::make_unique<GroupCommit<Connection>>(
      GroupCommit<Connection>::Options{
          .lanes = 1,
          .begin = {"BEGIN IMMEDIATE"},
          .lock =
              [&](Connection&, const std::vector<int64_t>& rows) {
                locks.push_back(rows.size());
                kept = 0;
              },
          .unit_done =
              [&](Connection&, bool k) {
                outcomes.push_back(k);
                kept += k ? 1 : 0;
              },
          // Only if a unit was kept: written in the batch's transaction, after every unit.
          .commit =
              [&](Connection& c) {
                c.execute("INSERT INTO parents VALUES (" + std::to_string(100 + kept) +
                          "); COMMIT");
              },
          .on_batch = nullptr},
      [this](const std::function<void(Connection&)>& work) { work(*connection); },
      [](Connection& c, const std::string& sql) { c.execute(sql); });
  auto answers = runAsOneBatch(std::vector<Op>{
      {Kind::kTake, 1, 2}, {Kind::kTake, 2, 30}, {Kind::kInvalid, 3, 0}, {Kind::kTake, 4, 1}});
  EXPECT_EQ(answers, (std::vector<std::string>{"held", "sold out", "error", "held"}));
  // The gate's batch (one unit, not kept), then the four.
  EXPECT_EQ(outcomes, (std::vector<bool>{false, true, false, false, true}));
  EXPECT_EQ(locks, (std::vector<size_t>{0, 0}));
  EXPECT_EQ(scalar("SELECT count(*) FROM parents"), 1);
  EXPECT_EQ(scalar("SELECT id FROM parents"), 102);
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 3);

  // A batch that keeps nothing writes nothing.
  EXPECT_EQ(run({Kind::kTake, 5, 30}), "sold out");
  EXPECT_EQ(scalar("SELECT count(*) FROM parents"), 1);
}

}  // namespace
}  // namespace tickets
