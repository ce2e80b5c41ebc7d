#pragma once

#include <memory>

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/access_service.h"
#include "http/types.h"

namespace spdlog {
class logger;
}

namespace tickets::api {

// The admin API for scoped API tokens: POST and GET /api/admin/tokens, DELETE
// /api/admin/tokens/{id}. Only admins may use it; a new token's secret is in the create response
// and nowhere else.
class AccessHandler {
 public:
  AccessHandler(AccessService& access, AccessGuard& guard, WorkerPool& workers,
                std::shared_ptr<spdlog::logger> log)
      : access_(access), guard_(guard), workers_(workers), log_(std::move(log)) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable create(const http::Request& request, http::RequestContext& context);
  Awaitable list(const http::Request& request, http::RequestContext& context);
  Awaitable revoke(const http::Request& request, http::RequestContext& context);

 private:
  AccessService& access_;
  AccessGuard& guard_;
  WorkerPool& workers_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace tickets::api
