#include "storage/sqlite/sqlite_queues.h"

#include <cmath>

namespace tickets {
namespace {

using sqlite::Connection;
using sqlite::Query;

constexpr const char* kColumns =
    "event_id, enabled, admit_per_minute, pow_difficulty, watermark_bucket, watermark_ppb, "
    "advanced_at_ms, carry_ppb, admitted_milli";

int64_t ppb(double fraction) { return std::llround(fraction * 1e9); }

QueueState readState(const Query& q) {
  QueueState state;
  state.event = q.getInt(0);
  state.settings = QueueSettings{q.getInt(1) != 0, q.getInt(2), static_cast<int>(q.getInt(3))};
  state.watermark = QueuePlace{q.getInt(4), static_cast<double>(q.getInt(5)) / 1e9};
  state.advanced_at = QueueTime(std::chrono::milliseconds(q.getInt(6)));
  state.carry = static_cast<double>(q.getInt(7)) / 1e9;
  state.admitted = static_cast<double>(q.getInt(8)) / 1e3;
  return state;
}

std::optional<QueueState> loadState(Connection& conn, EventId event) {
  Query q(
      conn.prepare(std::string("SELECT ") + kColumns + " FROM event_queues WHERE event_id = ?1"));
  q.bind(1, event);
  if (!q.step()) {
    return std::nullopt;
  }
  return readState(q);
}

QueueRepository::Arrivals loadArrivals(Connection& conn, EventId event, int64_t from) {
  Query q(conn.prepare(
      "SELECT bucket, sum(arrivals) FROM queue_arrivals WHERE event_id = ?1 AND bucket >= ?2 "
      "GROUP BY bucket ORDER BY bucket"));
  q.bind(1, event).bind(2, from);
  QueueRepository::Arrivals arrivals;
  while (q.step()) {
    arrivals[q.getInt(0)] = q.getInt(1);
  }
  return arrivals;
}

}  // namespace

std::optional<QueueState> SqliteQueues::queue(EventId event) {
  auto conn = acquire_();
  return loadState(*conn, event);
}

std::vector<QueueState> SqliteQueues::enabledQueues() {
  auto conn = acquire_();
  Query q(conn->prepare(std::string("SELECT ") + kColumns +
                        " FROM event_queues WHERE enabled = 1 ORDER BY event_id"));
  std::vector<QueueState> queues;
  while (q.step()) {
    queues.push_back(readState(q));
  }
  return queues;
}

QueueState SqliteQueues::configure(EventId event, const QueueSettings& settings, QueueTime now) {
  return writer_.run<QueueState>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    {
      // A queue keeps its watermark when its settings change; the time since it last moved
      // is not owed to the new settings.
      Query q(conn.prepare(
          "INSERT INTO event_queues (event_id, enabled, admit_per_minute, pow_difficulty, "
          "watermark_bucket, watermark_ppb, advanced_at_ms, carry_ppb, admitted_milli) "
          "VALUES (?1, ?2, ?3, ?4, 0, 0, ?5, 0, 0) ON CONFLICT (event_id) DO UPDATE SET "
          "enabled = excluded.enabled, admit_per_minute = excluded.admit_per_minute, "
          "pow_difficulty = excluded.pow_difficulty, advanced_at_ms = excluded.advanced_at_ms, "
          "carry_ppb = 0"));
      q.bind(1, event)
          .bind(2, int64_t{settings.enabled ? 1 : 0})
          .bind(3, settings.admit_per_minute)
          .bind(4, int64_t{settings.pow_difficulty})
          .bind(5, now.time_since_epoch().count());
      q.run();
    }
    auto state = loadState(conn, event);
    tx.commit();
    return *state;
  });
}

void SqliteQueues::recordArrivals(const std::string& replica, EventId event,
                                  const Arrivals& counts) {
  writer_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    for (const auto& [bucket, count] : counts) {
      Query q(
          conn.prepare("INSERT INTO queue_arrivals (event_id, bucket, replica, arrivals) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (event_id, bucket, replica) "
                       "DO UPDATE SET arrivals = excluded.arrivals"));
      q.bind(1, event).bind(2, bucket).bind(3, replica).bind(4, count);
      q.run();
    }
    tx.commit();
    return true;
  });
}

QueueRepository::Arrivals SqliteQueues::arrivals(EventId event, int64_t from) {
  auto conn = acquire_();
  return loadArrivals(*conn, event, from);
}

