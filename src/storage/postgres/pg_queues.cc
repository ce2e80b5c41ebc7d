// The waiting room's shared state on PostgreSQL. Replicas share it: each writes only its own
// arrival counts, and the watermark moves under the queue row's lock (SKIP LOCKED: a replica
// that finds another advancing leaves it to that one).
#include <cmath>

#include "storage/postgres/pg_database.h"

namespace tickets {
namespace {

using pg::param;

#define TICKETS_QUEUE_COLUMNS                                                              \
  "event_id, enabled, admit_per_minute, pow_difficulty, watermark_bucket, watermark_ppb, " \
  "advanced_at_ms, carry_ppb, admitted_milli"

int64_t ppb(double fraction) { return std::llround(fraction * 1e9); }

QueueState readState(const pg::Result& r, int row) {
  QueueState state;
  state.event = r.integer(row, 0);
  state.settings =
      QueueSettings{r.text(row, 1) == "t", r.integer(row, 2), static_cast<int>(r.integer(row, 3))};
  state.watermark = QueuePlace{r.integer(row, 4), static_cast<double>(r.integer(row, 5)) / 1e9};
  state.advanced_at = QueueTime(std::chrono::milliseconds(r.integer(row, 6)));
  state.carry = static_cast<double>(r.integer(row, 7)) / 1e9;
  state.admitted = static_cast<double>(r.integer(row, 8)) / 1e3;
  return state;
}

QueueRepository::Arrivals loadArrivals(pg::Connection& conn, EventId event, int64_t from) {
  auto r = conn.execute("queue_arrivals",
                        "SELECT bucket, sum(arrivals)::bigint FROM queue_arrivals "
                        "WHERE event_id = $1 AND bucket >= $2 GROUP BY bucket ORDER BY bucket",
                        {param(event), param(from)});
  QueueRepository::Arrivals arrivals;
  for (int row = 0; row < r.rows(); ++row) {
    arrivals[r.integer(row, 0)] = r.integer(row, 1);
  }
  return arrivals;
}

}  // namespace

class PostgresDatabase::Queues final : public QueueRepository {
 public:
  explicit Queues(PostgresDatabase& db) : db_(db) {}

  std::optional<QueueState> queue(EventId event) override {
    return db_.read([&](pg::Connection& conn) -> std::optional<QueueState> {
      auto r = conn.execute(
          "queue", "SELECT " TICKETS_QUEUE_COLUMNS " FROM event_queues WHERE event_id = $1",
          {param(event)});
      if (r.rows() == 0) {
        return std::nullopt;
      }
      return readState(r, 0);
    });
  }

  std::vector<QueueState> enabledQueues() override {
    return db_.read([&](pg::Connection& conn) {
      auto r = conn.execute(
          "enabled_queues",
          "SELECT " TICKETS_QUEUE_COLUMNS " FROM event_queues WHERE enabled ORDER BY event_id", {});
      std::vector<QueueState> queues;
      for (int row = 0; row < r.rows(); ++row) {
        queues.push_back(readState(r, row));
      }
      return queues;
    });
  }

