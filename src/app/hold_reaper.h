#pragma once

#include <spdlog/logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>

#include "api/worker_pool.h"
#include "common/json_log.h"
#include "domain/ticketing_service.h"

namespace tickets {

// Gives back the stock of expired baskets every few seconds, with no operator action. (A basket
// short of stock also expires the holds in its way at once.)
class HoldReaper {
 public:
  static constexpr std::chrono::seconds kInterval{5};

  HoldReaper(boost::asio::io_context& io, WorkerPool& workers, TicketingService& ticketing,
             spdlog::logger& log)
      : workers_(workers), ticketing_(ticketing), log_(log), timer_(io) {}

  void start() { boost::asio::co_spawn(timer_.get_executor(), loop(), boost::asio::detached); }

 private:
  boost::asio::awaitable<void> loop() {
    for (;;) {
      timer_.expires_after(kInterval);
      auto [ec] = co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) {
        co_return;
      }
      try {
        int64_t expired = co_await workers_.run([this] { return ticketing_.expireHolds(); });
        if (expired > 0) {
          log_.info(R"("msg":"expired baskets released","count":{})", expired);
        }
      } catch (const std::exception& e) {
        log_.warn(R"("msg":"expiring baskets failed; will retry","error":"{}")",
                  JsonEscaped{e.what()});
      }
    }
  }

  WorkerPool& workers_;
  TicketingService& ticketing_;
  spdlog::logger& log_;
  boost::asio::steady_timer timer_;
};

}  // namespace tickets
