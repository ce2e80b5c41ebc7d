#pragma once

#include <spdlog/logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <exception>

#include "api/worker_pool.h"
#include "common/json_log.h"
#include "domain/outbox.h"
#include "domain/ticketing_service.h"

namespace tickets {

// The shop's periodic chores, with no operator action: every second the waiting room's tick
// (domain/waiting_room.h: arrivals written, watermarks advanced); every 5 s it gives back the stock
// of expired baskets (a basket short of stock also expires the holds in its way at once); every 15
// s (and at start) it checks the selling invariant over every ticket type, for
// tickets_invariant_violations; every hour it deletes baskets that ended HOLD_RETENTION_DAYS
// ago. Every second it delivers what is due in the outbox (refunds, emails) and reports its depth;
// every 5 s it asks the provider about payments its webhook has not settled (the reconciler). A
// chore that fails is logged and tried again at its next turn.
class Housekeeper {
 public:
  static constexpr std::chrono::seconds kInterval{5};
  static constexpr int64_t kInvariantEvery = 3;  // intervals
  static constexpr int64_t kPurgeEvery = 720;    // intervals

  static constexpr int64_t kReconcileEvery = 5;  // outbox turns (seconds)

  Housekeeper(boost::asio::io_context& io, WorkerPool& workers, TicketingService& ticketing,
              WaitingRoom& waiting_room, OutboxDispatcher& outbox, spdlog::logger& log)
      : workers_(workers),
        ticketing_(ticketing),
        waiting_room_(waiting_room),
        outbox_(outbox),
        log_(log),
        timer_(io),
        queue_timer_(io),
        outbox_timer_(io) {}

  void start() {
    boost::asio::co_spawn(timer_.get_executor(), loop(), boost::asio::detached);
    boost::asio::co_spawn(queue_timer_.get_executor(), queueLoop(), boost::asio::detached);
    boost::asio::co_spawn(outbox_timer_.get_executor(), outboxLoop(), boost::asio::detached);
  }

 private:
  boost::asio::awaitable<void> outboxLoop() {
    for (int64_t turn = 0;; ++turn) {
      co_await chore("delivering the outbox", [this] {
        outbox_.dispatch();
        outbox_.report();
      });
      if (turn % kReconcileEvery == 0) {
        co_await chore("reconciling payments", [this] {
          if (int64_t settled = ticketing_.reconcilePayments(); settled > 0) {
            log_.info(R"("msg":"payments settled by reconciliation","count":{})", settled);
          }
        });
      }
      outbox_timer_.expires_after(std::chrono::seconds(1));
      auto [ec] =
          co_await outbox_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) {
        co_return;
      }
    }
  }

  boost::asio::awaitable<void> queueLoop() {
    for (;;) {
      queue_timer_.expires_after(std::chrono::seconds(1));
      auto [ec] =
          co_await queue_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) {
        co_return;
      }
      co_await chore("advancing the waiting rooms", [this] { waiting_room_.tick(); });
    }
  }

  boost::asio::awaitable<void> loop() {
    for (int64_t turn = 0;; ++turn) {
      if (turn % kInvariantEvery == 0) {
        co_await chore("checking the selling invariant", [this] {
          auto report = ticketing_.checkInvariant();
          if (report.oversold > 0 || report.sold_vs_tickets > 0) {
            log_.critical(
                R"("msg":"selling invariant broken","oversold_ticket_types":{},"sold_vs_tickets_ticket_types":{},"action":"see runbook Tickets Oversold")",
                report.oversold, report.sold_vs_tickets);
          }
        });
      }
      if (turn % kPurgeEvery == 1) {
        co_await chore("deleting ended baskets", [this] {
          if (int64_t purged = ticketing_.purgeEndedHolds(); purged > 0) {
            log_.info(R"("msg":"ended baskets deleted","count":{})", purged);
          }
        });
      }
      timer_.expires_after(kInterval);
      auto [ec] = co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      if (ec) {
        co_return;
      }
      co_await chore("expiring baskets", [this] {
        if (int64_t expired = ticketing_.expireHolds(); expired > 0) {
          log_.info(R"("msg":"expired baskets released","count":{})", expired);
        }
      });
    }
  }

  template <class Job>
  boost::asio::awaitable<void> chore(const char* what, Job job) {
    try {
      co_await workers_.run(std::move(job));
    } catch (const std::exception& e) {
      log_.warn(R"("msg":"{} failed; will retry","error":"{}")", what, JsonEscaped{e.what()});
    }
  }

  WorkerPool& workers_;
  TicketingService& ticketing_;
  WaitingRoom& waiting_room_;
  OutboxDispatcher& outbox_;
  spdlog::logger& log_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer queue_timer_;
  boost::asio::steady_timer outbox_timer_;
};

}  // namespace tickets
