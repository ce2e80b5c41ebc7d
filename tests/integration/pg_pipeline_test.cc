// Statements deferred to the next one's round trip on PostgreSQL (libpq's pipeline mode), alone
// and as group commit sends a batch's BEGIN and savepoints with them: results, failures and what
// the connection can still do after each.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/database_errors.h"
#include "storage/group_commit.h"
#include "storage/postgres/pg_connection.h"
#include "support/postgres.h"

namespace tickets::test {
namespace {

using pg::Connection;
using pg::param;

class PgPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = sharedPostgresUrl();
    ASSERT_FALSE(cluster.empty()) << "no PostgreSQL cluster: run through ctest";
    db = std::make_unique<ScratchDatabase>(cluster);
    conn = std::make_unique<Connection>(db->url(), Connection::Options{});
    conn->execute(
        "CREATE TABLE stock (id bigint PRIMARY KEY, taken int NOT NULL "
        "CHECK (taken BETWEEN 0 AND 3)); INSERT INTO stock VALUES (1, 0)");
  }

  int64_t scalar(const std::string& sql) {
    auto r = conn->execute(sql);
    return r.integer(0, 0);
  }

  // The statement a unit of work runs: takes `n` of the stock, breaking its CHECK past 3.
  pg::Result take(Connection& c, int64_t n) {
    return c.execute("take", "UPDATE stock SET taken = taken + $1 WHERE id = 1 RETURNING taken",
                     {param(n)});
  }

  std::unique_ptr<ScratchDatabase> db;
  std::unique_ptr<Connection> conn;
};

TEST_F(PgPipelineTest, DeferredStatementsRunBeforeTheNextAndItsResultIsReturned) {
  conn->defer("BEGIN");
  conn->defer("SAVEPOINT unit");
  auto r = take(*conn, 2);  // prepared in the same pipeline, the first time
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.integer(0, 0), 2);
  conn->execute("RELEASE SAVEPOINT unit; COMMIT");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 2);
  conn->defer("BEGIN");
  EXPECT_EQ(take(*conn, 1).integer(0, 0), 3);  // prepared before: executed only
  conn->execute("ROLLBACK");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 2);
  EXPECT_FALSE(conn->broken());
}

TEST_F(PgPipelineTest, TheStatementsFailureIsItsOwnAndTheSavepointStillHolds) {
  conn->execute("BEGIN");
  take(*conn, 1);
  conn->defer("SAVEPOINT unit");
  EXPECT_THROW(take(*conn, 5), ConstraintViolation);
  EXPECT_FALSE(conn->broken());
  conn->execute("ROLLBACK TO SAVEPOINT unit; RELEASE SAVEPOINT unit; COMMIT");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 1);  // the first take, not the failed one
}

TEST_F(PgPipelineTest, AStatementPreparedInAPipelineThatFailedStaysUsable) {
  conn->execute("BEGIN");
  conn->defer("SAVEPOINT unit");
  EXPECT_THROW(take(*conn, 5), ConstraintViolation);  // prepared, then executed: it fails
  conn->execute("ROLLBACK TO SAVEPOINT unit");
  conn->defer("SAVEPOINT unit");
  EXPECT_EQ(take(*conn, 1).integer(0, 0), 1);  // executed, not prepared a second time
  conn->execute("RELEASE SAVEPOINT unit; COMMIT");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 1);
}

TEST_F(PgPipelineTest, AFailedDeferredStatementFailsTheNextWhichDoesNotRun) {
  conn->execute("BEGIN");
  conn->defer("RELEASE SAVEPOINT none_such");
  EXPECT_THROW(take(*conn, 1), DatabaseError);
  EXPECT_FALSE(conn->broken());
  conn->execute("ROLLBACK");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 0);
  // Plain SQL carries deferred statements too, in one string.
  conn->defer("UPDATE stock SET taken = 3");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 3);
}

TEST_F(PgPipelineTest, DroppedStatementsAreNeverSent) {
  conn->defer("UPDATE stock SET taken = 3");
  conn->dropDeferred();
  EXPECT_EQ(take(*conn, 1).integer(0, 0), 1);
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 1);
}

