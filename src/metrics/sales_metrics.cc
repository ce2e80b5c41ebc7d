#include "metrics/sales_metrics.h"

namespace tickets {

SalesMetrics::SalesMetrics(prometheus::Registry& registry)
    : sold_(prometheus::BuildCounter()
                .Name("tickets_sold_total")
                .Help("Tickets sold (checked out into paid orders).")
                .Register(registry)
                .Add({})),
      orders_family_(prometheus::BuildCounter()
                         .Name("orders_total")
                         .Help("Orders by the status they reached: paid at checkout, cancelled.")
                         .Register(registry)),
      orders_paid_(orders_family_.Add({{"status", "paid"}})),
      orders_cancelled_(orders_family_.Add({{"status", "cancelled"}})),
      holds_expired_(prometheus::BuildCounter()
                         .Name("holds_expired_total")
                         .Help("Baskets whose hold expired and whose stock was given back by the "
                               "reaper.")
                         .Register(registry)
                         .Add({})),
      holds_active_(prometheus::BuildGauge()
                        .Name("holds_active")
                        .Help("Live baskets holding stock now, in the whole database (every "
                              "replica reports the same number).")
                        .Register(registry)
                        .Add({})),
      checkins_family_(prometheus::BuildCounter()
                           .Name("checkins_total")
                           .Help("Ticket scans at the door by result.")
                           .Register(registry)),
      checkins_admitted_(checkins_family_.Add({{"result", "admitted"}})),
      checkins_duplicate_(checkins_family_.Add({{"result", "duplicate"}})),
      checkins_void_(checkins_family_.Add({{"result", "void"}})),
      checkins_wrong_event_(checkins_family_.Add({{"result", "wrong_event"}})),
      checkins_unknown_(checkins_family_.Add({{"result", "unknown"}})) {}

void SalesMetrics::onTicketsSold(int64_t quantity) {
  sold_.Increment(static_cast<double>(quantity));
}

void SalesMetrics::onOrder(std::string_view status) {
  (status == "cancelled" ? orders_cancelled_ : orders_paid_).Increment();
}

void SalesMetrics::onHoldsExpired(int64_t count) {
  holds_expired_.Increment(static_cast<double>(count));
}

void SalesMetrics::onActiveHolds(int64_t count) { holds_active_.Set(static_cast<double>(count)); }

void SalesMetrics::onCheckIn(std::string_view result) {
  if (result == "admitted") {
    checkins_admitted_.Increment();
  } else if (result == "duplicate") {
    checkins_duplicate_.Increment();
  } else if (result == "void") {
    checkins_void_.Increment();
  } else if (result == "wrong_event") {
    checkins_wrong_event_.Increment();
  } else {
    checkins_unknown_.Increment();
  }
}

}  // namespace tickets
