#pragma once

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/catalogue_service.h"
#include "domain/ticketing_service.h"
#include "http/types.h"

namespace tickets::api {

// Baskets, checkout, orders and check-in (public and door staff), and the admin API for events
// and their sales figures.
class TicketingHandler {
 public:
  TicketingHandler(TicketingService& ticketing, CatalogueService& catalogue, WorkerPool& workers,
                   AccessGuard& guard)
      : ticketing_(ticketing), catalogue_(catalogue), workers_(workers), guard_(guard) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable createBasket(const http::Request& request, http::RequestContext& context);
  Awaitable getBasket(const http::Request& request, http::RequestContext& context);
  Awaitable deleteBasket(const http::Request& request, http::RequestContext& context);
  Awaitable checkOut(const http::Request& request, http::RequestContext& context);
  Awaitable getOrder(const http::Request& request, http::RequestContext& context);
  Awaitable cancelOrder(const http::Request& request, http::RequestContext& context);
  Awaitable checkIn(const http::Request& request, http::RequestContext& context);
  // GET /api/checkin/events/{id}: admitted so far against capacity, for the door's screen.
  Awaitable doorFigures(const http::Request& request, http::RequestContext& context);
  Awaitable ticketQr(const http::Request& request, http::RequestContext& context);
  // GET /api/orders/{code}/tickets.pdf with X-Order-Secret: every ticket of the order, printable.
  Awaitable ticketsPdf(const http::Request& request, http::RequestContext& context);
  Awaitable createEvent(const http::Request& request, http::RequestContext& context);
  Awaitable eventStats(const http::Request& request, http::RequestContext& context);
  Awaitable updateEvent(const http::Request& request, http::RequestContext& context);
  Awaitable addTicketType(const http::Request& request, http::RequestContext& context);
  Awaitable updateTicketType(const http::Request& request, http::RequestContext& context);

 private:
  using OrderAction = Result<Order> (TicketingService::*)(const std::string&, const std::string&);
  Awaitable orderAction(const http::Request& request, http::RequestContext& context,
                        OrderAction action);

  TicketingService& ticketing_;
  CatalogueService& catalogue_;
  WorkerPool& workers_;
  AccessGuard& guard_;
};

}  // namespace tickets::api
