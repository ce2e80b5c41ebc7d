#pragma once

#include <functional>

#include "domain/waiting_room.h"
#include "storage/connection_pool.h"
#include "storage/group_commit.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

// The waiting room's shared state on SQLite (one process: the writer serialises every change).
// Fractions are stored in parts per billion. Thread-safe.
class SqliteQueues final : public QueueRepository {
 public:
  using Acquire = std::function<ConnectionPool<sqlite::Connection>::Lease()>;

  SqliteQueues(Acquire acquire, GroupCommit<sqlite::Connection>& writer)
      : acquire_(std::move(acquire)), writer_(writer) {}

  std::optional<QueueState> queue(EventId event) override;
  std::vector<QueueState> enabledQueues() override;
  QueueState configure(EventId event, const QueueSettings& settings, QueueTime now) override;
  void recordArrivals(const std::string& replica, EventId event, const Arrivals& counts) override;
  void heartbeat(const std::string& replica, QueueTime counted) override;
  Arrivals arrivals(EventId event, int64_t from) override;
  bool advance(EventId event, QueueTime now, const Decide& decide) override;
  std::optional<QueueTime> admittedAt(EventId event, QueuePlace place) override;
  std::vector<std::pair<QueuePlace, QueueTime>> advances(EventId event, QueuePlace after) override;
  std::string secret(const std::string& name,
                     const std::function<std::string()>& generate) override;

 private:
  Acquire acquire_;
  GroupCommit<sqlite::Connection>& writer_;
};

}  // namespace tickets
