#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "api/worker_pool.h"
#include "http/types.h"

namespace spdlog {
class logger;
}

namespace tickets::api {

// /healthz (alive: no database call), /readiness (should get traffic: the database answers and
// the process is not draining) and /metrics (Prometheus text format).
class OperationsHandler {
 public:
  static constexpr std::chrono::milliseconds kReadinessTimeout{1000};

  // Answers quickly whether the database serves queries; throws if not (Database::ping).
  using Ping = std::function<void(std::chrono::milliseconds timeout)>;

  OperationsHandler(Ping ping, WorkerPool& workers,
                    std::vector<const prometheus::Collectable*> collectables,
                    const std::atomic<bool>& draining, std::shared_ptr<spdlog::logger> log)
      : ping_(std::move(ping)),
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
  Ping ping_;
  WorkerPool& workers_;
  std::vector<const prometheus::Collectable*> collectables_;
  const std::atomic<bool>& draining_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace tickets::api
