#include "domain/access.h"

#include <algorithm>

namespace tickets {

std::string_view toString(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kDoor:
      return "door";
    case Role::kReports:
      return "reports";
  }
  return "reports";
}

std::optional<Role> parseRole(std::string_view text) {
  for (auto r : {Role::kAdmin, Role::kDoor, Role::kReports}) {
    if (toString(r) == text) {
      return r;
    }
  }
  return std::nullopt;
}

bool permits(const Principal& principal, Action action, std::optional<EventId> event) {
  switch (principal.role) {
    case Role::kAdmin:
      return true;
    case Role::kReports:
      return action == Action::kReadStats || action == Action::kReadDoorFigures;
    case Role::kDoor:
      // The door sells at its box office too.
      return (action == Action::kCheckIn || action == Action::kReadDoorFigures ||
              action == Action::kSellAtBoxOffice) &&
             (!event || std::find(principal.event_ids.begin(), principal.event_ids.end(), *event) !=
                            principal.event_ids.end());
  }
  return false;
}

DomainError forbidden(Action action) {
  std::string what;
  switch (action) {
    case Action::kManageTokens:
      what = "manage API tokens";
      break;
    case Action::kEditCatalogue:
      what = "edit events";
      break;
    case Action::kReadStats:
      what = "read this event's figures";
      break;
    case Action::kReadDoorFigures:
      what = "read this event's door figures";
      break;
    case Action::kCheckIn:
      what = "check tickets in at this event";
      break;
    case Action::kInjectFaults:
      what = "inject faults";
      break;
    case Action::kSellAtBoxOffice:
      what = "sell at the box office for this event";
      break;
    case Action::kInspectOutbox:
      what = "inspect or retry the outbox";
      break;
    case Action::kRefundOrders:
      what = "cancel or refund tickets";
      break;
  }
  return DomainError{ErrorCode::kForbidden, "this token may not " + what, {}};
}

}  // namespace tickets