void SqliteQueues::heartbeat(const std::string& replica, QueueTime counted) {
  writer_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    Query q(
        conn.prepare("INSERT INTO queue_replicas (replica, counted_ms) VALUES (?1, ?2) "
                     "ON CONFLICT (replica) DO UPDATE SET counted_ms = excluded.counted_ms"));
    q.bind(1, replica).bind(2, counted.time_since_epoch().count());
    q.run();
    tx.commit();
    return true;
  });
}

bool SqliteQueues::advance(EventId event, QueueTime now, const Decide& decide) {
  return writer_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    // The writer is the only one: what it reads stays true until it commits.
    auto state = loadState(conn, event);
    if (!state) {
      return false;
    }
    QueueTime counted = now;
    {
      Query q(conn.prepare(
          "SELECT min(counted_ms) FROM queue_replicas WHERE counted_ms >= ?1 - 10000"));
      q.bind(1, now.time_since_epoch().count());
      if (q.step() && !q.isNull(0)) {
        counted = QueueTime(std::chrono::milliseconds(q.getInt(0)));
      }
    }
    auto next = decide(*state, loadArrivals(conn, event, state->watermark.bucket), counted);
    if (!next) {
      return true;
    }
    {
      Query q(conn.prepare(
          "UPDATE event_queues SET watermark_bucket = ?2, watermark_ppb = ?3, "
          "advanced_at_ms = ?4, carry_ppb = ?5, admitted_milli = ?6 WHERE event_id = ?1"));
      q.bind(1, event)
          .bind(2, next->watermark.bucket)
          .bind(3, ppb(next->watermark.fraction))
          .bind(4, next->advanced_at.time_since_epoch().count())
          .bind(5, ppb(next->carry))
          .bind(6, std::llround(next->admitted * 1e3));
      q.run();
    }
    if (state->watermark < next->watermark) {
      Query q(conn.prepare(
          "INSERT OR IGNORE INTO queue_advances (event_id, watermark_bucket, watermark_ppb, at_ms) "
          "VALUES (?1, ?2, ?3, ?4)"));
      q.bind(1, event)
          .bind(2, next->watermark.bucket)
          .bind(3, ppb(next->watermark.fraction))
          .bind(4, now.time_since_epoch().count());
      q.run();
    }
    tx.commit();
    return true;
  });
}

std::optional<QueueTime> SqliteQueues::admittedAt(EventId event, QueuePlace place) {
  auto conn = acquire_();
  Query q(conn->prepare(
      "SELECT at_ms FROM queue_advances WHERE event_id = ?1 AND (watermark_bucket > ?2 OR "
      "(watermark_bucket = ?2 AND watermark_ppb > ?3)) "
      "ORDER BY watermark_bucket, watermark_ppb LIMIT 1"));
  q.bind(1, event).bind(2, place.bucket).bind(3, ppb(place.fraction));
  if (!q.step()) {
    return std::nullopt;
  }
  return QueueTime(std::chrono::milliseconds(q.getInt(0)));
}

std::vector<std::pair<QueuePlace, QueueTime>> SqliteQueues::advances(EventId event,
                                                                     QueuePlace after) {
  auto conn = acquire_();
  Query q(conn->prepare(
      "SELECT watermark_bucket, watermark_ppb, at_ms FROM queue_advances WHERE event_id = ?1 "
      "AND (watermark_bucket > ?2 OR (watermark_bucket = ?2 AND watermark_ppb > ?3)) "
      "ORDER BY watermark_bucket, watermark_ppb"));
  q.bind(1, event).bind(2, after.bucket).bind(3, ppb(after.fraction));
  std::vector<std::pair<QueuePlace, QueueTime>> log;
  while (q.step()) {
    log.emplace_back(QueuePlace{q.getInt(0), static_cast<double>(q.getInt(1)) / 1e9},
                     QueueTime(std::chrono::milliseconds(q.getInt(2))));
  }
  return log;
}

std::string SqliteQueues::secret(const std::string& name,
                                 const std::function<std::string()>& generate) {
  return writer_.run<std::string>(0, {}, [&](Connection& conn, WriteUnit& tx) {
    {
      Query q(conn.prepare("SELECT value FROM service_secrets WHERE name = ?1"));
      q.bind(1, name);
      if (q.step()) {
        return q.getText(0);
      }
    }
    std::string value = generate();
    Query q(conn.prepare("INSERT INTO service_secrets (name, value) VALUES (?1, ?2)"));
    q.bind(1, name).bind(2, value);
    q.run();
    tx.commit();
    return value;
  });
}

}  // namespace tickets
