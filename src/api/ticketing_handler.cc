#include "api/ticketing_handler.h"

#include <boost/json/serialize.hpp>

#include "api/errors.h"
#include "api/event_json.h"
#include "api/json_body.h"
#include "api/qr_svg.h"
#include "api/ticketing_json.h"
#include "http/problem.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

http::Response json(status code, const boost::json::object& body, unsigned version) {
  auto response = http::jsonResponse(code, boost::json::serialize(body), version);
  response.set(http::beast_http::field::cache_control, "no-store");
  return response;
}

http::Response problem(const http::Problem& p, const http::Request& request,
                       const http::RequestContext& context) {
  return http::problemResponse(p, context, request.version(), true);
}

// A path segment that must be a token we issued (base64url or base32, bounded).
bool isToken(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

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

std::variant<NewTicketType, http::Problem> parseTicketType(const boost::json::object& body,
                                                           std::string prefix = {}) {
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

std::variant<NewEvent, http::Problem> parseNewEvent(const boost::json::object& body) {
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
  if (auto s = fields.text("status", false, 32)) {
    auto status = parseEventStatus(*s);
    if (!status) {
      fields.fail("status", "status must be draft, on_sale, sold_out or cancelled");
    }
    event.status = status.value_or(EventStatus::kDraft);
  }
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
      auto type = parseTicketType(value.as_object(), "ticket_types.");
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

// The admin's answer to a domain error about an edit: input problems are 422 here.
DomainError asEditError(DomainError error) {
  if (error.code == ErrorCode::kInvalidArgument) {
    error.code = ErrorCode::kUnprocessable;
  }
  return error;
}

}  // namespace

TicketingHandler::Awaitable TicketingHandler::createBasket(const http::Request& request,
                                                           http::RequestContext& context) {
  auto body = parseJsonObject(request);
  if (auto* p = std::get_if<http::Problem>(&body)) {
    co_return problem(*p, request, context);
  }
  JsonFields fields(std::get<boost::json::object>(body));
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
        co_return problem(*item.problem(), request, context);
      }
      lines.push_back(line);
      if (lines.size() > TicketingService::kMaxBasketLines) {
        break;
      }
    }
  }
  if (!fields.ok()) {
    co_return problem(*fields.problem(), request, context);
  }
  auto hold = co_await workers_.run([&] { return ticketing_.createBasket(lines); });
  if (!hold) {
    co_return domainErrorResponse(hold.error(), request, context);
  }
  auto response = json(status::created, toJson(*hold), request.version());
  response.set(http::beast_http::field::location, "/api/basket/" + hold->id);
  co_return response;
}

TicketingHandler::Awaitable TicketingHandler::getBasket(const http::Request& request,
                                                        http::RequestContext& context) {
  std::string id(context.params[0]);
  if (!isToken(id)) {
    co_return domainErrorResponse(notFound("no such basket"), request, context);
  }
  auto hold = co_await workers_.run([&] { return ticketing_.getBasket(id); });
  if (!hold) {
    co_return domainErrorResponse(hold.error(), request, context);
  }
  co_return json(status::ok, toJson(*hold), request.version());
}

TicketingHandler::Awaitable TicketingHandler::deleteBasket(const http::Request& request,
                                                           http::RequestContext& context) {
  std::string id(context.params[0]);
  if (!isToken(id)) {
    co_return domainErrorResponse(notFound("no such basket"), request, context);
  }
  auto released = co_await workers_.run([&] { return ticketing_.deleteBasket(id); });
  if (!released) {
    co_return domainErrorResponse(released.error(), request, context);
  }
  co_return http::Response{status::no_content, request.version()};
}

