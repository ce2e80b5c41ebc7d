#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>

#include "config/config.h"
#include "http/server.h"

namespace tickets {

// Shuts down in the order a load balancer needs: readiness fails at once, serving goes on for
// the drain period, then the listener closes and in-flight requests get a bounded time to end.
class Shutdown {
 public:
  Shutdown(boost::asio::io_context& io, http::Server& server, std::atomic<bool>& draining,
           const Config& config, spdlog::logger& log)
      : io_(io),
        server_(server),
        draining_(draining),
        config_(config),
        log_(log),
        // One strand for the signal and the timer handlers, which share timer_ and deadline_
        // (io is run by one thread; the strand keeps them safe should that change).
        signals_(boost::asio::make_strand(io), SIGINT, SIGTERM),
        timer_(signals_.get_executor()) {}

  void arm() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (!ec) {
        begin(signal);
      }
    });
  }

 private:
  void begin(int signal) {
    if (draining_.exchange(true)) {
      log_.warn(R"("msg":"second signal: closing the listener now","signal":{})", signal);
      stopAccepting();
      return;
    }
    server_.setDraining(true);
    log_.info(R"("msg":"shutdown requested: readiness now fails","signal":{},"drain_seconds":{})",
              signal, config_.shutdown_drain.count());
    arm();
    timer_.expires_after(config_.shutdown_drain);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) {
        stopAccepting();
      }
    });
  }

  void stopAccepting() {
    timer_.cancel();
    server_.stopAccepting();
    deadline_ = std::chrono::steady_clock::now() + config_.shutdown_timeout;
    log_.info(R"("msg":"listener closed; waiting for in-flight requests","in_flight":{})",
              server_.inFlight());
    waitForInFlight();
  }

  void waitForInFlight() {
    if (server_.inFlight() == 0 || std::chrono::steady_clock::now() >= deadline_) {
      if (server_.inFlight() != 0) {
        log_.warn(R"("msg":"shutdown timeout: abandoning in-flight requests","in_flight":{})",
                  server_.inFlight());
      }
      io_.stop();
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      // Cancelled by a second signal's stopAccepting(), which waits on its own.
      if (ec != boost::asio::error::operation_aborted) {
        waitForInFlight();
      }
    });
  }

  boost::asio::io_context& io_;
  http::Server& server_;
  std::atomic<bool>& draining_;
  const Config& config_;
  spdlog::logger& log_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace tickets
