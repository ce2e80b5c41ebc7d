#include "api/ticketing_handler.h"

#include <boost/json/serialize.hpp>

#include "api/errors.h"
#include "api/event_json.h"
#include "api/json_body.h"
#include "api/qr_svg.h"
#include "api/ticket_pdf.h"
#include "api/ticketing_codec.h"
#include "api/ticketing_json.h"
#include "http/problem.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

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
  auto decoded = decodeBasket(std::get<boost::json::object>(body));
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& lines = std::get<std::vector<BasketLine>>(decoded);
  auto hold = co_await workers_.run([&] { return ticketing_.createBasket(lines); });
  if (!hold) {
    co_return domainErrorResponse(hold.error(), request, context);
  }
  auto response = http::privateJsonResponse(status::created, toJson(*hold), request.version());
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
  co_return http::privateJsonResponse(status::ok, toJson(*hold), request.version());
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
  auto decoded = decodeCheckout(std::get<boost::json::object>(body));
  if (request["Idempotency-Key"].empty()) {
    co_return problem(
        http::badRequestProblem("the Idempotency-Key header is required", "Idempotency-Key"),
        request, context);
  }
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  auto& checkout = std::get<CheckoutRequest>(decoded);
  checkout.idempotency_key = std::string(request["Idempotency-Key"]);
  auto result = co_await workers_.run([&] { return ticketing_.checkOut(checkout); });
  if (!result) {
    co_return domainErrorResponse(result.error(), request, context);
  }
  boost::json::object out{{"order", toJson(result->order, true)}};
  co_return http::privateJsonResponse(result->created ? status::created : status::ok, out,
                                      request.version());
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
  co_return http::privateJsonResponse(status::ok, {{"order", toJson(*order, false)}},
                                      request.version());
}

TicketingHandler::Awaitable TicketingHandler::checkIn(const http::Request& request,
                                                      http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kCheckIn, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto decoded = decodeCheckIn(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& scan = std::get<CheckInRequest>(decoded);
  if (auto refused = AccessGuard::refuseUnlessPermitted(guarded.principal, Action::kCheckIn,
                                                        scan.event_id, request, context)) {
    co_return std::move(*refused);
  }
  auto ticket = co_await workers_.run([&] { return ticketing_.checkIn(scan.code, scan.event_id); });
  if (!ticket) {
    co_return domainErrorResponse(ticket.error(), request, context);
  }
  co_return http::privateJsonResponse(
      status::ok, {{"result", "admitted"}, {"ticket", toJson(*ticket)}}, request.version());
}

TicketingHandler::Awaitable TicketingHandler::doorFigures(const http::Request& request,
                                                          http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadDoorFigures, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  const EventId id = std::get<GuardedInput>(input).id;
  auto stats = co_await workers_.run([&] { return ticketing_.stats(id); });
  if (!stats) {
    co_return domainErrorResponse(stats.error(), request, context);
  }
  // Never revenue: door staff see who came in, not what was paid.
  co_return http::privateJsonResponse(status::ok,
                                      {{"event_id", id},
                                       {"checked_in", stats->checked_in},
                                       {"sold", stats->sold},
                                       {"capacity", stats->capacity}},
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

TicketingHandler::Awaitable TicketingHandler::ticketsPdf(const http::Request& request,
                                                         http::RequestContext& context) {
  std::string code(context.params[0]);
  std::string secret(request["X-Order-Secret"]);
  if (!isToken(code)) {
    co_return domainErrorResponse(notFound("no such order"), request, context);
  }
  auto pdf = co_await workers_.run([&]() -> Result<std::string> {
    auto order = ticketing_.getOrder(code, secret);
    if (!order) {
      return order.error();
    }
    std::map<EventId, EventDetail> events;
    for (const Ticket& ticket : order->tickets) {
      if (!events.contains(ticket.event_id)) {
        if (auto detail = catalogue_.getEvent(ticket.event_id, true)) {
          events.emplace(ticket.event_id, std::move(*detail));
        }
      }
    }
    return api::ticketsPdf(*order, events);
  });
  if (!pdf) {
    co_return domainErrorResponse(pdf.error(), request, context);
  }
  http::Response response{status::ok, request.version()};
  response.set(http::beast_http::field::content_type, "application/pdf");
  response.set(http::beast_http::field::content_disposition,
               "attachment; filename=\"tickets-" + code + ".pdf\"");
  response.set(http::beast_http::field::cache_control, "private, no-store");
  response.body() = std::move(*pdf);
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
  auto parsed = decodeNewEvent(guarded.body);
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
  auto response = http::privateJsonResponse(status::created, toJson(*created), request.version());
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
  co_return http::privateJsonResponse(status::ok, toJson(*stats), request.version());
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
  auto decoded = decodeEventEdit(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& edit = std::get<EventEdit>(decoded);
  auto patch = [&edit](NewEvent& e) { edit.applyTo(e); };
  auto updated = co_await workers_.run([&] { return catalogue_.updateEvent(guarded.id, patch); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*updated), request.version());
}

TicketingHandler::Awaitable TicketingHandler::addTicketType(const http::Request& request,
                                                            http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kEvent, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto type = decodeTicketType(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&type)) {
    co_return problem(*p, request, context);
  }
  auto updated = co_await workers_.run(
      [&] { return catalogue_.addTicketType(guarded.id, std::get<NewTicketType>(type)); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  co_return http::privateJsonResponse(status::created, toJson(*updated), request.version());
}

TicketingHandler::Awaitable TicketingHandler::updateTicketType(const http::Request& request,
                                                               http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kTicketType, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto decoded = decodeTicketTypePatch(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& patch = std::get<TicketTypePatch>(decoded);
  auto updated =
      co_await workers_.run([&] { return catalogue_.updateTicketType(guarded.id, patch); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  const auto& t = *updated;
  co_return http::privateJsonResponse(status::ok,
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