  QueueState configure(EventId event, const QueueSettings& settings, QueueTime now) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto r = conn.execute(
          "configure_queue",
          "INSERT INTO event_queues (event_id, enabled, admit_per_minute, pow_difficulty, "
          "watermark_bucket, watermark_ppb, advanced_at_ms, carry_ppb, admitted_milli) "
          "VALUES ($1, $2::boolean, $3, $4, 0, 0, $5, 0, 0) ON CONFLICT (event_id) DO UPDATE SET "
          "enabled = excluded.enabled, admit_per_minute = excluded.admit_per_minute, "
          "pow_difficulty = excluded.pow_difficulty, advanced_at_ms = excluded.advanced_at_ms, "
          "carry_ppb = 0 RETURNING " TICKETS_QUEUE_COLUMNS,
          {param(event), param(settings.enabled ? "true" : "false"),
           param(settings.admit_per_minute), param(int64_t{settings.pow_difficulty}),
           param(now.time_since_epoch().count())});
      tx.commit();
      return readState(r, 0);
    });
  }

  void recordArrivals(const std::string& replica, EventId event, const Arrivals& counts) override {
    if (counts.empty()) {
      return;
    }
    std::string buckets = "{", arrivals = "{";
    for (const auto& [bucket, count] : counts) {
      buckets += (buckets.size() > 1 ? "," : "") + std::to_string(bucket);
      arrivals += (arrivals.size() > 1 ? "," : "") + std::to_string(count);
    }
    buckets += "}";
    arrivals += "}";
    db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      conn.execute("record_arrivals",
                   "INSERT INTO queue_arrivals (event_id, bucket, replica, arrivals) "
                   "SELECT $1, b, $2, a FROM unnest($3::bigint[], $4::bigint[]) AS c (b, a) "
                   "ON CONFLICT (event_id, bucket, replica) DO UPDATE "
                   "SET arrivals = excluded.arrivals",
                   {param(event), param(replica), param(buckets), param(arrivals)});
      tx.commit();
      return true;
    });
  }

  void heartbeat(const std::string& replica, QueueTime counted) override {
    db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      conn.execute("queue_heartbeat",
                   "INSERT INTO queue_replicas (replica, counted_ms) VALUES ($1, $2) "
                   "ON CONFLICT (replica) DO UPDATE SET counted_ms = excluded.counted_ms",
                   {param(replica), param(counted.time_since_epoch().count())});
      tx.commit();
      return true;
    });
  }

  Arrivals arrivals(EventId event, int64_t from) override {
    return db_.read([&](pg::Connection& conn) { return loadArrivals(conn, event, from); });
  }

  bool advance(EventId event, QueueTime now, const Decide& decide) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto r = conn.execute("lock_queue",
                            "SELECT " TICKETS_QUEUE_COLUMNS
                            " FROM event_queues WHERE event_id = $1 FOR UPDATE SKIP LOCKED",
                            {param(event)});
      if (r.rows() == 0) {
        return false;
      }
      const QueueState state = readState(r, 0);
      auto counted = conn.execute(
          "queue_counted_until",
          "SELECT min(counted_ms) FROM queue_replicas WHERE counted_ms >= $1::bigint - 10000",
          {param(now.time_since_epoch().count())});
      const QueueTime counted_until =
          counted.isNull(0, 0) ? now : QueueTime(std::chrono::milliseconds(counted.integer(0, 0)));
      auto next = decide(state, loadArrivals(conn, event, state.watermark.bucket), counted_until);
      if (!next) {
        return true;
      }
      conn.execute(
          "advance_queue",
          "UPDATE event_queues SET watermark_bucket = $2, watermark_ppb = $3, "
          "advanced_at_ms = $4, carry_ppb = $5, admitted_milli = $6 WHERE event_id = $1",
          {param(event), param(next->watermark.bucket), param(ppb(next->watermark.fraction)),
           param(next->advanced_at.time_since_epoch().count()), param(ppb(next->carry)),
           param(static_cast<int64_t>(std::llround(next->admitted * 1e3)))});
      if (state.watermark < next->watermark) {
        conn.execute("log_queue_advance",
                     "INSERT INTO queue_advances (event_id, watermark_bucket, watermark_ppb, "
                     "at_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                     {param(event), param(next->watermark.bucket),
                      param(ppb(next->watermark.fraction)), param(now.time_since_epoch().count())});
      }
      tx.commit();
      return true;
    });
  }

  std::optional<QueueTime> admittedAt(EventId event, QueuePlace place) override {
    return db_.read([&](pg::Connection& conn) -> std::optional<QueueTime> {
      auto r = conn.execute(
          "queue_admitted_at",
          "SELECT at_ms FROM queue_advances WHERE event_id = $1 AND (watermark_bucket > $2 OR "
          "(watermark_bucket = $2 AND watermark_ppb > $3)) "
          "ORDER BY watermark_bucket, watermark_ppb LIMIT 1",
          {param(event), param(place.bucket), param(ppb(place.fraction))});
      if (r.rows() == 0) {
        return std::nullopt;
      }
      return QueueTime(std::chrono::milliseconds(r.integer(0, 0)));
    });
  }

  std::vector<std::pair<QueuePlace, QueueTime>> advances(EventId event, QueuePlace after) override {
    return db_.read([&](pg::Connection& conn) {
      auto r = conn.execute(
          "queue_advances",
          "SELECT watermark_bucket, watermark_ppb, at_ms FROM queue_advances WHERE event_id = $1 "
          "AND (watermark_bucket > $2 OR (watermark_bucket = $2 AND watermark_ppb > $3)) "
          "ORDER BY watermark_bucket, watermark_ppb",
          {param(event), param(after.bucket), param(ppb(after.fraction))});
      std::vector<std::pair<QueuePlace, QueueTime>> log;
      for (int row = 0; row < r.rows(); ++row) {
        log.emplace_back(
            QueuePlace{r.integer(row, 0), static_cast<double>(r.integer(row, 1)) / 1e9},
            QueueTime(std::chrono::milliseconds(r.integer(row, 2))));
      }
      return log;
    });
  }

  std::string secret(const std::string& name,
                     const std::function<std::string()>& generate) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      // Two replicas starting together: the first insert wins, the other reads it.
      conn.execute("insert_secret",
                   "INSERT INTO service_secrets (name, value) VALUES ($1, $2) "
                   "ON CONFLICT (name) DO NOTHING",
                   {param(name), param(generate())});
      auto r = conn.execute("secret", "SELECT value FROM service_secrets WHERE name = $1",
                            {param(name)});
      tx.commit();
      return std::string(r.text(0, 0));
    });
  }

 private:
  PostgresDatabase& db_;
};

#undef TICKETS_QUEUE_COLUMNS

std::unique_ptr<QueueRepository> PostgresDatabase::makeQueues(PostgresDatabase& db) {
  return std::make_unique<Queues>(db);
}

}  // namespace tickets
