#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <memory>
#include <vector>

#include "api/worker_pool.h"
#include "http/types.h"
#include "storage/database.h"

namespace spdlog {
class logger;
}

namespace tickets::api {

// /healthz (alive: no database call), /readiness (should get traffic: the database answers and
// the process is not draining) and /metrics (Prometheus text format).
class OperationsHandler {
 public:
  static constexpr std::chrono::milliseconds kReadinessTimeout{1000};

  OperationsHandler(Database& database, WorkerPool& workers,
                    std::vector<const prometheus::Collectable*> collectables,
                    const std::atomic<bool>& draining, std::shared_ptr<spdlog::logger> log)
      : database_(database),
        workers_(workers),
        collectables_(std::move(collectables)),
        draining_(draining),
        log_(std::move(log)) {}

  boost::asio::awaitable<http::Response> health(const http::Request& request,
                                                http::RequestContext& context);
  boost::asio::awaitable<http::Response> readiness(const http::Request& request,
                                                   http::RequestContext& context);
  boost::asio::awaitable<http::Response> metrics(const http::Request& request,
                                                 http::RequestContext& context);

 private:
  Database& database_;
  WorkerPool& workers_;
  std::vector<const prometheus::Collectable*> collectables_;
  const std::atomic<bool>& draining_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace tickets::api
