#pragma once

#include <functional>
#include <mutex>

#include "domain/access_repository.h"
#include "storage/connection_pool.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

// Scoped API tokens on SQLite. Writes run under BEGIN IMMEDIATE and, within the process, queue on
// a mutex as SqliteTicketing's do. Thread-safe.
class SqliteAccess final : public AccessRepository {
 public:
  using Acquire = std::function<ConnectionPool<sqlite::Connection>::Lease()>;

  explicit SqliteAccess(Acquire acquire) : acquire_(std::move(acquire)) {}

  ApiToken createToken(const NewApiToken& token) override;
  std::optional<ApiToken> findTokenByHash(const std::string& secret_hash) override;
  std::vector<ApiToken> listTokens() override;
  std::optional<ApiToken> revokeToken(ApiTokenId id, SystemTime now) override;
  std::vector<EventId> unknownEvents(const std::vector<EventId>& ids) override;

 private:
  Acquire acquire_;
  std::mutex writer_;
};

}  // namespace tickets
