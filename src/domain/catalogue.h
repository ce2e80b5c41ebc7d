#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"

namespace tickets {

using EventId = int64_t;
using TicketTypeId = int64_t;

enum class EventStatus { kDraft, kOnSale, kSoldOut, kCancelled };

std::string_view toString(EventStatus status);
std::optional<EventStatus> parseEventStatus(std::string_view text);

// An amount in integer minor units (pence, cents) of an ISO 4217 currency.
struct Money {
  int64_t amount = 0;
  std::string currency;
  bool operator==(const Money&) const = default;
};

struct TicketType {
  TicketTypeId id = 0;
  EventId event_id = 0;
  std::string name;
  Money price;
  int64_t capacity = 0;
  int64_t sold = 0;
  int64_t held = 0;

  int64_t available() const {
    int64_t left = capacity - sold - held;
    return left > 0 ? left : 0;
  }
};

struct Event {
  EventId id = 0;
  std::string name;
  std::string description;
  std::string venue;
  SystemTime starts_at;
  SystemTime ends_at;
  std::string timezone;  // IANA name, e.g. Europe/London
  EventStatus status = EventStatus::kDraft;
  std::optional<SystemTime> sale_starts_at;
  std::optional<SystemTime> sale_ends_at;
  int64_t max_tickets_per_order = 10;
};

struct EventSummary {
  Event event;
  int64_t available_tickets = 0;
  std::optional<Money> price_from;  // the cheapest ticket type, if any
};

struct EventDetail {
  Event event;
  std::vector<TicketType> ticket_types;
};

// Position in the listing order (starts_at, id), after which the next page begins.
struct EventCursor {
  SystemTime starts_at;
  EventId id = 0;
  bool operator==(const EventCursor&) const = default;
};

struct EventQuery {
  int limit = 20;
  std::optional<EventStatus> status;
  std::optional<SystemTime> from;  // starts_at >= from
  std::optional<SystemTime> to;    // starts_at < to
  std::string text;                // case-insensitive substring of name or venue
  std::optional<EventCursor> after;
  bool include_drafts = false;
};

struct EventPage {
  std::vector<EventSummary> events;
  std::optional<EventCursor> next;
};

struct NewTicketType {
  std::string name;
  Money price;
  int64_t capacity = 0;
};

// Changes to a ticket type; absent fields stay as they are.
struct TicketTypePatch {
  std::optional<std::string> name;
  std::optional<int64_t> price;
  std::optional<int64_t> capacity;
};

struct NewEvent {
  std::string name;
  std::string description;
  std::string venue;
  SystemTime starts_at;
  SystemTime ends_at;
  std::string timezone;
  EventStatus status = EventStatus::kDraft;
  std::optional<SystemTime> sale_starts_at;
  std::optional<SystemTime> sale_ends_at;
  int64_t max_tickets_per_order = 10;
  std::vector<NewTicketType> ticket_types;
};

}  // namespace tickets
