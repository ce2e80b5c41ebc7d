// The outbox on PostgreSQL. Replicas share it: a claim takes due messages with FOR UPDATE SKIP
// LOCKED and leases them (next_attempt_at moves past the lease), so two replicas never deliver
// the same message at once, and one that dies mid-delivery leaves it due again after the lease.
#include "storage/postgres/pg_database.h"
#include "storage/sql_values.h"

namespace tickets {
namespace {

using pg::param;
using sql::fromUnix;
using sql::optionalTime;
using sql::unixSeconds;

#define TICKETS_OUTBOX_COLUMNS                                                       \
  "id, kind, aggregate, payload, extract(epoch FROM created_at)::bigint, attempts, " \
  "extract(epoch FROM next_attempt_at)::bigint, last_error, "                        \
  "extract(epoch FROM delivered_at)::bigint, extract(epoch FROM dead_at)::bigint"

OutboxMessage messageOf(const pg::Result& r, int row) {
  OutboxMessage m;
  m.id = r.integer(row, 0);
  m.kind = r.text(row, 1);
  m.aggregate = r.text(row, 2);
  m.payload = r.text(row, 3);
  m.created_at = fromUnix(r.integer(row, 4));
  m.attempts = static_cast<int>(r.integer(row, 5));
  m.next_attempt_at = fromUnix(r.integer(row, 6));
  m.last_error = r.isNull(row, 7) ? "" : std::string(r.text(row, 7));
  m.delivered_at = optionalTime(r.optionalInteger(row, 8));
  m.dead_at = optionalTime(r.optionalInteger(row, 9));
  return m;
}

}  // namespace

class PostgresDatabase::Outbox final : public OutboxRepository {
 public:
  explicit Outbox(PostgresDatabase& db) : db_(db) {}

  std::vector<OutboxMessage> claimDue(SystemTime now, std::chrono::seconds lease,
                                      int64_t limit) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto r =
          conn.execute("outbox_claim",
                       "UPDATE outbox o SET attempts = o.attempts + 1, "
                       "next_attempt_at = to_timestamp($2::bigint) FROM (SELECT id FROM outbox "
                       "WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= "
                       "to_timestamp($1::bigint) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) due "
                       "WHERE o.id = due.id RETURNING o." TICKETS_OUTBOX_COLUMNS,
                       {param(unixSeconds(now)), param(unixSeconds(now + lease)), param(limit)});
      tx.commit();
      std::vector<OutboxMessage> due;
      for (int row = 0; row < r.rows(); ++row) {
        due.push_back(messageOf(r, row));
      }
      std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
      return due;
    });
  }

  void markDelivered(int64_t id, SystemTime now) override {
    db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      conn.execute("outbox_delivered",
                   "UPDATE outbox SET delivered_at = to_timestamp($2::bigint), last_error = NULL "
                   "WHERE id = $1",
                   {param(id), param(unixSeconds(now))});
      tx.commit();
      return true;
    });
  }

  void markFailed(int64_t id, SystemTime now, SystemTime retry_at, const std::string& error,
                  bool dead) override {
    db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      conn.execute("outbox_failed",
                   "UPDATE outbox SET next_attempt_at = to_timestamp($2::bigint), "
                   "last_error = $3, dead_at = to_timestamp($4::bigint) WHERE id = $1",
                   {param(id), param(unixSeconds(retry_at)), param(error.substr(0, 1000)),
                    dead ? param(unixSeconds(now)) : pg::Param{}});
      tx.commit();
      return true;
    });
  }

  OutboxStats stats() override {
    return db_.read([&](pg::Connection& conn) {
      auto r = conn.execute(
          "outbox_stats",
          "SELECT count(*) FILTER (WHERE dead_at IS NULL), "
          "extract(epoch FROM min(created_at) FILTER (WHERE dead_at IS NULL))::bigint, "
          "count(*) FILTER (WHERE dead_at IS NOT NULL) FROM outbox WHERE delivered_at IS NULL",
          {});
      return OutboxStats{r.integer(0, 0), optionalTime(r.optionalInteger(0, 1)), r.integer(0, 2)};
    });
  }

  std::vector<OutboxMessage> list(OutboxState state, int64_t limit) override {
    return db_.read([&](pg::Connection& conn) {
      const char* name = state == OutboxState::kDead        ? "outbox_list_dead"
                         : state == OutboxState::kDelivered ? "outbox_list_delivered"
                                                            : "outbox_list_pending";
      const char* where = state == OutboxState::kDead ? "dead_at IS NOT NULL"
                          : state == OutboxState::kDelivered
                              ? "delivered_at IS NOT NULL"
                              : "delivered_at IS NULL AND dead_at IS NULL";
      auto r = conn.execute(name,
                            std::string("SELECT " TICKETS_OUTBOX_COLUMNS " FROM outbox WHERE ") +
                                where + " ORDER BY id DESC LIMIT $1",
                            {param(limit)});
      std::vector<OutboxMessage> messages;
      for (int row = 0; row < r.rows(); ++row) {
        messages.push_back(messageOf(r, row));
      }
      return messages;
    });
  }

  bool retry(int64_t id, SystemTime now) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto r = conn.execute("outbox_retry",
                            "UPDATE outbox SET dead_at = NULL, attempts = 0, "
                            "next_attempt_at = to_timestamp($2::bigint) WHERE id = $1 "
                            "AND dead_at IS NOT NULL AND delivered_at IS NULL",
                            {param(id), param(unixSeconds(now))});
      tx.commit();
      return r.affectedRows() == 1;
    });
  }

 private:
  PostgresDatabase& db_;
};

std::unique_ptr<OutboxRepository> PostgresDatabase::makeOutbox(PostgresDatabase& db) {
  return std::make_unique<Outbox>(db);
}

}  // namespace tickets
