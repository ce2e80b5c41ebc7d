#include "api/buyer_handler.h"

#include <map>

#include "api/errors.h"
#include "api/handler_support.h"
#include "api/json_body.h"
#include "api/ticketing_codec.h"
#include "api/ticketing_json.h"
#include "documents/qr.h"
#include "documents/ticket_pdf.h"
#include "http/client_address.h"

namespace tickets::api {

using http::beast_http::status;

BuyerHandler::Awaitable BuyerHandler::createBasket(const http::Request& request,
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
  const std::string client = http::clientAddress(request, context, trusted_proxies_);
  const std::string queue_token(request["X-Queue-Token"]);
  auto hold =
      co_await workers_.run([&] { return ticketing_.createBasket(lines, client, queue_token); });
  if (!hold) {
    co_return domainErrorResponse(hold.error(), request, context);
  }
  auto response = http::privateJsonResponse(status::created, toJson(*hold), request.version());
  response.set(http::beast_http::field::location, "/api/basket/" + hold->id);
  co_return response;
}

BuyerHandler::Awaitable BuyerHandler::getBasket(const http::Request& request,
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

BuyerHandler::Awaitable BuyerHandler::deleteBasket(const http::Request& request,
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

BuyerHandler::Awaitable BuyerHandler::checkOut(const http::Request& request,
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
  if (request.find(http::beast_http::field::authorization) != request.end()) {
    // Staff selling at the box office; a credential that does not verify is refused, never
    // taken for a buyer's checkout.
    auto admitted = co_await guard_.admit(request, context, Action::kSellAtBoxOffice);
    if (auto* refused = std::get_if<http::Response>(&admitted)) {
      co_return std::move(*refused);
    }
    checkout.staff = std::get<GuardedInput>(admitted).principal;
  }
  auto result = co_await workers_.run([&] { return ticketing_.checkOut(checkout); });
  if (!result) {
    co_return domainErrorResponse(result.error(), request, context);
  }
  boost::json::object out{{"order", toJson(result->order, true)}};
  co_return http::privateJsonResponse(result->created ? status::created : status::ok, out,
                                      request.version());
}

BuyerHandler::Awaitable BuyerHandler::getOrder(const http::Request& request,
                                               http::RequestContext& context) {
  return orderAction(request, context, &TicketingService::getOrder);
}

BuyerHandler::Awaitable BuyerHandler::cancelOrder(const http::Request& request,
                                                  http::RequestContext& context) {
  return orderAction(request, context, &TicketingService::cancelOrder);
}

BuyerHandler::Awaitable BuyerHandler::orderAction(const http::Request& request,
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

BuyerHandler::Awaitable BuyerHandler::ticketQr(const http::Request& request,
                                               http::RequestContext& context) {
  std::string code(context.params[0]);
  if (!isToken(code)) {
    co_return domainErrorResponse(notFound("no such ticket"), request, context);
  }
  auto ticket = co_await workers_.run([&] { return ticketing_.getTicket(code); });
  if (!ticket) {
    co_return domainErrorResponse(ticket.error(), request, context);
  }
  auto svg = documents::qrSvg(ticket->code);
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

BuyerHandler::Awaitable BuyerHandler::ticketsPdf(const http::Request& request,
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
    return documents::ticketsPdf(*order, events);
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

}  // namespace tickets::api
