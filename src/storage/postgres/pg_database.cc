#include "storage/postgres/pg_database.h"

#include <thread>

#include "common/database_errors.h"
#include "storage/migrations/migrations.h"
#include "storage/sql_values.h"

namespace tickets {
namespace {

using sql::containsPattern;
using sql::fromUnix;
using sql::optionalTime;
using sql::optionalUnix;
using sql::unixSeconds;

using pg::param;

#define TICKETS_EVENT_COLUMNS                                                                  \
  "e.id, e.name, e.description, e.venue, extract(epoch FROM e.starts_at)::bigint, "            \
  "extract(epoch FROM e.ends_at)::bigint, e.timezone, e.status, "                              \
  "extract(epoch FROM e.sale_starts_at)::bigint, extract(epoch FROM e.sale_ends_at)::bigint, " \
  "e.max_tickets_per_order"

constexpr std::string_view kListEvents = "SELECT " TICKETS_EVENT_COLUMNS R"sql(,
  COALESCE((SELECT sum(greatest(t.capacity - t.sold - t.held, 0))
              FROM ticket_types t WHERE t.event_id = e.id), 0)::bigint,
  cheapest.price, cheapest.currency
FROM events e
LEFT JOIN LATERAL (
  SELECT t.price, t.currency FROM ticket_types t WHERE t.event_id = e.id
  ORDER BY t.price, t.id LIMIT 1) cheapest ON true
WHERE ($8::boolean OR e.status <> 'draft')
  AND ($1::text IS NULL OR e.status = $1::text)
  AND ($2::bigint IS NULL OR e.starts_at >= to_timestamp($2::bigint))
  AND ($3::bigint IS NULL OR e.starts_at < to_timestamp($3::bigint))
  AND ($4::text = '' OR e.name ILIKE $4::text ESCAPE '\' OR e.venue ILIKE $4::text ESCAPE '\')
  AND ($5::bigint IS NULL OR (e.starts_at, e.id) > (to_timestamp($5::bigint), $6::bigint))
ORDER BY e.starts_at, e.id
LIMIT $7::bigint)sql";

constexpr std::string_view kFindEvent =
    "SELECT " TICKETS_EVENT_COLUMNS " FROM events e WHERE e.id = $1::bigint";

constexpr std::string_view kTicketTypesOfEvent =
    "SELECT id, event_id, name, price, currency, capacity, sold, held FROM ticket_types "
    "WHERE event_id = $1::bigint ORDER BY price, id";

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (name, description, venue, starts_at, ends_at, timezone, status, "
    "sale_starts_at, sale_ends_at, max_tickets_per_order) VALUES ($1, $2, $3, "
    "to_timestamp($4::bigint), to_timestamp($5::bigint), $6, $7, to_timestamp($8::bigint), "
    "to_timestamp($9::bigint), $10::integer) RETURNING id";

constexpr std::string_view kInsertTicketType =
    "INSERT INTO ticket_types (event_id, name, price, currency, capacity) "
    "VALUES ($1::bigint, $2, $3::bigint, $4, $5::bigint)";

#undef TICKETS_EVENT_COLUMNS

Event readEvent(const pg::Result& r, int row) {
  Event e;
  e.id = r.integer(row, 0);
  e.name = std::string(r.text(row, 1));
  e.description = std::string(r.text(row, 2));
  e.venue = std::string(r.text(row, 3));
  e.starts_at = fromUnix(r.integer(row, 4));
  e.ends_at = fromUnix(r.integer(row, 5));
  e.timezone = std::string(r.text(row, 6));
  e.status = parseEventStatus(r.text(row, 7)).value_or(EventStatus::kDraft);
  e.sale_starts_at = optionalTime(r.optionalInteger(row, 8));
  e.sale_ends_at = optionalTime(r.optionalInteger(row, 9));
  e.max_tickets_per_order = static_cast<int>(r.integer(row, 10));
  return e;
}

// Serialises migrators of every replica starting at once.
constexpr int64_t kMigrationLock = 7'271'000'001;

}  // namespace

class PostgresDatabase::Catalogue final : public CatalogueRepository {
 public:
  explicit Catalogue(PostgresDatabase& db) : db_(db) {}

