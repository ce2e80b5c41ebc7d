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
      checkins_unknown_(checkins_family_.Add({{"result", "unknown"}})),
      holds_refused_client_limit_(
          prometheus::BuildCounter()
              .Name("holds_refused_total")
              .Help("Baskets refused before any stock was looked at, by reason: client_limit (the "
                    "client already holds HOLD_LIMIT_PER_CLIENT live baskets of the event).")
              .Register(registry)
              .Add({{"reason", "client_limit"}})),
      holds_purged_(prometheus::BuildCounter()
                        .Name("holds_purged_total")
                        .Help("Ended baskets deleted HOLD_RETENTION_DAYS after they ended.")
                        .Register(registry)
                        .Add({})),
      invariant_family_(prometheus::BuildGauge()
                            .Name("tickets_invariant_violations")
                            .Help("Ticket types breaking the selling invariant at the last check "
                                  "(every 15 s, whole database): oversold (sold + held > "
                                  "capacity) or sold_vs_tickets (sold differs from the valid "
                                  "tickets issued). Always 0 in a healthy shop.")
                            .Register(registry)),
      invariant_oversold_(invariant_family_.Add({{"check", "oversold"}})),
      invariant_sold_vs_tickets_(invariant_family_.Add({{"check", "sold_vs_tickets"}})) {
  auto& payments = prometheus::BuildCounter()
                       .Name("payments_total")
                       .Help(
                           "Payment outcomes by provider (stripe, box_office) and result: paid, "
                           "expired (not completed in time), refunded_late (paid after the "
                           "stock was gone, refunded in full), failed (the provider could not "
                           "open a payment).")
                       .Register(registry);
  for (const char* provider : {"stripe", "box_office"}) {
    for (const char* result : {"paid", "expired", "refunded_late", "failed"}) {
      payments_[{provider, result}] = &payments.Add({{"provider", provider}, {"result", result}});
    }
  }
  auto& refunds = prometheus::BuildCounter()
                      .Name("refunds_total")
                      .Help(
                          "Refunds decided (each is then sent through the outbox), by reason: "
                          "order_cancelled, ticket_cancelled, late_payment.")
                      .Register(registry);
  for (const char* reason : {"order_cancelled", "ticket_cancelled", "late_payment"}) {
    refunds_[reason] = &refunds.Add({{"reason", reason}});
  }
}

void SalesMetrics::onPayment(std::string_view provider, std::string_view result) {
  if (auto it = payments_.find(std::make_pair(std::string(provider), std::string(result)));
      it != payments_.end()) {
    it->second->Increment();
  }
}

void SalesMetrics::onRefund(std::string_view reason) {
  if (auto it = refunds_.find(reason); it != refunds_.end()) {
    it->second->Increment();
  }
}

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

void SalesMetrics::onHoldRefused(std::string_view) { holds_refused_client_limit_.Increment(); }

void SalesMetrics::onHoldsPurged(int64_t count) {
  holds_purged_.Increment(static_cast<double>(count));
}

void SalesMetrics::onInvariantChecked(const InvariantReport& report) {
  invariant_oversold_.Set(static_cast<double>(report.oversold));
  invariant_sold_vs_tickets_.Set(static_cast<double>(report.sold_vs_tickets));
}

}  // namespace tickets