TicketingHandler::Awaitable TicketingHandler::checkOut(const http::Request& request,
                                                       http::RequestContext& context) {
  auto body = parseJsonObject(request);
  if (auto* p = std::get_if<http::Problem>(&body)) {
    co_return problem(*p, request, context);
  }
  JsonFields fields(std::get<boost::json::object>(body));
  fields.rejectUnknown({"basket_id", "email", "name"});
  CheckoutRequest checkout;
  checkout.basket_id = fields.text("basket_id", true, 64).value_or("");
  checkout.email = fields.text("email", true, 254).value_or("");
  checkout.name = fields.text("name", true, 200).value_or("");
  checkout.idempotency_key = std::string(request["Idempotency-Key"]);
  if (checkout.idempotency_key.empty()) {
    co_return problem(
        http::badRequestProblem("the Idempotency-Key header is required", "Idempotency-Key"),
        request, context);
  }
  if (!fields.ok()) {
    co_return problem(*fields.problem(), request, context);
  }
  auto result = co_await workers_.run([&] { return ticketing_.checkOut(checkout); });
  if (!result) {
    co_return domainErrorResponse(result.error(), request, context);
  }
  boost::json::object out{{"order", toJson(result->order, true)}};
  co_return json(result->created ? status::created : status::ok, out, request.version());
}

TicketingHandler::Awaitable TicketingHandler::getOrder(const http::Request& request,
                                                       http::RequestContext& context) {
  return orderAction(request, context, &TicketingService::getOrder);
}

TicketingHandler::Awaitable TicketingHandler::cancelOrder(const http::Request& request,
                                                          http::RequestContext& context) {
  return orderAction(request, context, &TicketingService::cancelOrder);
}

TicketingHandler::Awaitable TicketingHandler::orderAction(const http::Request& request,
                                                          http::RequestContext& context,
                                                          OrderAction action) {
  std::string code(context.params[0]);
  std::string secret(request["X-Order-Secret"]);
  if (!isToken(code)) {
    co_return domainErrorResponse(notFound("no such order"), request, context);
  }
  auto order = co_await workers_.run([&] { return (ticketing_.*action)(code, secret); });
  if (!order) {
    co_return domainErrorResponse(order.error(), request, context);
  }
  co_return json(status::ok, {{"order", toJson(*order, false)}}, request.version());
}

TicketingHandler::Awaitable TicketingHandler::checkIn(const http::Request& request,
                                                      http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kCheckIn, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  JsonFields fields(guarded.body);
  fields.rejectUnknown({"code", "event_id"});
  auto code = fields.text("code", true, 64);
  auto event = fields.integer("event_id", true);
  if (event && *event <= 0) {
    fields.fail("event_id", "event_id must be a positive integer");
  }
  if (!fields.ok()) {
    co_return problem(*fields.problem(), request, context);
  }
  if (auto refused = AccessGuard::refuseUnlessPermitted(guarded.principal, Action::kCheckIn, *event,
                                                        request, context)) {
    co_return std::move(*refused);
  }
  auto ticket = co_await workers_.run([&] { return ticketing_.checkIn(*code, *event); });
  if (!ticket) {
    co_return domainErrorResponse(ticket.error(), request, context);
  }
  co_return json(status::ok, {{"result", "admitted"}, {"ticket", toJson(*ticket)}},
                 request.version());
}

TicketingHandler::Awaitable TicketingHandler::ticketQr(const http::Request& request,
                                                       http::RequestContext& context) {
  std::string code(context.params[0]);
  if (!isToken(code)) {
    co_return domainErrorResponse(notFound("no such ticket"), request, context);
  }
  auto ticket = co_await workers_.run([&] { return ticketing_.getTicket(code); });
  if (!ticket) {
    co_return domainErrorResponse(ticket.error(), request, context);
  }
  auto svg = qrSvg(ticket->code);
  if (!svg) {
    throw std::runtime_error("QR encoding failed");
  }
  http::Response response{status::ok, request.version()};
  response.set(http::beast_http::field::content_type, "image/svg+xml");
  response.set(http::beast_http::field::cache_control, "private, max-age=86400");
  response.body() = std::move(*svg);
  response.prepare_payload();
  co_return response;
}

TicketingHandler::Awaitable TicketingHandler::createEvent(const http::Request& request,
                                                          http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto parsed = parseNewEvent(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&parsed)) {
    co_return problem(*p, request, context);
  }
  auto& event = std::get<NewEvent>(parsed);
  auto created = co_await workers_.run([&]() -> Result<EventDetail> {
    auto id = catalogue_.createEvent(event);
    if (!id) {
      return id.error();
    }
    return catalogue_.getEvent(*id, true);
  });
  if (!created) {
    co_return domainErrorResponse(asEditError(created.error()), request, context);
  }
  auto response = json(status::created, toJson(*created), request.version());
  response.set(http::beast_http::field::location,
               "/api/events/" + std::to_string(created->event.id));
  co_return response;
}

