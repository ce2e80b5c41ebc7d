#pragma once

#include <functional>

#include "domain/outbox.h"
#include "storage/connection_pool.h"
#include "storage/group_commit.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

// The outbox on SQLite: claims and outcomes go through the database's one writer. Thread-safe.
class SqliteOutbox final : public OutboxRepository {
 public:
  using Acquire = std::function<ConnectionPool<sqlite::Connection>::Lease()>;

  SqliteOutbox(Acquire acquire, GroupCommit<sqlite::Connection>& writer)
      : acquire_(std::move(acquire)), writer_(writer) {}

  std::vector<OutboxMessage> claimDue(SystemTime now, std::chrono::seconds lease,
                                      int64_t limit) override;
  void markDelivered(int64_t id, SystemTime now) override;
  void markFailed(int64_t id, SystemTime now, SystemTime retry_at, const std::string& error,
                  bool dead) override;
  OutboxStats stats() override;
  std::vector<OutboxMessage> list(OutboxState state, int64_t limit) override;
  bool retry(int64_t id, SystemTime now) override;

 private:
  Acquire acquire_;
  GroupCommit<sqlite::Connection>& writer_;
};

}  // namespace tickets
