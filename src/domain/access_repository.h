#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/access.h"

namespace tickets {

// The port through which the domain stores scoped API tokens. Each call is one atomic
// transaction. Implementations are thread-safe, block on I/O (never call them on an I/O thread)
// and throw DatabaseError for infrastructure failures.
class AccessRepository {
 public:
  virtual ~AccessRepository() = default;

  // Stores the token with its events; returns it with its id.
  virtual ApiToken createToken(const NewApiToken& token) = 0;
  // The token whose secret hashes to `secret_hash`, revoked or not.
  virtual std::optional<ApiToken> findTokenByHash(const std::string& secret_hash) = 0;
  // Every token, revoked ones included, in id order.
  virtual std::vector<ApiToken> listTokens() = 0;
  // Marks the token revoked at `now` unless it already was; nullopt if there is no such token.
  virtual std::optional<ApiToken> revokeToken(ApiTokenId id, SystemTime now) = 0;
  // Those of `ids` that name no event.
  virtual std::vector<EventId> unknownEvents(const std::vector<EventId>& ids) = 0;
};

}  // namespace tickets
