#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/access_guard.h"
#include "common/fault_injector.h"
#include "http/types.h"

namespace spdlog {
class logger;
}

namespace tickets::api {

// Admin API for fault injection drills: GET, PUT and DELETE /api/admin/faults, for admins only.
// Registered only when FAULT_INJECTION is on.
class FaultsHandler {
 public:
  static constexpr std::chrono::milliseconds kMaxLatency{30000};

  FaultsHandler(FaultInjector& faults, AccessGuard& guard, std::vector<std::string> routes,
                std::shared_ptr<spdlog::logger> log)
      : faults_(faults), guard_(guard), routes_(std::move(routes)), log_(std::move(log)) {}

  boost::asio::awaitable<http::Response> get(const http::Request& request,
                                             http::RequestContext& context);
  boost::asio::awaitable<http::Response> put(const http::Request& request,
                                             http::RequestContext& context);
  boost::asio::awaitable<http::Response> clear(const http::Request& request,
                                               http::RequestContext& context);

 private:
  FaultInjector& faults_;
  AccessGuard& guard_;
  std::vector<std::string> routes_;
  std::shared_ptr<spdlog::logger> log_;
};

// Applies the route's injected latency and error ratio before calling the handler.
http::Handler withFaults(http::Handler handler, std::string route_template,
                         const FaultInjector& faults, std::shared_ptr<spdlog::logger> log);

}  // namespace tickets::api
