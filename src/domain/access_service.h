#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "domain/access.h"
#include "domain/access_repository.h"
#include "domain/error.h"

namespace tickets {

struct TokenRequest {
  std::string name;
  Role role = Role::kReports;
  std::vector<EventId> event_ids;
};

struct IssuedToken {
  ApiToken token;
  std::string secret;  // shown once, to whoever asked for the token; never stored
};

// Who may do what: the bootstrap ADMIN_TOKEN (compared in constant time) and scoped API tokens
// (256 random bits, stored as their SHA-256). A token that authenticated is remembered for at
// most `cache_ttl`, so that scans at the door cost no extra read: a revocation takes effect at
// once in this process and within `cache_ttl` in every other. Thread-safe; the calls that may
// read storage block, so make them off the I/O threads.
class AccessService {
 public:
  static constexpr std::chrono::milliseconds kDefaultCacheTtl{5000};
  static constexpr size_t kMaxCachedTokens = 10000;
  static constexpr size_t kMaxNameLength = 100;
  static constexpr size_t kMaxEventsPerToken = 100;

  // An empty `bootstrap_token` means there is none (ADMIN_TOKEN unset).
  AccessService(AccessRepository& repository, const Clock& clock, std::string bootstrap_token,
                std::chrono::milliseconds cache_ttl = kDefaultCacheTtl)
      : repository_(repository),
        clock_(clock),
        bootstrap_(std::move(bootstrap_token)),
        cache_ttl_(cache_ttl) {}

  // The principal presenting `bearer` ("" if the request has none). Nobody valid is
  // kUnauthenticated, or kAccessDisabled when there is no bootstrap token.
  Result<Principal> authenticate(std::string_view bearer);
  // The same answer when it needs no storage (no token, the bootstrap token, a string that
  // cannot be one of our tokens, a token remembered); nullopt when authenticate() must read.
  std::optional<Result<Principal>> authenticateFromMemory(std::string_view bearer);

  Result<IssuedToken> issue(const TokenRequest& request);
  std::vector<ApiToken> list();
  // kNotFound for an unknown id; revoking again keeps the first revocation.
  Result<ApiToken> revoke(ApiTokenId id);

 private:
  struct Remembered {
    Principal principal;
    std::chrono::steady_clock::time_point until;
  };

  DomainError nobody() const;
  SystemTime now() const;

  AccessRepository& repository_;
  const Clock& clock_;
  const std::string bootstrap_;
  const std::chrono::milliseconds cache_ttl_;
  std::mutex mutex_;
  std::unordered_map<std::string, Remembered> remembered_;  // by secret hash
  uint64_t revocations_ = 0;                                // guarded by mutex_
};

// Whether `text` has the shape of the secrets issue() makes (43 base64url characters).
bool looksLikeApiToken(std::string_view text);

}  // namespace tickets
