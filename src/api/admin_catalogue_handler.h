#pragma once

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/catalogue_service.h"
#include "domain/ticketing_service.h"
#include "http/types.h"

namespace tickets::api {

// What organisers read about their events, drafts included, never from the public cache:
//   GET /api/admin/events                      the listing of GET /api/events, every status
//   GET /api/admin/events/{id}                 one event and its ticket types, drafts too
//   GET /api/admin/events/{id}/sales?bucket=   paid sales per hour or day
// Admin or reports tokens.
class AdminCatalogueHandler {
 public:
  AdminCatalogueHandler(CatalogueService& catalogue, TicketingService& ticketing,
                        WorkerPool& workers, AccessGuard& guard)
      : catalogue_(catalogue), ticketing_(ticketing), workers_(workers), guard_(guard) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable listEvents(const http::Request& request, http::RequestContext& context);
  Awaitable getEvent(const http::Request& request, http::RequestContext& context);
  Awaitable sales(const http::Request& request, http::RequestContext& context);

 private:
  CatalogueService& catalogue_;
  TicketingService& ticketing_;
  WorkerPool& workers_;
  AccessGuard& guard_;
};

}  // namespace tickets::api