  std::vector<EventSummary> listEvents(const EventQuery& query) override {
    std::vector<pg::Param> params = {
        query.status ? param(toString(*query.status)) : std::nullopt,
        param(optionalUnix(query.from)),
        param(optionalUnix(query.to)),
        param(query.text.empty() ? std::string() : containsPattern(query.text)),
        query.after ? param(unixSeconds(query.after->starts_at)) : std::nullopt,
        query.after ? param(query.after->id) : std::nullopt,
        param(static_cast<int64_t>(query.limit) + 1),
        param(query.include_drafts ? "true" : "false"),
    };
    return db_.read([&](pg::Connection& conn) {
      auto r = conn.execute("list_events", kListEvents, params);
      std::vector<EventSummary> events;
      events.reserve(static_cast<size_t>(r.rows()));
      for (int row = 0; row < r.rows(); ++row) {
        EventSummary summary;
        summary.event = readEvent(r, row);
        summary.available_tickets = r.integer(row, 11);
        if (!r.isNull(row, 12)) {
          summary.price_from = Money{r.integer(row, 12), std::string(r.text(row, 13))};
        }
        events.push_back(std::move(summary));
      }
      return events;
    });
  }

  std::optional<EventDetail> findEvent(EventId id) override {
    return db_.read([&](pg::Connection& conn) -> std::optional<EventDetail> {
      auto events = conn.execute("find_event", kFindEvent, {param(id)});
      if (events.rows() == 0) {
        return std::nullopt;
      }
      EventDetail detail;
      detail.event = readEvent(events, 0);
      auto types = conn.execute("ticket_types_of_event", kTicketTypesOfEvent, {param(id)});
      for (int row = 0; row < types.rows(); ++row) {
        TicketType t;
        t.id = types.integer(row, 0);
        t.event_id = types.integer(row, 1);
        t.name = std::string(types.text(row, 2));
        t.price = Money{types.integer(row, 3), std::string(types.text(row, 4))};
        t.capacity = types.integer(row, 5);
        t.sold = types.integer(row, 6);
        t.held = types.integer(row, 7);
        detail.ticket_types.push_back(std::move(t));
      }
      return detail;
    });
  }

  EventId createEvent(const NewEvent& event) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto inserted = conn.execute(
          "insert_event", kInsertEvent,
          {param(event.name), param(event.description), param(event.venue),
           param(unixSeconds(event.starts_at)), param(unixSeconds(event.ends_at)),
           param(event.timezone), param(toString(event.status)),
           param(optionalUnix(event.sale_starts_at)), param(optionalUnix(event.sale_ends_at)),
           param(static_cast<int64_t>(event.max_tickets_per_order))});
      EventId id = inserted.integer(0, 0);
      for (const auto& type : event.ticket_types) {
        conn.execute("insert_ticket_type", kInsertTicketType,
                     {param(id), param(type.name), param(type.price.amount),
                      param(type.price.currency), param(type.capacity)});
      }
      tx.commit();
      return id;
    });
  }

  bool updateEvent(EventId id, const NewEvent& event) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto r = conn.execute(
          "update_event",
          "UPDATE events SET name = $2, description = $3, venue = $4, "
          "starts_at = to_timestamp($5::bigint), ends_at = to_timestamp($6::bigint), "
          "timezone = $7, status = $8, sale_starts_at = to_timestamp($9::bigint), "
          "sale_ends_at = to_timestamp($10::bigint), max_tickets_per_order = $11::integer, "
          "updated_at = now() WHERE id = $1::bigint RETURNING id",
          {param(id), param(event.name), param(event.description), param(event.venue),
           param(unixSeconds(event.starts_at)), param(unixSeconds(event.ends_at)),
           param(event.timezone), param(toString(event.status)),
           param(optionalUnix(event.sale_starts_at)), param(optionalUnix(event.sale_ends_at)),
           param(static_cast<int64_t>(event.max_tickets_per_order))});
      tx.commit();
      return r.rows() == 1;
    });
  }

  std::optional<TicketTypeId> addTicketType(EventId event, const NewTicketType& type) override {
    return db_.inTransaction(
        [&](pg::Connection& conn, pg::Transaction& tx) -> std::optional<TicketTypeId> {
          auto r = conn.execute(
              "add_ticket_type",
              "INSERT INTO ticket_types (event_id, name, price, currency, capacity) "
              "SELECT id, $2, $3::bigint, $4, $5::bigint FROM events WHERE id = $1::bigint "
              "RETURNING id",
              {param(event), param(type.name), param(type.price.amount), param(type.price.currency),
               param(type.capacity)});
          tx.commit();
          if (r.rows() == 0) {
            return std::nullopt;
          }
          return r.integer(0, 0);
        });
  }

  Result<TicketType> updateTicketType(TicketTypeId id, const TicketTypePatch& patch) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) -> Result<TicketType> {
      auto updated = conn.execute(
          "update_ticket_type",
          "UPDATE ticket_types SET name = COALESCE($2, name), "
          "price = COALESCE($3::bigint, price), capacity = COALESCE($4::bigint, capacity) "
          "WHERE id = $1::bigint AND ($4::bigint IS NULL OR sold + held <= $4::bigint) "
          "RETURNING id",
          {param(id), patch.name ? param(*patch.name) : std::nullopt, param(patch.price),
           param(patch.capacity)});
      auto r = conn.execute("ticket_type",
                            "SELECT id, event_id, name, price, currency, capacity, sold, held "
                            "FROM ticket_types WHERE id = $1::bigint",
                            {param(id)});
      if (r.rows() == 0) {
        return notFound("no such ticket type");
      }
      TicketType t{r.integer(0, 0),
                   r.integer(0, 1),
                   std::string(r.text(0, 2)),
                   Money{r.integer(0, 3), std::string(r.text(0, 4))},
                   r.integer(0, 5),
                   r.integer(0, 6),
                   r.integer(0, 7)};
      if (updated.rows() == 0) {
        return capacityBelowCommitted(t);
      }
      tx.commit();
      return t;
    });
  }

  int64_t countEvents() override {
    return db_.read([](pg::Connection& conn) {
      return conn.execute("count_events", "SELECT count(*) FROM events", {}).integer(0, 0);
    });
  }

 private:
  PostgresDatabase& db_;
};

