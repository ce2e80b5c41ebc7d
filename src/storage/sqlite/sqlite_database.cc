#include "storage/sqlite/sqlite_database.h"

#include <algorithm>
#include <thread>

#include "storage/migrations/migrations.h"
#include "storage/sql_values.h"
#include "storage/sqlite/sqlite_access.h"
#include "storage/sqlite/sqlite_outbox.h"
#include "storage/sqlite/sqlite_queues.h"
#include "storage/sqlite/sqlite_ticketing.h"

namespace tickets {
namespace {

using sql::containsPattern;
using sql::fromUnix;
using sql::optionalTime;
using sql::optionalUnix;
using sql::unixSeconds;

using sqlite::Query;

constexpr std::string_view kEventColumns =
    "e.id, e.name, e.description, e.venue, e.starts_at, e.ends_at, e.timezone, e.status, "
    "e.sale_starts_at, e.sale_ends_at, e.max_tickets_per_order";

Event readEvent(const Query& q) {
  Event e;
  e.id = q.getInt(0);
  e.name = q.getText(1);
  e.description = q.getText(2);
  e.venue = q.getText(3);
  e.starts_at = fromUnix(q.getInt(4));
  e.ends_at = fromUnix(q.getInt(5));
  e.timezone = q.getText(6);
  e.status = parseEventStatus(q.getText(7)).value_or(EventStatus::kDraft);
  e.sale_starts_at = optionalTime(q.getOptionalInt(8));
  e.sale_ends_at = optionalTime(q.getOptionalInt(9));
  e.max_tickets_per_order = static_cast<int>(q.getInt(10));
  return e;
}

const std::string kListEvents = std::string("SELECT ") + std::string(kEventColumns) + R"sql(,
  (SELECT COALESCE(SUM(MAX(t.capacity - t.sold - t.held, 0)), 0)
     FROM ticket_types t WHERE t.event_id = e.id),
  (SELECT t.price FROM ticket_types t WHERE t.event_id = e.id ORDER BY t.price, t.id LIMIT 1),
  (SELECT t.currency FROM ticket_types t WHERE t.event_id = e.id ORDER BY t.price, t.id LIMIT 1)
FROM events e
WHERE (?8 = 1 OR e.status <> 'draft')
  AND (?1 IS NULL OR e.status = ?1)
  AND (?2 IS NULL OR e.starts_at >= ?2)
  AND (?3 IS NULL OR e.starts_at < ?3)
  AND (?4 = '' OR e.name LIKE ?4 ESCAPE '\' OR e.venue LIKE ?4 ESCAPE '\')
  AND (?5 IS NULL OR (e.starts_at, e.id) > (?5, ?6))
ORDER BY e.starts_at, e.id
LIMIT ?7)sql";

const std::string kFindEvent =
    std::string("SELECT ") + std::string(kEventColumns) + " FROM events e WHERE e.id = ?1";

constexpr std::string_view kTicketTypesOfEvent =
    "SELECT id, event_id, name, price, currency, capacity, sold, held FROM ticket_types "
    "WHERE event_id = ?1 ORDER BY price, id";

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (name, description, venue, starts_at, ends_at, timezone, status, "
    "sale_starts_at, sale_ends_at, max_tickets_per_order, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, unixepoch(), unixepoch())";

// Binds an event's fields, in the column order of kInsertEvent, from parameter `first` on.
void bindEvent(Query& q, const NewEvent& event, int first) {
  q.bind(first, event.name)
      .bind(first + 1, event.description)
      .bind(first + 2, event.venue)
      .bind(first + 3, unixSeconds(event.starts_at))
      .bind(first + 4, unixSeconds(event.ends_at))
      .bind(first + 5, event.timezone)
      .bind(first + 6, toString(event.status))
      .bind(first + 7, optionalUnix(event.sale_starts_at))
      .bind(first + 8, optionalUnix(event.sale_ends_at))
      .bind(first + 9, static_cast<int64_t>(event.max_tickets_per_order));
}

constexpr std::string_view kInsertTicketType =
    "INSERT INTO ticket_types (event_id, name, price, currency, capacity) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

}  // namespace

class SqliteDatabase::Catalogue final : public CatalogueRepository {
 public:
  explicit Catalogue(SqliteDatabase& db) : db_(db) {}

