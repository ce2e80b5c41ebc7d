#include "storage/sqlite/sqlite_outbox.h"

#include "storage/sql_values.h"

namespace tickets {
namespace {

using sql::fromUnix;
using sql::optionalTime;
using sql::unixSeconds;
using sqlite::Connection;
using sqlite::Query;

constexpr const char* kColumns =
    "id, kind, aggregate, payload, created_at, attempts, next_attempt_at, last_error, "
    "delivered_at, dead_at";

OutboxMessage messageOf(Query& q) {
  OutboxMessage m;
  m.id = q.getInt(0);
  m.kind = q.getText(1);
  m.aggregate = q.getText(2);
  m.payload = q.getText(3);
  m.created_at = fromUnix(q.getInt(4));
  m.attempts = static_cast<int>(q.getInt(5));
  m.next_attempt_at = fromUnix(q.getInt(6));
  m.last_error = q.isNull(7) ? "" : q.getText(7);
  m.delivered_at = optionalTime(q.getOptionalInt(8));
  m.dead_at = optionalTime(q.getOptionalInt(9));
  return m;
}

}  // namespace

std::vector<OutboxMessage> SqliteOutbox::claimDue(SystemTime now, std::chrono::seconds lease,
                                                  int64_t limit) {
  return writer_.run<std::vector<OutboxMessage>>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    std::vector<OutboxMessage> due;
    {
      Query q(conn.prepare(std::string("SELECT ") + kColumns +
                           " FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL "
                           "AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2"));
      q.bind(1, unixSeconds(now)).bind(2, limit);
      while (q.step()) {
        due.push_back(messageOf(q));
      }
    }
    for (auto& m : due) {
      Query q(conn.prepare(
          "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2 WHERE id = ?1"));
      q.bind(1, m.id).bind(2, unixSeconds(now + lease));
      q.run();
      m.attempts += 1;
    }
    tx.commit();
    return due;
  });
}

void SqliteOutbox::markDelivered(int64_t id, SystemTime now) {
  writer_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    Query q(conn.prepare("UPDATE outbox SET delivered_at = ?2, last_error = NULL WHERE id = ?1"));
    q.bind(1, id).bind(2, unixSeconds(now));
    q.run();
    tx.commit();
    return true;
  });
}

void SqliteOutbox::markFailed(int64_t id, SystemTime now, SystemTime retry_at,
                              const std::string& error, bool dead) {
  writer_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    Query q(conn.prepare(
        "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3, dead_at = ?4 WHERE id = ?1"));
    q.bind(1, id).bind(2, unixSeconds(retry_at)).bind(3, error.substr(0, 1000));
    if (dead) {
      q.bind(4, unixSeconds(now));
    } else {
      q.bind(4, std::nullopt);
    }
    q.run();
    tx.commit();
    return true;
  });
}

OutboxStats SqliteOutbox::stats() {
  auto conn = acquire_();
  Query q(
      conn->prepare("SELECT count(*) FILTER (WHERE delivered_at IS NULL AND dead_at IS NULL), "
                    "min(created_at) FILTER (WHERE delivered_at IS NULL AND dead_at IS NULL), "
                    "count(*) FILTER (WHERE dead_at IS NOT NULL) FROM outbox "
                    "WHERE delivered_at IS NULL"));
  q.step();
  return OutboxStats{q.getInt(0), optionalTime(q.getOptionalInt(1)), q.getInt(2)};
}

std::vector<OutboxMessage> SqliteOutbox::list(OutboxState state, int64_t limit) {
  auto conn = acquire_();
  const char* where = state == OutboxState::kDead ? "dead_at IS NOT NULL"
                      : state == OutboxState::kDelivered
                          ? "delivered_at IS NOT NULL"
                          : "delivered_at IS NULL AND dead_at IS NULL";
  Query q(conn->prepare(std::string("SELECT ") + kColumns + " FROM outbox WHERE " + where +
                        " ORDER BY id DESC LIMIT ?1"));
  q.bind(1, limit);
  std::vector<OutboxMessage> messages;
  while (q.step()) {
    messages.push_back(messageOf(q));
  }
  return messages;
}

bool SqliteOutbox::retry(int64_t id, SystemTime now) {
  return writer_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    Query q(
        conn.prepare("UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ?2 "
                     "WHERE id = ?1 AND dead_at IS NOT NULL AND delivered_at IS NULL"));
    q.bind(1, id).bind(2, unixSeconds(now));
    q.run();
    const bool changed = conn.changes() == 1;
    tx.commit();
    return changed;
  });
}

}  // namespace tickets