PostgresDatabase::PostgresDatabase(PostgresSettings settings, PoolObserver* observer)
    : settings_(std::move(settings)),
      observer_(observer),
      pool_(
          settings_.pool_size, settings_.pool_timeout,
          [this] {
            return std::make_unique<pg::Connection>(
                settings_.url, pg::Connection::Options{std::chrono::milliseconds(3000),
                                                       settings_.statement_timeout});
          },
          observer),
      catalogue_(std::make_unique<Catalogue>(*this)),
      ticketing_(makeTicketing(*this)),
      access_(makeAccess(*this)),
      queues_(makeQueues(*this)),
      outbox_(makeOutbox(*this)) {}

PostgresDatabase::~PostgresDatabase() = default;

void PostgresDatabase::migrate() {
  // All of them in one transaction, under an advisory lock: replicas starting together migrate
  // one after another, and the second finds nothing left to do.
  class Ledger final : public MigrationLedger {
   public:
    explicit Ledger(pg::Connection& conn) : conn_(conn) {}
    void create() override {
      conn_.execute(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
          "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    }
    bool applied(int version) override {
      return conn_
                 .execute("migration_applied",
                          "SELECT 1 FROM schema_migrations WHERE version = $1::integer",
                          {param(static_cast<int64_t>(version))})
                 .rows() > 0;
    }
    void apply(const Migration& migration) override {
      conn_.execute(std::string(migration.sql));
      conn_.execute("record_migration",
                    "INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2)",
                    {param(static_cast<int64_t>(migration.version)), param(migration.name)});
    }

   private:
    pg::Connection& conn_;
  };
  inTransaction([](pg::Connection& conn, pg::Transaction& tx) {
    conn.execute("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
    Ledger ledger(conn);
    runMigrations(ledger, postgresMigrations());
    tx.commit();
    return 0;
  });
}

void PostgresDatabase::ping(std::chrono::milliseconds timeout) {
  // A second probe waits for the first, which its own timeouts bound.
  std::lock_guard lock(probe_mutex_);
  if (probe_ && probe_->broken()) {
    probe_.reset();
  }
  try {
    if (!probe_) {
      probe_ = std::make_unique<pg::Connection>(settings_.url,
                                                pg::Connection::Options{timeout, timeout});
    }
    probe_->execute("ping", "SELECT 1", {});
  } catch (const DatabaseError&) {
    probe_.reset();
    throw;
  }
}

CatalogueRepository& PostgresDatabase::catalogue() { return *catalogue_; }

TicketingRepository& PostgresDatabase::ticketing() { return *ticketing_; }

AccessRepository& PostgresDatabase::access() { return *access_; }

QueueRepository& PostgresDatabase::queues() { return *queues_; }
OutboxRepository& PostgresDatabase::outbox() { return *outbox_; }

}  // namespace tickets
