#pragma once

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/catalogue_service.h"
#include "domain/ticketing_service.h"
#include "http/types.h"

namespace tickets::api {

// What organisers read about their events, drafts included, never from the public cache (admin
// or reports tokens):
//   GET /api/admin/events                      the listing of GET /api/events, every status
//   GET /api/admin/events/{id}                 one event and its ticket types, drafts too
//   GET /api/admin/events/{id}/stats           sold, held, available, checked in, revenue
//   GET /api/admin/events/{id}/sales?bucket=   paid sales per hour or day
// and how they change them (admin tokens):
//   POST /api/admin/events, PATCH /api/admin/events/{id}
//   POST /api/admin/events/{id}/ticket-types, PATCH /api/admin/ticket-types/{id}
class AdminCatalogueHandler {
 public:
  AdminCatalogueHandler(CatalogueService& catalogue, TicketingService& ticketing,
                        WorkerPool& workers, AccessGuard& guard)
      : catalogue_(catalogue), ticketing_(ticketing), workers_(workers), guard_(guard) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable listEvents(const http::Request& request, http::RequestContext& context);
  Awaitable getEvent(const http::Request& request, http::RequestContext& context);
  Awaitable sales(const http::Request& request, http::RequestContext& context);
  Awaitable eventStats(const http::Request& request, http::RequestContext& context);
  Awaitable createEvent(const http::Request& request, http::RequestContext& context);
  Awaitable updateEvent(const http::Request& request, http::RequestContext& context);
  Awaitable addTicketType(const http::Request& request, http::RequestContext& context);
  Awaitable updateTicketType(const http::Request& request, http::RequestContext& context);

 private:
  CatalogueService& catalogue_;
  TicketingService& ticketing_;
  WorkerPool& workers_;
  AccessGuard& guard_;
};

}  // namespace tickets::api
