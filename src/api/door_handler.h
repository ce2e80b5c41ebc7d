#pragma once

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/ticketing_service.h"
#include "http/types.h"

namespace tickets::api {

// What the door does, with an admin token or a door token of the event:
//   POST /api/checkin                  admit a ticket at an event's door, once
//   GET /api/checkin/events/{id}       admitted so far against capacity, for the door's screen
class DoorHandler {
 public:
  DoorHandler(TicketingService& ticketing, WorkerPool& workers, AccessGuard& guard)
      : ticketing_(ticketing), workers_(workers), guard_(guard) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable checkIn(const http::Request& request, http::RequestContext& context);
  Awaitable doorFigures(const http::Request& request, http::RequestContext& context);

 private:
  TicketingService& ticketing_;
  WorkerPool& workers_;
  AccessGuard& guard_;
};

}  // namespace tickets::api
