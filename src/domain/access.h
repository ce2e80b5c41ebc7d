#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "domain/catalogue.h"
#include "domain/error.h"

namespace tickets {

// What a credential lets its holder do: kAdmin everything, kDoor check-in at its events only,
// kReports read sales figures only.
enum class Role { kAdmin, kDoor, kReports };
std::string_view toString(Role role);
std::optional<Role> parseRole(std::string_view text);

using ApiTokenId = int64_t;

// A scoped API token as stored: never its secret, only the SHA-256 of it and its last characters
// so that people can tell their tokens apart.
struct ApiToken {
  ApiTokenId id = 0;
  std::string name;
  Role role = Role::kReports;
  std::vector<EventId> event_ids;  // kDoor: the events it admits at; empty for the other roles
  std::string hint;                // the secret's last 4 characters
  SystemTime created_at;
  std::optional<SystemTime> revoked_at;
};

// What the repository stores for a new token (everything decided beforehand).
struct NewApiToken {
  std::string name;
  Role role = Role::kReports;
  std::vector<EventId> event_ids;
  std::string secret_hash;  // hex SHA-256 of the secret
  std::string hint;
  SystemTime created_at;
};

// Who is making a request, as far as access goes.
struct Principal {
  Role role = Role::kReports;
  std::vector<EventId> event_ids;      // kDoor only
  std::optional<ApiTokenId> token_id;  // nullopt: the bootstrap ADMIN_TOKEN
};

// What a request asks to do.
enum class Action {
  kManageTokens,
  kEditCatalogue,
  kReadStats,
  kReadDoorFigures,  // admitted so far against capacity: the door's own count
  kCheckIn,
  kInjectFaults,
  kSellAtBoxOffice,  // check out a basket of the event without online payment
  kInspectOutbox,
  kRefundOrders,  // cancel tickets of a paid order, refunding them
};

// The access rules, in one place. `event` is the event the action concerns; nullopt asks
// whether the principal may do the action for some event (before the request names it).
bool permits(const Principal& principal, Action action, std::optional<EventId> event);
inline bool canCheckIn(const Principal& p, EventId event) {
  return permits(p, Action::kCheckIn, event);
}
inline bool canReadStats(const Principal& p, EventId event) {
  return permits(p, Action::kReadStats, event);
}
inline bool canEditCatalogue(const Principal& p) {
  return permits(p, Action::kEditCatalogue, std::nullopt);
}
inline bool canManageTokens(const Principal& p) {
  return permits(p, Action::kManageTokens, std::nullopt);
}

// The refusal of an authenticated principal (403).
DomainError forbidden(Action action);

}  // namespace tickets
