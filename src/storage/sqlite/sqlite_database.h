#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/fault_injector.h"
#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/group_commit.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

struct SqliteSettings {
  std::string path;
  size_t pool_size = 20;
  std::chrono::milliseconds pool_timeout{1000};
  std::chrono::milliseconds busy_timeout{5000};
  std::chrono::milliseconds statement_timeout{5000};
  const FaultInjector* faults = nullptr;  // for drills: a slow database
};

// The embedded backend: one SQLite file in WAL mode, read concurrently through a pool of
// connections. SQLite admits one writer at a time, so every write of the process (selling,
// catalogue, tokens) goes through one writer: a group-commit lane (storage/group_commit.h) that
// runs concurrent writes together under one BEGIN IMMEDIATE and one COMMIT. Another process
// writing the same file waits on SQLite's busy timeout. Thread-safe.
class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(SqliteSettings settings, PoolObserver* observer);
  ~SqliteDatabase() override;

  void migrate() override;
  void ping(std::chrono::milliseconds timeout) override;
  CatalogueRepository& catalogue() override;
  TicketingRepository& ticketing() override;
  AccessRepository& access() override;
  QueueRepository& queues() override;
  OutboxRepository& outbox() override;
  size_t poolSize() const override { return pool_.size(); }

 private:
  using Pool = ConnectionPool<sqlite::Connection>;
  class Catalogue;

  Pool::Lease acquire();
  Pool::Lease acquire(std::chrono::milliseconds timeout);

  SqliteSettings settings_;
  std::mutex probe_mutex_;
  std::unique_ptr<sqlite::Connection> probe_;  // readiness's own connection, under probe_mutex_
  Pool pool_;
  GroupCommit<sqlite::Connection> writer_;
  std::unique_ptr<Catalogue> catalogue_;
  std::unique_ptr<TicketingRepository> ticketing_;
  std::unique_ptr<AccessRepository> access_;
  std::unique_ptr<QueueRepository> queues_;
  std::unique_ptr<OutboxRepository> outbox_;
};

}  // namespace tickets