  std::vector<EventSummary> listEvents(const EventQuery& query) override {
    auto conn = db_.acquire();
    Query q(conn->prepare(kListEvents));
    std::optional<std::string> status;
    if (query.status) {
      status = std::string(toString(*query.status));
    }
    q.bind(1, status)
        .bind(2, optionalUnix(query.from))
        .bind(3, optionalUnix(query.to))
        .bind(4, query.text.empty() ? std::string() : containsPattern(query.text));
    if (query.after) {
      q.bind(5, unixSeconds(query.after->starts_at)).bind(6, query.after->id);
    } else {
      q.bind(5, std::nullopt).bind(6, std::nullopt);
    }
    q.bind(7, static_cast<int64_t>(query.limit) + 1);
    q.bind(8, int64_t{query.include_drafts ? 1 : 0});
    std::vector<EventSummary> events;
    while (q.step()) {
      EventSummary summary;
      summary.event = readEvent(q);
      summary.available_tickets = q.getInt(11);
      if (!q.isNull(12)) {
        summary.price_from = Money{q.getInt(12), q.getText(13)};
      }
      events.push_back(std::move(summary));
    }
    return events;
  }

  std::optional<EventDetail> findEvent(EventId id) override {
    auto conn = db_.acquire();
    std::optional<EventDetail> detail;
    {
      Query q(conn->prepare(kFindEvent));
      q.bind(1, id);
      if (!q.step()) {
        return std::nullopt;
      }
      detail.emplace();
      detail->event = readEvent(q);
    }
    Query q(conn->prepare(kTicketTypesOfEvent));
    q.bind(1, id);
    while (q.step()) {
      TicketType t;
      t.id = q.getInt(0);
      t.event_id = q.getInt(1);
      t.name = q.getText(2);
      t.price = Money{q.getInt(3), q.getText(4)};
      t.capacity = q.getInt(5);
      t.sold = q.getInt(6);
      t.held = q.getInt(7);
      detail->ticket_types.push_back(std::move(t));
    }
    return detail;
  }

  EventId createEvent(const NewEvent& event) override {
    return db_.writer_.run<EventId>(0, {}, [&](sqlite::Connection& db, WriteUnit& tx) {
      auto* conn = &db;
      {
        Query q(conn->prepare(kInsertEvent));
        bindEvent(q, event, 1);
        q.run();
      }
      EventId id = conn->lastInsertId();
      for (const auto& type : event.ticket_types) {
        Query q(conn->prepare(kInsertTicketType));
        q.bind(1, id)
            .bind(2, type.name)
            .bind(3, type.price.amount)
            .bind(4, type.price.currency)
            .bind(5, type.capacity);
        q.run();
      }
      tx.commit();
      return id;
    });
  }

  bool updateEvent(EventId id, const NewEvent& event) override {
    return db_.writer_.run<bool>(0, {}, [&](sqlite::Connection& db, WriteUnit& tx) {
      auto* conn = &db;
      Query q(
          conn->prepare("UPDATE events SET name = ?2, description = ?3, venue = ?4, starts_at = "
                        "?5, ends_at = ?6, "
                        "timezone = ?7, status = ?8, sale_starts_at = ?9, sale_ends_at = ?10, "
                        "max_tickets_per_order = ?11, updated_at = unixepoch() WHERE id = ?1"));
      q.bind(1, id);
      bindEvent(q, event, 2);
      q.run();
      tx.commit();
      return conn->changes() == 1;
    });
  }

  std::optional<TicketTypeId> addTicketType(EventId event, const NewTicketType& type) override {
    return db_.writer_.run<std::optional<TicketTypeId>>(
        0, {}, [&](sqlite::Connection& db, WriteUnit& tx) -> std::optional<TicketTypeId> {
          auto* conn = &db;
          {
            Query q(conn->prepare("SELECT 1 FROM events WHERE id = ?1"));
            q.bind(1, event);
            if (!q.step()) {
              return std::nullopt;
            }
          }
          Query q(conn->prepare(kInsertTicketType));
          q.bind(1, event)
              .bind(2, type.name)
              .bind(3, type.price.amount)
              .bind(4, type.price.currency)
              .bind(5, type.capacity);
          q.run();
          TicketTypeId id = conn->lastInsertId();
          tx.commit();
          return id;
        });
  }

  Result<TicketType> updateTicketType(TicketTypeId id, const TicketTypePatch& patch) override {
    return db_.writer_.run<Result<TicketType>>(
        0, {}, [&](sqlite::Connection& db, WriteUnit& tx) -> Result<TicketType> {
          auto* conn = &db;
          {
            Query q(conn->prepare(
                "UPDATE ticket_types SET name = COALESCE(?2, name), price = COALESCE(?3, price), "
                "capacity = COALESCE(?4, capacity) WHERE id = ?1 AND (?4 IS NULL OR sold + held <= "
                "?4)"));
            q.bind(1, id).bind(2, patch.name).bind(3, patch.price).bind(4, patch.capacity);
            q.run();
          }
          const bool changed = conn->changes() == 1;
          Query q(conn->prepare(
              "SELECT id, event_id, name, price, currency, capacity, sold, held FROM ticket_types "
              "WHERE id = ?1"));
          q.bind(1, id);
          if (!q.step()) {
            return notFound("no such ticket type");
          }
          TicketType t{q.getInt(0), q.getInt(1), q.getText(2), Money{q.getInt(3), q.getText(4)},
                       q.getInt(5), q.getInt(6), q.getInt(7)};
          if (!changed) {
            return capacityBelowCommitted(t);
          }
          tx.commit();
          return t;
        });
  }

