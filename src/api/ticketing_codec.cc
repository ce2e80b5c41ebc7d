#include "api/ticketing_codec.h"

#include "api/json_body.h"

namespace tickets::api {
namespace {

std::optional<SystemTime> timeField(JsonFields& fields, std::string_view name, bool required) {
  auto text = fields.text(name, required, 64);
  if (!text) {
    return std::nullopt;
  }
  auto t = parseRfc3339(*text);
  if (!t) {
    fields.fail(name, std::string(name) + " must be an RFC 3339 date-time");
  }
  return t;
}

std::optional<EventStatus> statusField(JsonFields& fields) {
  auto text = fields.text("status", false, 32);
  if (!text) {
    return std::nullopt;
  }
  auto status = parseEventStatus(*text);
  if (!status) {
    fields.fail("status", "status must be draft, on_sale, sold_out or cancelled");
  }
  return status;
}

}  // namespace

Decoded<std::vector<BasketLine>> decodeBasket(const boost::json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"items"});
  std::vector<BasketLine> lines;
  if (const auto* items = fields.array("items", true)) {
    for (const auto& value : *items) {
      if (!value.is_object()) {
        fields.fail("items", "each item must be an object");
        break;
      }
      JsonFields item(value.as_object(), "items.");
      item.rejectUnknown({"ticket_type_id", "quantity"});
      BasketLine line{item.integer("ticket_type_id", true).value_or(0),
                      item.integer("quantity", true).value_or(0)};
      if (!item.ok()) {
        return *item.problem();
      }
      lines.push_back(line);
      if (lines.size() > TicketingService::kMaxBasketLines) {
        break;
      }
    }
  }
  if (!fields.ok()) {
    return *fields.problem();
  }
  return lines;
}

Decoded<CheckoutRequest> decodeCheckout(const boost::json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"basket_id", "email", "name"});
  CheckoutRequest checkout;
  checkout.basket_id = fields.text("basket_id", true, 64).value_or("");
  checkout.email = fields.text("email", true, 254).value_or("");
  checkout.name = fields.text("name", true, 200).value_or("");
  if (!fields.ok()) {
    return *fields.problem();
  }
  return checkout;
}

Decoded<CheckInRequest> decodeCheckIn(const boost::json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"code", "event_id"});
  auto code = fields.text("code", true, 64);
  auto event = fields.integer("event_id", true);
  if (event && *event <= 0) {
    fields.fail("event_id", "event_id must be a positive integer");
  }
  if (!fields.ok()) {
    return *fields.problem();
  }
  return CheckInRequest{*code, *event};
}

Decoded<NewTicketType> decodeTicketType(const boost::json::object& body, std::string prefix) {
  JsonFields type(body, std::move(prefix));
  type.rejectUnknown({"name", "price", "currency", "capacity"});
  NewTicketType t;
  t.name = type.text("name", true, 100).value_or("");
  t.price.amount = type.integer("price", true).value_or(0);
  t.price.currency = type.text("currency", true, 3).value_or("");
  t.capacity = type.integer("capacity", true).value_or(0);
  if (!type.ok()) {
    return *type.problem();
  }
  return t;
}

Decoded<NewEvent> decodeNewEvent(const boost::json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"name", "description", "venue", "starts_at", "ends_at", "timezone",
                        "status", "sale_starts_at", "sale_ends_at", "max_tickets_per_order",
                        "ticket_types"});
  NewEvent event;
  event.name = fields.text("name", true, 200).value_or("");
  event.description = fields.text("description", false).value_or("");
  event.venue = fields.text("venue", true, 200).value_or("");
  event.starts_at = timeField(fields, "starts_at", true).value_or(SystemTime{});
  event.ends_at = timeField(fields, "ends_at", true).value_or(SystemTime{});
  event.timezone = fields.text("timezone", true, 64).value_or("");
  event.status = statusField(fields).value_or(EventStatus::kDraft);
  event.sale_starts_at = timeField(fields, "sale_starts_at", false);
  event.sale_ends_at = timeField(fields, "sale_ends_at", false);
  event.max_tickets_per_order = fields.integer("max_tickets_per_order", false).value_or(10);
  if (const auto* types = fields.array("ticket_types", false)) {
    if (types->size() > 50) {
      fields.fail("ticket_types", "at most 50 ticket types");
    }
    for (const auto& value : *types) {
      if (!value.is_object()) {
        fields.fail("ticket_types", "each ticket type must be an object");
        break;
      }
      auto type = decodeTicketType(value.as_object(), "ticket_types.");
      if (auto* p = std::get_if<http::Problem>(&type)) {
        return *p;
      }
      event.ticket_types.push_back(std::move(std::get<NewTicketType>(type)));
    }
  }
  if (!fields.ok()) {
    return *fields.problem();
  }
  return event;
}

Decoded<EventEdit> decodeEventEdit(const boost::json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"name", "description", "venue", "starts_at", "ends_at", "timezone",
                        "status", "sale_starts_at", "sale_ends_at", "max_tickets_per_order"});
  EventEdit edit;
  edit.name = fields.text("name", false, 200);
  edit.description = fields.text("description", false);
  edit.venue = fields.text("venue", false, 200);
  edit.starts_at = timeField(fields, "starts_at", false);
  edit.ends_at = timeField(fields, "ends_at", false);
  edit.timezone = fields.text("timezone", false, 64);
  edit.status = statusField(fields);
  edit.sale_starts_at = timeField(fields, "sale_starts_at", false);
  edit.sale_ends_at = timeField(fields, "sale_ends_at", false);
  edit.max_tickets_per_order = fields.integer("max_tickets_per_order", false);
  if (!fields.ok()) {
    return *fields.problem();
  }
  auto clears = [&](const char* key) {
    const auto* v = body.if_contains(key);
    return v != nullptr && v->is_null();
  };
  edit.clear_sale_starts_at = clears("sale_starts_at");
  edit.clear_sale_ends_at = clears("sale_ends_at");
  return edit;
}

void EventEdit::applyTo(NewEvent& e) const {
  if (name) e.name = *name;
  if (description) e.description = *description;
  if (venue) e.venue = *venue;
  if (starts_at) e.starts_at = *starts_at;
  if (ends_at) e.ends_at = *ends_at;
  if (timezone) e.timezone = *timezone;
  if (status) e.status = *status;
  if (sale_starts_at || clear_sale_starts_at) e.sale_starts_at = sale_starts_at;
  if (sale_ends_at || clear_sale_ends_at) e.sale_ends_at = sale_ends_at;
  if (max_tickets_per_order) e.max_tickets_per_order = *max_tickets_per_order;
}

Decoded<TicketTypePatch> decodeTicketTypePatch(const boost::json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"name", "price", "capacity"});
  TicketTypePatch patch{fields.text("name", false, 100), fields.integer("price", false),
                        fields.integer("capacity", false)};
  if (!fields.ok()) {
    return *fields.problem();
  }
  return patch;
}

}  // namespace tickets::api
