#pragma once

#include <functional>

#include "domain/access_repository.h"
#include "storage/connection_pool.h"
#include "storage/group_commit.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

// Scoped API tokens on SQLite. Writes go through the database's one writer (as SqliteTicketing's
// do). Thread-safe.
class SqliteAccess final : public AccessRepository {
 public:
  using Acquire = std::function<ConnectionPool<sqlite::Connection>::Lease()>;

  SqliteAccess(Acquire acquire, GroupCommit<sqlite::Connection>& writer)
      : acquire_(std::move(acquire)), writer_(writer) {}

  ApiToken createToken(const NewApiToken& token) override;
  std::optional<ApiToken> findTokenByHash(const std::string& secret_hash) override;
  std::vector<ApiToken> listTokens() override;
  std::optional<ApiToken> revokeToken(ApiTokenId id, SystemTime now) override;
  std::vector<EventId> unknownEvents(const std::vector<EventId>& ids) override;

 private:
  Acquire acquire_;
  GroupCommit<sqlite::Connection>& writer_;
};

}  // namespace tickets
