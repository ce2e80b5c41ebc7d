#include "domain/access_service.h"

#include <algorithm>
#include <set>

#include "common/crypto.h"
#include "common/random.h"

namespace tickets {
namespace {

constexpr int kSecretBits = 256;
constexpr size_t kSecretLength = 43;  // 256 bits in base64url without padding
constexpr size_t kHintLength = 4;

Principal principalOf(const ApiToken& token) {
  return Principal{token.role, token.event_ids, token.id};
}

}  // namespace

bool looksLikeApiToken(std::string_view text) {
  return text.size() == kSecretLength && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

SystemTime AccessService::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
}

DomainError AccessService::nobody() const {
  if (bootstrap_.empty()) {
    return DomainError{ErrorCode::kAccessDisabled,
                       "no valid API token was presented, and ADMIN_TOKEN is not set",
                       {}};
  }
  return DomainError{ErrorCode::kUnauthenticated, "a valid bearer token is required", {}};
}

std::optional<Result<Principal>> AccessService::authenticateFromMemory(std::string_view bearer) {
  if (bearer.empty()) {
    return Result<Principal>(nobody());
  }
  if (!bootstrap_.empty() && secretsEqual(bearer, bootstrap_)) {
    return Result<Principal>(Principal{Role::kAdmin, {}, std::nullopt});
  }
  if (!looksLikeApiToken(bearer)) {
    return Result<Principal>(nobody());
  }
  const std::string hash = sha256Hex(bearer);
  std::lock_guard lock(mutex_);
  auto it = remembered_.find(hash);
  if (it == remembered_.end()) {
    return std::nullopt;
  }
  if (clock_.steadyNow() >= it->second.until) {
    remembered_.erase(it);
    return std::nullopt;
  }
  return Result<Principal>(it->second.principal);
}

Result<Principal> AccessService::authenticate(std::string_view bearer) {
  if (auto known = authenticateFromMemory(bearer)) {
    return std::move(*known);
  }
  const std::string hash = sha256Hex(bearer);
  uint64_t revocations_before = 0;
  {
    std::lock_guard lock(mutex_);
    revocations_before = revocations_;
  }
  auto token = repository_.findTokenByHash(hash);
  if (!token || token->revoked_at) {
    return nobody();
  }
  Principal principal = principalOf(*token);
  std::lock_guard lock(mutex_);
  // A revocation that ran during the read may have missed this entry: do not remember it.
  if (revocations_ == revocations_before) {
    const auto at = clock_.steadyNow();
    if (remembered_.size() >= kMaxCachedTokens) {
      std::erase_if(remembered_, [&](const auto& entry) { return entry.second.until <= at; });
      if (remembered_.size() >= kMaxCachedTokens) {
        remembered_.clear();
      }
    }
    remembered_[hash] = Remembered{principal, at + cache_ttl_};
  }
  return principal;
}

Result<IssuedToken> AccessService::issue(const TokenRequest& request) {
  if (request.name.empty() || request.name.size() > kMaxNameLength) {
    return unprocessable("name", "name must be 1 to 100 characters");
  }
  std::vector<EventId> events = request.event_ids;
  if (request.role == Role::kDoor) {
    if (events.empty() || events.size() > kMaxEventsPerToken) {
      return unprocessable("event_ids", "a door token needs 1 to 100 event ids");
    }
    std::set<EventId> seen;
    for (EventId id : events) {
      if (id <= 0) {
        return unprocessable("event_ids", "event ids must be positive integers");
      }
      if (!seen.insert(id).second) {
        return unprocessable("event_ids", "each event may appear only once");
      }
    }
    std::sort(events.begin(), events.end());
    auto unknown = repository_.unknownEvents(events);
    if (!unknown.empty()) {
      return unprocessable("event_ids", "no such event: " + std::to_string(unknown.front()));
    }
  } else if (!events.empty()) {
    return unprocessable("event_ids", "only door tokens are limited to events");
  }
  IssuedToken issued;
  issued.secret = randomToken(kSecretBits);
  NewApiToken token{request.name,
                    request.role,
                    std::move(events),
                    sha256Hex(issued.secret),
                    issued.secret.substr(issued.secret.size() - kHintLength),
                    now()};
  issued.token = repository_.createToken(token);
  return issued;
}

std::vector<ApiToken> AccessService::list() { return repository_.listTokens(); }

Result<ApiToken> AccessService::revoke(ApiTokenId id) {
  auto revoked = repository_.revokeToken(id, now());
  if (!revoked) {
    return notFound("no such token");
  }
  std::lock_guard lock(mutex_);
  ++revocations_;
  std::erase_if(remembered_,
                [&](const auto& entry) { return entry.second.principal.token_id == id; });
  return std::move(*revoked);
}

}  // namespace tickets