TicketingHandler::Awaitable TicketingHandler::eventStats(const http::Request& request,
                                                         http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadStats, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto stats = co_await workers_.run([&] { return ticketing_.stats(guarded.id); });
  if (!stats) {
    co_return domainErrorResponse(stats.error(), request, context);
  }
  co_return json(status::ok, toJson(*stats), request.version());
}

}  // namespace tickets::api

namespace tickets::api {

TicketingHandler::Awaitable TicketingHandler::updateEvent(const http::Request& request,
                                                          http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kEvent, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  const auto& object = guarded.body;
  JsonFields fields(object);
  fields.rejectUnknown({"name", "description", "venue", "starts_at", "ends_at", "timezone",
                        "status", "sale_starts_at", "sale_ends_at", "max_tickets_per_order"});
  auto name = fields.text("name", false, 200);
  auto description = fields.text("description", false);
  auto venue = fields.text("venue", false, 200);
  auto starts_at = timeField(fields, "starts_at", false);
  auto ends_at = timeField(fields, "ends_at", false);
  auto timezone = fields.text("timezone", false, 64);
  std::optional<EventStatus> new_status;
  if (auto s = fields.text("status", false, 32)) {
    new_status = parseEventStatus(*s);
    if (!new_status) {
      fields.fail("status", "status must be draft, on_sale, sold_out or cancelled");
    }
  }
  auto sale_starts_at = timeField(fields, "sale_starts_at", false);
  auto sale_ends_at = timeField(fields, "sale_ends_at", false);
  auto per_order = fields.integer("max_tickets_per_order", false);
  if (!fields.ok()) {
    co_return problem(*fields.problem(), request, context);
  }
  auto clears = [&](const char* key) {
    const auto* v = object.if_contains(key);
    return v != nullptr && v->is_null();
  };
  const bool clear_sale_start = clears("sale_starts_at");
  const bool clear_sale_end = clears("sale_ends_at");
  auto patch = [&](NewEvent& e) {
    if (name) e.name = *name;
    if (description) e.description = *description;
    if (venue) e.venue = *venue;
    if (starts_at) e.starts_at = *starts_at;
    if (ends_at) e.ends_at = *ends_at;
    if (timezone) e.timezone = *timezone;
    if (new_status) e.status = *new_status;
    if (sale_starts_at || clear_sale_start) e.sale_starts_at = sale_starts_at;
    if (sale_ends_at || clear_sale_end) e.sale_ends_at = sale_ends_at;
    if (per_order) e.max_tickets_per_order = *per_order;
  };
  auto updated = co_await workers_.run([&] { return catalogue_.updateEvent(guarded.id, patch); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  co_return json(status::ok, toJson(*updated), request.version());
}

TicketingHandler::Awaitable TicketingHandler::addTicketType(const http::Request& request,
                                                            http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kEvent, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto type = parseTicketType(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&type)) {
    co_return problem(*p, request, context);
  }
  auto updated = co_await workers_.run(
      [&] { return catalogue_.addTicketType(guarded.id, std::get<NewTicketType>(type)); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  co_return json(status::created, toJson(*updated), request.version());
}

TicketingHandler::Awaitable TicketingHandler::updateTicketType(const http::Request& request,
                                                               http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kTicketType, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  JsonFields fields(guarded.body);
  fields.rejectUnknown({"name", "price", "capacity"});
  TicketTypePatch patch{fields.text("name", false, 100), fields.integer("price", false),
                        fields.integer("capacity", false)};
  if (!fields.ok()) {
    co_return problem(*fields.problem(), request, context);
  }
  auto updated =
      co_await workers_.run([&] { return catalogue_.updateTicketType(guarded.id, patch); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  const auto& t = *updated;
  co_return json(status::ok,
                 {{"id", t.id},
                  {"event_id", t.event_id},
                  {"name", t.name},
                  {"price", t.price.amount},
                  {"currency", t.price.currency},
                  {"capacity", t.capacity},
                  {"sold", t.sold},
                  {"held", t.held},
                  {"available", t.available()}},
                 request.version());
}

}  // namespace tickets::api