  int64_t countEvents() override {
    auto conn = db_.acquire();
    Query q(conn->prepare("SELECT count(*) FROM events"));
    q.step();
    return q.getInt(0);
  }

 private:
  SqliteDatabase& db_;
};

SqliteDatabase::SqliteDatabase(SqliteSettings settings, PoolObserver* observer)
    : settings_(std::move(settings)),
      pool_(
          settings_.pool_size, settings_.pool_timeout,
          [this] {
            return std::make_unique<sqlite::Connection>(
                settings_.path, sqlite::Connection::Options{settings_.busy_timeout, true});
          },
          observer),
      writer_(
          {.lanes = 1,
           .begin = {"BEGIN IMMEDIATE"},
           .lock = nullptr,
           .on_batch =
               [observer](size_t units) {
                 if (observer != nullptr) {
                   observer->onWriteBatch(units);
                 }
               }},
          [this](const std::function<void(sqlite::Connection&)>& work) {
            auto lease = acquire();
            work(*lease);
          },
          [](sqlite::Connection& connection, const std::string& sql) { connection.execute(sql); }),
      catalogue_(std::make_unique<Catalogue>(*this)),
      ticketing_(std::make_unique<SqliteTicketing>([this] { return acquire(); }, writer_)),
      access_(std::make_unique<SqliteAccess>([this] { return acquire(); }, writer_)),
      queues_(std::make_unique<SqliteQueues>([this] { return acquire(); }, writer_)),
      outbox_(std::make_unique<SqliteOutbox>([this] { return acquire(); }, writer_)) {}

SqliteDatabase::~SqliteDatabase() = default;

SqliteDatabase::Pool::Lease SqliteDatabase::acquire() { return acquire(settings_.pool_timeout); }

SqliteDatabase::Pool::Lease SqliteDatabase::acquire(std::chrono::milliseconds timeout) {
  auto lease = pool_.acquire(timeout);
  if (settings_.faults != nullptr) {
    if (auto latency = settings_.faults->databaseLatency(); latency.count() > 0) {
      std::this_thread::sleep_for(latency);
    }
  }
  lease->setDeadline(std::chrono::steady_clock::now() + settings_.statement_timeout);
  return lease;
}

void SqliteDatabase::migrate() {
  // Each migration in a transaction of its own.
  class Ledger final : public MigrationLedger {
   public:
    explicit Ledger(sqlite::Connection& conn) : conn_(conn) {}
    void create() override {
      conn_.execute(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    }
    bool applied(int version) override {
      Query q(conn_.prepare("SELECT 1 FROM schema_migrations WHERE version = ?1"));
      q.bind(1, static_cast<int64_t>(version));
      return q.step();
    }
    void apply(const Migration& migration) override {
      sqlite::Transaction tx(conn_);
      conn_.execute(std::string(migration.sql));
      Query q(
          conn_.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, "
                        "unixepoch())"));
      q.bind(1, static_cast<int64_t>(migration.version)).bind(2, migration.name);
      q.run();
      tx.commit();
    }

   private:
    sqlite::Connection& conn_;
  };
  auto conn = acquire();
  Ledger ledger(*conn);
  runMigrations(ledger, sqliteMigrations());
}

void SqliteDatabase::ping(std::chrono::milliseconds timeout) {
  // A second probe waits for the first, which its own timeouts bound.
  std::lock_guard lock(probe_mutex_);
  try {
    if (!probe_) {
      probe_ = std::make_unique<sqlite::Connection>(
          settings_.path, sqlite::Connection::Options{settings_.busy_timeout, true});
    }
    probe_->setDeadline(std::chrono::steady_clock::now() + timeout);
    Query q(probe_->prepare("SELECT 1 FROM schema_migrations LIMIT 1"));
    q.step();
  } catch (const DatabaseError&) {
    probe_.reset();
    throw;
  }
}

CatalogueRepository& SqliteDatabase::catalogue() { return *catalogue_; }

TicketingRepository& SqliteDatabase::ticketing() { return *ticketing_; }

AccessRepository& SqliteDatabase::access() { return *access_; }

QueueRepository& SqliteDatabase::queues() { return *queues_; }
OutboxRepository& SqliteDatabase::outbox() { return *outbox_; }

}  // namespace tickets