TEST_F(PgPipelineTest, AFollowingCommitTravelsWithTheStatementWhichAnswers) {
  conn->defer("BEGIN");
  conn->follow("COMMIT");
  auto r = take(*conn, 2);
  ASSERT_EQ(r.rows(), 1);
  EXPECT_EQ(r.integer(0, 0), 2);  // the statement's rows, not the COMMIT's
  // Committed: another connection sees it.
  Connection other(db->url(), Connection::Options{});
  EXPECT_EQ(other.execute("SELECT taken FROM stock").integer(0, 0), 2);
  // And no transaction is left open here: a statement is its own.
  EXPECT_EQ(scalar("SELECT (now() = statement_timestamp())::int"), 1);
  EXPECT_FALSE(conn->broken());
}

TEST_F(PgPipelineTest, AFailedStatementKeepsTheFollowingCommitFromRunning) {
  conn->defer("BEGIN");
  conn->execute("UPDATE stock SET taken = 1");
  conn->follow("COMMIT");
  EXPECT_THROW(take(*conn, 5), ConstraintViolation);
  EXPECT_FALSE(conn->broken());
  // The transaction is still open, failed: nothing of it was committed.
  EXPECT_THROW(conn->execute("SELECT 1"), DatabaseError);
  conn->execute("ROLLBACK");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 0);
  // Forgotten, a following statement is never sent.
  conn->execute("BEGIN");
  conn->follow("COMMIT");
  conn->dropDeferred();
  take(*conn, 1);
  conn->execute("ROLLBACK");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 0);
}

// A batch on PostgreSQL with its BEGIN and savepoints deferred: a unit that breaks a constraint
// and one that refuses after a change are rolled back alone; the others are kept.
TEST_F(PgPipelineTest, ABatchKeepsWhatItShouldWhenItsStatementsTravelTogether) {
  GroupCommit<Connection> batch(
      {.lanes = 1,
       .begin = {"BEGIN", "SET LOCAL plan_cache_mode = force_generic_plan"},
       .lock = [](Connection& c,
                  const std::vector<int64_t>&) { c.execute("lock", "SELECT 1", {}); },
       .on_batch = [](size_t) {},
       .defer = [](Connection& c, std::string sql) { c.defer(std::move(sql)); },
       .drop = [](Connection& c) { c.dropDeferred(); }},
      [this](const std::function<void(Connection&)>& work) { work(*conn); },
      [](Connection& c, const std::string& sql) { c.execute(sql); });
  auto unit = [&](int64_t n, bool keep) {
    return batch.run<std::string>(0, {1}, [&, n, keep](Connection& c, WriteUnit& w) {
      auto taken = take(c, n).integer(0, 0);
      if (keep) {
        w.commit();
      }
      return std::to_string(taken);
    });
  };
  // The first unit holds the lane until the other three have queued behind it.
  std::promise<void> open;
  std::shared_future<void> gate = open.get_future().share();
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    batch.run<int>(0, {}, [&](Connection&, WriteUnit&) {
      holding = true;
      gate.wait();
      return 0;
    });
  });
  while (!holding) {
    std::this_thread::yield();
  }
  std::vector<std::string> answers(3);
  std::vector<std::thread> callers;
  const std::vector<std::pair<int64_t, bool>> units{{1, true}, {5, true}, {1, false}};
  for (size_t i = 0; i < units.size(); ++i) {
    callers.emplace_back([&, i] {
      try {
        answers[i] = unit(units[i].first, units[i].second);
      } catch (const ConstraintViolation&) {
        answers[i] = "violation";
      }
    });
    while (batch.queued(0) != i + 1) {
      std::this_thread::yield();
    }
  }
  // And a fourth, queued last: it sees only what the kept units did.
  std::string last;
  callers.emplace_back([&] { last = unit(2, true); });
  while (batch.queued(0) != units.size() + 1) {
    std::this_thread::yield();
  }
  open.set_value();
  holder.join();
  for (auto& t : callers) {
    t.join();
  }
  EXPECT_EQ(answers, (std::vector<std::string>{"1", "violation", "2"}));
  EXPECT_EQ(last, "3");
  EXPECT_EQ(scalar("SELECT taken FROM stock"), 3);
  EXPECT_FALSE(conn->broken());
}

}  // namespace
}  // namespace tickets::test
