#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "domain/access.h"
#include "domain/error.h"
#include "domain/payment.h"
#include "domain/sales_observer.h"
#include "domain/selling_rules.h"
#include "domain/ticketing.h"
#include "domain/ticketing_repository.h"
#include "domain/waiting_room.h"

namespace tickets {

struct CheckoutRequest {
  std::string basket_id;
  std::string email;
  std::string name;
  std::string idempotency_key;
  // Staff selling at the box office (admin, or a door token of the basket's events): the order
  // is paid at once, nothing is taken online. Anyone else pays online unless the basket is free.
  std::optional<Principal> staff;
};

// Where buyers are sent back to after paying online.
struct PaymentSettings {
  std::string public_base_url;  // e.g. https://tickets.example.com, no trailing slash
  // How long a pending payment waits for the provider's webhook before the reconciler asks the
  // provider about it (and then at most once per this long).
  std::chrono::seconds reconcile_after{60};
};

// How the shop sells: how long a basket holds its stock, how many live baskets of one event a
// client may hold (0: no limit), and how long ended baskets are kept (0: forever).
struct SellingPolicy {
  std::chrono::seconds hold_ttl{600};
  int64_t holds_per_client = 0;
  std::chrono::hours hold_retention{0};
};

struct CheckoutResult {
  Order order;          // paid, or pending_payment with where to pay
  bool created = true;  // false: an earlier attempt with the same key made it
};

// The ticket shop's selling rules: baskets that hold stock for a while, idempotent checkout into
// paid orders with tickets, cancellation, and check-in at the door. Thread-safe; every call
// blocks on the repository, so call it off the I/O threads.
class TicketingService {
 public:
  static constexpr size_t kMaxBasketLines = 20;
  // Expired holds given back per transaction.
  static constexpr int64_t kExpiryBatch = 100;
  // Ended holds deleted per transaction.
  static constexpr int64_t kPurgeBatch = 500;

  // Availability in the catalogue's listings is not refreshed by sales: it is at most the
  // cache's bound old, and the basket, not the listing, decides what can be sold.
  TicketingService(TicketingRepository& repository, const Clock& clock, SellingPolicy policy,
                   SalesObserver* observer = nullptr)
      : repository_(repository), clock_(clock), policy_(policy), observer_(observer) {}

  // Priced baskets checked out by the public are paid through `provider`; without one they are
  // refused (kPaymentsNotConfigured). Before serving.
  void setPaymentProvider(PaymentProvider* provider, PaymentSettings settings) {
    provider_ = provider;
    payment_settings_ = std::move(settings);
  }
  // Buyers are emailed (confirmations, refunds, cancellations) through the outbox. Before
  // serving.
  void setNotifications(bool notify) { notify_ = notify; }

  // `client`: who asks (an address), counted against SellingPolicy::holds_per_client; empty:
  // unknown, not limited. `queue_token`: the buyer's waiting-room token, needed when an event
  // of the basket sells through a queue (see setWaitingRoom).
  Result<Hold> createBasket(const std::vector<BasketLine>& lines, const std::string& client = {},
                            const std::string& queue_token = {});

  // Baskets of events with an enabled queue then need an admitted token of it.
  void setWaitingRoom(WaitingRoom* waiting_room) { waiting_room_ = waiting_room; }
  // kNotFound for an unknown id; kGone once it expired, was deleted or was checked out.
  Result<Hold> getBasket(const std::string& id);
  Result<Hold> deleteBasket(const std::string& id);

  Result<CheckoutResult> checkOut(const CheckoutRequest& request);
  // Applies what the payment provider says happened (a verified webhook event).
  Result<selling::Settlement> applyPaymentEvent(const PaymentEvent& event);
  // Asks the provider about pending payments that its webhook has not settled within
  // PaymentSettings::reconcile_after (a lost webhook) and settles those it says were paid or
  // expired; payments that never got a session expire once their hold has. Returns how many were
  // settled.
  int64_t reconcilePayments(int64_t limit = 100);
  // Staff cancel one ticket of an order (partial refund, stock back).
  Result<Order> cancelTicket(const std::string& order_code, const std::string& ticket_code);
  // A wrong or missing secret is kNotFound, exactly like an unknown code.
  Result<Order> getOrder(const std::string& code, const std::string& secret);
  Result<Order> cancelOrder(const std::string& code, const std::string& secret);

  // Admits the ticket at the door of `event`; a ticket of another event stays unused.
  Result<Ticket> checkIn(const std::string& ticket_code, EventId event);
  // The ticket for its code (the code itself is the credential).
  Result<Ticket> getTicket(const std::string& ticket_code);
  Result<EventStats> stats(EventId event);
  // Paid sales of an event per hour or per day (UTC). kNotFound for an unknown event.
  Result<SalesSeries> salesOverTime(EventId event, std::chrono::seconds bucket);

  // Gives back the stock of expired holds; returns how many were expired. Also reports the
  // number of live holds to the observer.
  int64_t expireHolds(int64_t limit = 1000);
  // Deletes baskets that ended (released or expired) more than SellingPolicy::hold_retention
  // ago, at most `limit`; returns how many. Nothing with a retention of 0.
  int64_t purgeEndedHolds(int64_t limit = 10000);
  // Checks the selling invariant over every ticket type and reports it to the observer.
  InvariantReport checkInvariant();

 private:
  SystemTime now() const;
  // Runs a selling rule as one write of the repository and returns its answer.
  template <class T, class Rule>
  Result<T> write(const WriteScope& scope, Rule&& rule) {
    std::optional<Result<T>> answer;
    repository_.write(scope, [&](SellingTransaction& tx) { answer.emplace(rule(tx)); });
    return std::move(*answer);
  }

  Result<CheckoutResult> checkOutOnline(const CheckoutRequest& request, const Hold& hold,
                                        const std::string& fingerprint);
  WriteScope scopeOf(const Hold& hold) const;
  void countRefunds(const Order& before, const Order& after, std::string_view reason);

  TicketingRepository& repository_;
  PaymentProvider* provider_ = nullptr;
  PaymentSettings payment_settings_;
  const Clock& clock_;
  SellingPolicy policy_;
  SalesObserver* observer_;
  WaitingRoom* waiting_room_ = nullptr;
  bool notify_ = false;
};

// A short, human-friendly order code: 10 characters of Crockford's base32 (no I, L, O, U).
std::string makeOrderCode();

bool isPlausibleEmail(const std::string& email);

}  // namespace tickets
