#include "domain/catalogue_service.h"

#include <algorithm>

#include "domain/cursor.h"

namespace tickets {
namespace {

bool isCurrencyCode(const std::string& currency) {
  return currency.size() == 3 &&
         std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

Result<EventListing> CatalogueService::listEvents(const EventListRequest& request) {
  EventQuery query;
  if (request.limit) {
    if (*request.limit < 1 || *request.limit > kMaxLimit) {
      return invalidArgument("limit", "limit must be between 1 and 100");
    }
    query.limit = static_cast<int>(*request.limit);
  } else {
    query.limit = kDefaultLimit;
  }
  if (request.text.size() > kMaxTextLength) {
    return invalidArgument("q", "q must be at most 100 characters");
  }
  if (request.from && request.to && *request.to < *request.from) {
    return invalidArgument("to", "to must not be before from");
  }
  if (request.cursor) {
    auto cursor = decodeCursor(*request.cursor);
    if (!cursor) {
      return invalidArgument("cursor", "cursor is not one this server issued");
    }
    query.after = *cursor;
  }
  if (request.status == EventStatus::kDraft && !request.include_drafts) {
    return invalidArgument("status", "status must be on_sale, sold_out or cancelled");
  }
  query.status = request.status;
  query.include_drafts = request.include_drafts;
  query.from = request.from;
  query.to = request.to;
  query.text = request.text;

  EventListing listing;
  listing.events = repository_.listEvents(query);
  if (listing.events.size() > static_cast<size_t>(query.limit)) {
    listing.events.resize(static_cast<size_t>(query.limit));
    const Event& last = listing.events.back().event;
    listing.next_cursor = encodeCursor(EventCursor{last.starts_at, last.id});
  }
  return listing;
}

Result<EventDetail> CatalogueService::getEvent(EventId id, bool include_drafts) {
  if (id <= 0) {
    return notFound("no such event");
  }
  auto detail = repository_.findEvent(id);
  // Drafts are the organiser's work in progress: to the public they do not exist.
  if (!detail || (!include_drafts && detail->event.status == EventStatus::kDraft)) {
    return notFound("no such event");
  }
  return std::move(*detail);
}

Result<EventId> CatalogueService::createEvent(const NewEvent& event) {
  if (auto error = validateNewEvent(event)) {
    return std::move(*error);
  }
  EventId id = repository_.createEvent(event);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return id;
}

Result<EventDetail> CatalogueService::updateEvent(EventId id,
                                                  const std::function<void(NewEvent&)>& patch) {
  auto current = getEvent(id, true);
  if (!current) {
    return current.error();
  }
  const Event& e = current->event;
  NewEvent merged{
      e.name,     e.description, e.venue,          e.starts_at,    e.ends_at,
      e.timezone, e.status,      e.sale_starts_at, e.sale_ends_at, e.max_tickets_per_order,
      {}};
  patch(merged);
  if (auto error = validateNewEvent(merged)) {
    return std::move(*error);
  }
  if (!repository_.updateEvent(id, merged)) {
    return notFound("no such event");
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return getEvent(id, true);
}

Result<EventDetail> CatalogueService::addTicketType(EventId id, const NewTicketType& type) {
  NewEvent probe;
  probe.name = probe.venue = "x";
  probe.ends_at = probe.starts_at + std::chrono::seconds(1);
  probe.timezone = "UTC";
  probe.ticket_types = {type};
  if (auto error = validateNewEvent(probe)) {
    return std::move(*error);
  }
  if (!repository_.addTicketType(id, type)) {
    return notFound("no such event");
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return getEvent(id, true);
}

Result<TicketType> CatalogueService::updateTicketType(TicketTypeId id,
                                                      const TicketTypePatch& patch) {
  NewTicketType probe{patch.name.value_or("x"), Money{patch.price.value_or(0), "GBP"},
                      patch.capacity.value_or(0)};
  NewEvent event;
  event.name = event.venue = "x";
  event.ends_at = event.starts_at + std::chrono::seconds(1);
  event.timezone = "UTC";
  event.ticket_types = {probe};
  if (auto error = validateNewEvent(event)) {
    return std::move(*error);
  }
  auto updated = repository_.updateTicketType(id, patch);
  if (updated) {
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  return updated;
}

std::optional<DomainError> validateNewEvent(const NewEvent& event) {
  if (event.name.empty() || event.name.size() > 200) {
    return invalidArgument("name", "name must be 1 to 200 characters");
  }
  if (event.venue.empty() || event.venue.size() > 200) {
    return invalidArgument("venue", "venue must be 1 to 200 characters");
  }
  if (event.description.size() > 10000) {
    return invalidArgument("description", "description must be at most 10000 characters");
  }
  // Years 1970 to 9999: what every database stores and what page cursors carry.
  const auto representable = [](SystemTime t) {
    return t.time_since_epoch().count() >= 0 && t.time_since_epoch().count() <= 253'402'300'799;
  };
  for (auto [name, time] : {std::pair{"starts_at", std::optional(event.starts_at)},
                            std::pair{"ends_at", std::optional(event.ends_at)},
                            std::pair{"sale_starts_at", event.sale_starts_at},
                            std::pair{"sale_ends_at", event.sale_ends_at}}) {
    if (time && !representable(*time)) {
      return invalidArgument(name, std::string(name) + " must be between 1970 and 9999");
    }
  }
  if (event.ends_at <= event.starts_at) {
    return invalidArgument("ends_at", "ends_at must be after starts_at");
  }
  if (!isKnownTimeZone(event.timezone)) {
    return invalidArgument("timezone",
                           "timezone must be an IANA time zone name such as Europe/London");
  }
  if (event.sale_starts_at && event.sale_ends_at && *event.sale_ends_at <= *event.sale_starts_at) {
    return invalidArgument("sale_ends_at", "sale_ends_at must be after sale_starts_at");
  }
  if (event.max_tickets_per_order < 1 || event.max_tickets_per_order > 100) {
    return invalidArgument("max_tickets_per_order", "max_tickets_per_order must be 1 to 100");
  }
  for (const auto& type : event.ticket_types) {
    if (type.name.empty() || type.name.size() > 100) {
      return invalidArgument("ticket_types.name", "ticket type name must be 1 to 100 characters");
    }
    if (type.price.amount < 0 || type.price.amount > 100'000'000) {
      return invalidArgument("ticket_types.price", "price must be 0 to 100000000 minor units");
    }
    if (!isCurrencyCode(type.price.currency)) {
      return invalidArgument("ticket_types.currency", "currency must be an ISO 4217 code");
    }
    if (type.capacity < 0 || type.capacity > 1'000'000) {
      return invalidArgument("ticket_types.capacity", "capacity must be 0 to 1000000");
    }
  }
  return std::nullopt;
}

}  // namespace tickets
