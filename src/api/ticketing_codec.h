#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/catalogue.h"
#include "domain/ticketing.h"
#include "domain/ticketing_service.h"
#include "http/problem.h"

namespace tickets::api {

// The JSON bodies of the selling and admin requests decoded into what the domain takes, or the
// problem to answer with (422 naming the member). Pure functions: no I/O, no side effects.
template <class T>
using Decoded = std::variant<T, http::Problem>;

// POST /api/basket: {"items":[{"ticket_type_id","quantity"}]} (stops reading after one line
// more than the domain accepts, so that the domain names the limit).
Decoded<std::vector<BasketLine>> decodeBasket(const boost::json::object& body);

// POST /api/checkout: {"basket_id","email","name"}; the idempotency key comes from a header.
Decoded<CheckoutRequest> decodeCheckout(const boost::json::object& body);

struct CheckInRequest {
  std::string code;
  EventId event_id = 0;
};
// POST /api/checkin: {"code","event_id"}.
Decoded<CheckInRequest> decodeCheckIn(const boost::json::object& body);

// A ticket type of POST /api/admin/events ("ticket_types." prefix) or of
// POST /api/admin/events/{id}/ticket-types.
Decoded<NewTicketType> decodeTicketType(const boost::json::object& body, std::string prefix = {});

// POST /api/admin/events: an event with its ticket types.
Decoded<NewEvent> decodeNewEvent(const boost::json::object& body);

// PATCH /api/admin/events/{id}: the members present change; null clears a sale window bound.
struct EventEdit {
  std::optional<std::string> name, description, venue, timezone;
  std::optional<SystemTime> starts_at, ends_at, sale_starts_at, sale_ends_at;
  std::optional<EventStatus> status;
  std::optional<int64_t> max_tickets_per_order;
  bool clear_sale_starts_at = false;
  bool clear_sale_ends_at = false;

  void applyTo(NewEvent& event) const;
};
Decoded<EventEdit> decodeEventEdit(const boost::json::object& body);

// PATCH /api/admin/ticket-types/{id}: {"name","price","capacity"}, each optional.
Decoded<TicketTypePatch> decodeTicketTypePatch(const boost::json::object& body);

}  // namespace tickets::api
