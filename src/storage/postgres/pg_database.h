#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/database_errors.h"
#include "common/fault_injector.h"
#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/postgres/pg_connection.h"

namespace tickets {

struct PostgresSettings {
  std::string url;
  size_t pool_size = 20;
  std::chrono::milliseconds pool_timeout{1000};
  std::chrono::milliseconds statement_timeout{5000};
  const FaultInjector* faults = nullptr;  // for drills: a slow database
};

// The production backend: PostgreSQL through libpq, a pool of connections each with its own
// prepared statements. A connection that breaks is dropped and replaced by the next checkout,
// so the service recovers by itself when the database comes back. Thread-safe.
class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(PostgresSettings settings, PoolObserver* observer);
  ~PostgresDatabase() override;

  void migrate() override;
  void ping(std::chrono::milliseconds timeout) override;
  CatalogueRepository& catalogue() override;
  TicketingRepository& ticketing() override;
  AccessRepository& access() override;
  QueueRepository& queues() override;
  OutboxRepository& outbox() override;
  size_t poolSize() const override { return pool_.size(); }

 private:
  using Pool = ConnectionPool<pg::Connection>;
  class Catalogue;
  class Ticketing;
  class Access;
  class Queues;
  class Outbox;
  static std::unique_ptr<TicketingRepository> makeTicketing(PostgresDatabase& db);
  static std::unique_ptr<AccessRepository> makeAccess(PostgresDatabase& db);
  static std::unique_ptr<QueueRepository> makeQueues(PostgresDatabase& db);
  static std::unique_ptr<OutboxRepository> makeOutbox(PostgresDatabase& db);

  // Runs `work` on a checked-out connection and drops the connection if it broke. When
  // `retry_if_broken()` says so at the time of the failure, the work is tried once more on a
  // fresh connection: reads always (a pooled connection may have died with a database restart,
  // and recovery must need no operator), writes only if the transaction had not begun (a write
  // whose commit may have happened is never sent twice).
  template <class Work, class RetryIfBroken>
  auto withConnection(std::chrono::milliseconds timeout, RetryIfBroken&& retry_if_broken,
                      Work&& work) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire(timeout);
      if (settings_.faults != nullptr) {
        if (auto latency = settings_.faults->databaseLatency(); latency.count() > 0) {
          std::this_thread::sleep_for(latency);
        }
      }
      try {
        return work(*lease);
      } catch (const DatabaseError&) {
        if (!lease->broken()) {
          throw;
        }
        lease.discard();
        if (attempt > 0 || !retry_if_broken()) {
          throw;
        }
      }
    }
  }

  template <class Work>
  auto read(Work&& work) {
    return withConnection(
        settings_.pool_timeout, [] { return true; }, std::forward<Work>(work));
  }

  // Runs `work(connection, transaction)` inside BEGIN ... (work commits), retrying the whole
  // transaction when it collided with another (serialization failure, deadlock): the database
  // rolled it back.
  template <class Work>
  auto inTransaction(Work&& work) {
    for (int attempt = 1;; ++attempt) {
      try {
        bool begun = false;
        return withConnection(
            settings_.pool_timeout, [&] { return !begun; },
            [&](pg::Connection& conn) {
              pg::Transaction tx(conn);
              begun = true;
              return work(conn, tx);
            });
      } catch (const TransientConflict&) {
        if (attempt >= kTransactionAttempts) {
          throw;
        }
      }
    }
  }

  static constexpr int kTransactionAttempts = 3;

  PostgresSettings settings_;
  PoolObserver* observer_;
  std::mutex probe_mutex_;
  std::unique_ptr<pg::Connection> probe_;  // readiness's own connection, under probe_mutex_
  Pool pool_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<TicketingRepository> ticketing_;
  std::unique_ptr<AccessRepository> access_;
  std::unique_ptr<QueueRepository> queues_;
  std::unique_ptr<OutboxRepository> outbox_;
};

}  // namespace tickets
