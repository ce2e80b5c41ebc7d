#pragma once

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/waiting_room.h"
#include "http/types.h"

namespace tickets::api {

// The waiting room (domain/waiting_room.h):
//   PUT /api/admin/events/{id}/queue     admin: {"enabled","admit_per_minute","pow_difficulty"}
//   GET /api/admin/events/{id}/queue     admin or reports: waiting, admitted, rate, oldest wait
//   GET /api/events/{id}/queue           anyone: whether it queues, and the proof-of-work challenge
//   POST /api/events/{id}/queue          anyone: join ({"challenge","nonce"} when asked) -> token
//   GET /api/queue/{token}               anyone with the token: waiting, admitted or expired
class QueueHandler {
 public:
  // `trusted_proxies`: as BuyerHandler's, to tell who joins (joins are limited per client).
  QueueHandler(WaitingRoom& room, WorkerPool& workers, AccessGuard& guard,
               unsigned trusted_proxies = 0)
      : room_(room), workers_(workers), guard_(guard), trusted_proxies_(trusted_proxies) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable configure(const http::Request& request, http::RequestContext& context);
  Awaitable report(const http::Request& request, http::RequestContext& context);
  Awaitable challenge(const http::Request& request, http::RequestContext& context);
  Awaitable join(const http::Request& request, http::RequestContext& context);
  Awaitable status(const http::Request& request, http::RequestContext& context);

 private:
  WaitingRoom& room_;
  WorkerPool& workers_;
  AccessGuard& guard_;
  unsigned trusted_proxies_;
};

}  // namespace tickets::api
