#pragma once

#include <cstdint>
#include <string_view>

#include "domain/ticketing.h"

namespace tickets {

// Told what the ticket shop sells and admits, e.g. to count it in metrics. Implementations are
// thread-safe and fast; they must not call back into the domain.
class SalesObserver {
 public:
  virtual ~SalesObserver() = default;
  virtual void onTicketsSold(int64_t quantity) = 0;
  virtual void onOrder(std::string_view status) = 0;  // "paid", "cancelled"
  virtual void onHoldsExpired(int64_t count) = 0;
  virtual void onActiveHolds(int64_t count) = 0;  // the current number, all replicas
  // "admitted", "duplicate", "void", "wrong_event", "unknown"
  virtual void onCheckIn(std::string_view result) = 0;
  // A basket refused before any stock was looked at: "client_limit".
  virtual void onHoldRefused(std::string_view reason) = 0;
  virtual void onHoldsPurged(int64_t count) = 0;
  virtual void onInvariantChecked(const InvariantReport& report) = 0;
  // A payment's outcome: provider "stripe" or "box_office"; result "paid", "expired",
  // "refunded_late" (paid after the stock was gone) or "failed" (the provider was unreachable).
  virtual void onPayment(std::string_view /*provider*/, std::string_view /*result*/) {}
  // A refund decided: "order_cancelled", "ticket_cancelled", "late_payment".
  virtual void onRefund(std::string_view /*reason*/) {}
};

}  // namespace tickets
