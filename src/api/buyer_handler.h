#pragma once

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/catalogue_service.h"
#include "domain/ticketing_service.h"
#include "http/types.h"

namespace tickets::api {

// What a buyer does, anonymous (the basket id, the order code with its secret and the ticket code
// are the credentials):
//   POST /api/basket, GET and DELETE /api/basket/{id}       hold stock for a while
//   POST /api/checkout (Idempotency-Key)                     turn a basket into an order: paid
//                                                            at once if free or sold by staff
//                                                            (Authorization), else pending
//                                                            until paid at payment_url
//   GET /api/orders/{code}, POST /api/orders/{code}/cancel   with X-Order-Secret
//   GET /api/orders/{code}/tickets.pdf                       every ticket, printable
//   GET /api/tickets/{code}/qr.svg                           a ticket's QR code
class BuyerHandler {
 public:
  // `trusted_proxies`: proxies in front that append to X-Forwarded-For (TRUSTED_PROXIES), to
  // tell who a basket's client is.
  BuyerHandler(TicketingService& ticketing, CatalogueService& catalogue, WorkerPool& workers,
               AccessGuard& guard, unsigned trusted_proxies = 0)
      : ticketing_(ticketing),
        catalogue_(catalogue),
        workers_(workers),
        guard_(guard),
        trusted_proxies_(trusted_proxies) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable createBasket(const http::Request& request, http::RequestContext& context);
  Awaitable getBasket(const http::Request& request, http::RequestContext& context);
  Awaitable deleteBasket(const http::Request& request, http::RequestContext& context);
  Awaitable checkOut(const http::Request& request, http::RequestContext& context);
  Awaitable getOrder(const http::Request& request, http::RequestContext& context);
  Awaitable cancelOrder(const http::Request& request, http::RequestContext& context);
  Awaitable ticketQr(const http::Request& request, http::RequestContext& context);
  Awaitable ticketsPdf(const http::Request& request, http::RequestContext& context);

 private:
  using OrderAction = Result<Order> (TicketingService::*)(const std::string&, const std::string&);
  Awaitable orderAction(const http::Request& request, http::RequestContext& context,
                        OrderAction action);

  TicketingService& ticketing_;
  CatalogueService& catalogue_;
  WorkerPool& workers_;
  AccessGuard& guard_;
  unsigned trusted_proxies_;
};

}  // namespace tickets::api
