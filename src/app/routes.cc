#include "app/routes.h"

#include "api/errors.h"
#include "api/faults_handler.h"
#include "api/openapi_document.h"
#include "http/response.h"

namespace tickets {
namespace asio = boost::asio;
using http::beast_http::verb;

void addRoutes(http::Router& router, const Handlers& h, const std::shared_ptr<spdlog::logger>& log,
               const FaultInjector* faults, http::AdaptiveConcurrencyLimit& selling) {
  auto add = [&](verb method, const char* path, http::Handler handler) {
    router.add(method, path,
               faults != nullptr ? api::withFaults(std::move(handler), path, *faults, log)
                                 : std::move(handler));
  };
  auto route = [&](verb method, const char* path, http::Handler handler) {
    add(method, path, api::withErrorBoundary(std::move(handler), log));
  };
  auto sellingRoute = [&](verb method, const char* path, http::Handler handler) {
    add(method, path,
        api::withConcurrencyLimit(api::withErrorBoundary(std::move(handler), log), selling, path));
  };
  auto& operations = h.operations;
  router.add(verb::get, "/healthz",
             [&operations](const auto& r, auto& c) { return operations.health(r, c); });
  router.add(verb::get, "/readiness",
             [&operations](const auto& r, auto& c) { return operations.readiness(r, c); });
  router.add(verb::get, "/metrics",
             [&operations](const auto& r, auto& c) { return operations.metrics(r, c); });

  const auto api_document = std::make_shared<const std::string>(api::openApiDocument());
  route(verb::get, "/api/openapi.json",
        [api_document](const http::Request& r, auto&) -> asio::awaitable<http::Response> {
          auto response =
              http::jsonResponse(http::beast_http::status::ok, api_document, r.version());
          response.set(http::beast_http::field::cache_control, "public, max-age=300");
          co_return response;
        });

  auto& events = h.events;
  route(verb::get, "/api/events", [&events](const auto& r, auto& c) { return events.list(r, c); });
  route(verb::get, "/api/events/{id}",
        [&events](const auto& r, auto& c) { return events.get(r, c); });

  auto& buyer = h.buyer;
  sellingRoute(verb::post, "/api/basket",
               [&buyer](const auto& r, auto& c) { return buyer.createBasket(r, c); });
  route(verb::get, "/api/basket/{id}",
        [&buyer](const auto& r, auto& c) { return buyer.getBasket(r, c); });
  route(verb::delete_, "/api/basket/{id}",
        [&buyer](const auto& r, auto& c) { return buyer.deleteBasket(r, c); });
  sellingRoute(verb::post, "/api/checkout",
               [&buyer](const auto& r, auto& c) { return buyer.checkOut(r, c); });
  route(verb::get, "/api/orders/{code}",
        [&buyer](const auto& r, auto& c) { return buyer.getOrder(r, c); });
  route(verb::post, "/api/orders/{code}/cancel",
        [&buyer](const auto& r, auto& c) { return buyer.cancelOrder(r, c); });

  auto& door = h.door;
  route(verb::post, "/api/checkin", [&door](const auto& r, auto& c) { return door.checkIn(r, c); });
  route(verb::get, "/api/checkin/events/{id}",
        [&door](const auto& r, auto& c) { return door.doorFigures(r, c); });
  route(verb::get, "/api/orders/{code}/tickets.pdf",
        [&buyer](const auto& r, auto& c) { return buyer.ticketsPdf(r, c); });
  auto& payments = h.payments;
  route(verb::post, "/api/payments/stripe/webhook",
        [&payments](const auto& r, auto& c) { return payments.stripeWebhook(r, c); });
  route(verb::post, "/api/admin/orders/{code}/tickets/{ticket}/cancel",
        [&payments](const auto& r, auto& c) { return payments.cancelTicket(r, c); });
  route(verb::get, "/api/admin/outbox",
        [&payments](const auto& r, auto& c) { return payments.listOutbox(r, c); });
  route(verb::post, "/api/admin/outbox/{id}/retry",
        [&payments](const auto& r, auto& c) { return payments.retryOutbox(r, c); });
  route(verb::get, "/api/tickets/{code}/qr.svg",
        [&buyer](const auto& r, auto& c) { return buyer.ticketQr(r, c); });

  auto& organiser = h.organiser;
  route(verb::post, "/api/admin/events",
        [&organiser](const auto& r, auto& c) { return organiser.createEvent(r, c); });
  route(verb::patch, "/api/admin/events/{id}",
        [&organiser](const auto& r, auto& c) { return organiser.updateEvent(r, c); });
  route(verb::post, "/api/admin/events/{id}/ticket-types",
        [&organiser](const auto& r, auto& c) { return organiser.addTicketType(r, c); });
  route(verb::patch, "/api/admin/ticket-types/{id}",
        [&organiser](const auto& r, auto& c) { return organiser.updateTicketType(r, c); });
  route(verb::get, "/api/admin/events/{id}/stats",
        [&organiser](const auto& r, auto& c) { return organiser.eventStats(r, c); });
  route(verb::get, "/api/admin/events",
        [&organiser](const auto& r, auto& c) { return organiser.listEvents(r, c); });
  route(verb::get, "/api/admin/events/{id}",
        [&organiser](const auto& r, auto& c) { return organiser.getEvent(r, c); });
  route(verb::get, "/api/admin/events/{id}/sales",
        [&organiser](const auto& r, auto& c) { return organiser.sales(r, c); });

  auto& queue = h.queue;
  route(verb::get, "/api/events/{id}/queue",
        [&queue](const auto& r, auto& c) { return queue.challenge(r, c); });
  route(verb::post, "/api/events/{id}/queue",
        [&queue](const auto& r, auto& c) { return queue.join(r, c); });
  route(verb::get, "/api/queue/{token}",
        [&queue](const auto& r, auto& c) { return queue.status(r, c); });
  route(verb::put, "/api/admin/events/{id}/queue",
        [&queue](const auto& r, auto& c) { return queue.configure(r, c); });
  route(verb::get, "/api/admin/events/{id}/queue",
        [&queue](const auto& r, auto& c) { return queue.report(r, c); });

  auto& tokens = h.tokens;
  route(verb::post, "/api/admin/tokens",
        [&tokens](const auto& r, auto& c) { return tokens.create(r, c); });
  route(verb::get, "/api/admin/tokens",
        [&tokens](const auto& r, auto& c) { return tokens.list(r, c); });
  route(verb::delete_, "/api/admin/tokens/{id}",
        [&tokens](const auto& r, auto& c) { return tokens.revoke(r, c); });
}

}  // namespace tickets
