#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <utility>

#include "domain/sales_observer.h"

namespace tickets {

// tickets_sold_total, orders_total{status}, holds_expired_total, holds_active,
// checkins_total{result}, holds_refused_total{reason}, holds_purged_total and
// tickets_invariant_violations{check}, payments_total{provider,result} and
// refunds_total{reason}. Every label value is declared here, at start-up.
// Thread-safe.
class SalesMetrics final : public SalesObserver {
 public:
  explicit SalesMetrics(prometheus::Registry& registry);

  void onTicketsSold(int64_t quantity) override;
  void onOrder(std::string_view status) override;
  void onHoldsExpired(int64_t count) override;
  void onActiveHolds(int64_t count) override;
  void onCheckIn(std::string_view result) override;
  void onHoldRefused(std::string_view reason) override;
  void onHoldsPurged(int64_t count) override;
  void onInvariantChecked(const InvariantReport& report) override;
  void onPayment(std::string_view provider, std::string_view result) override;
  void onRefund(std::string_view reason) override;

 private:
  prometheus::Counter& sold_;
  prometheus::Family<prometheus::Counter>& orders_family_;
  prometheus::Counter& orders_paid_;
  prometheus::Counter& orders_cancelled_;
  prometheus::Counter& holds_expired_;
  prometheus::Gauge& holds_active_;
  prometheus::Family<prometheus::Counter>& checkins_family_;
  prometheus::Counter& checkins_admitted_;
  prometheus::Counter& checkins_duplicate_;
  prometheus::Counter& checkins_void_;
  prometheus::Counter& checkins_wrong_event_;
  prometheus::Counter& checkins_unknown_;
  prometheus::Counter& holds_refused_client_limit_;
  prometheus::Counter& holds_purged_;
  prometheus::Family<prometheus::Gauge>& invariant_family_;
  prometheus::Gauge& invariant_oversold_;
  prometheus::Gauge& invariant_sold_vs_tickets_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*, std::less<>> payments_;
  std::map<std::string, prometheus::Counter*, std::less<>> refunds_;
};

}  // namespace tickets
