#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "domain/catalogue.h"
#include "domain/error.h"
#include "domain/payment.h"

namespace tickets {

// A line of a basket as the buyer asked for it.
struct BasketLine {
  TicketTypeId ticket_type_id = 0;
  int64_t quantity = 0;
};

// A ticket type with what a basket needs to know of its event.
struct TicketTypeOffer {
  TicketType type;
  Event event;
};

struct HoldItem {
  TicketTypeId ticket_type_id = 0;
  EventId event_id = 0;
  std::string name;
  int64_t quantity = 0;
  Money unit_price;
};

enum class HoldStatus { kActive, kReleased, kExpired, kCheckedOut };
std::string_view toString(HoldStatus status);
std::optional<HoldStatus> parseHoldStatus(std::string_view text);

// A basket: stock held for one buyer until expires_at.
struct Hold {
  std::string id;  // unguessable, 128 random bits
  HoldStatus status = HoldStatus::kActive;
  std::vector<HoldItem> items;
  SystemTime created_at;
  SystemTime expires_at;
  // Who made it (the client's address), for the limit of live baskets per client; never shown
  // to anyone. Empty when unknown.
  std::string client;
  // The id of the waiting-room pass it was made with, if its event sells through a queue: a
  // pass makes one basket. Never shown.
  std::string queue_pass;

  Money total() const;
  bool liveAt(SystemTime now) const { return status == HoldStatus::kActive && now < expires_at; }
};

// The payment of a basket taken online: the order exists as `pending_payment` until the
// provider says the buyer paid; only then is it an order with tickets. A payment that ends
// without money stays `expired`; one whose money came after its stock was gone is `refunded`.
enum class PaymentStatus { kPending, kPaid, kExpired, kCancelled, kRefunded };
std::string_view toString(PaymentStatus status);
std::optional<PaymentStatus> parsePaymentStatus(std::string_view text);

struct Payment {
  std::string order_code;  // the order it becomes, and the reference the provider shows
  std::string secret;      // the order's secret
  std::string hold_id;
  std::string idempotency_key;
  std::string request_fingerprint;
  std::string provider;  // "stripe"
  PaymentStatus status = PaymentStatus::kPending;
  std::string email;
  std::string name;
  Money total;
  std::string session_id;  // empty until the provider made its session
  std::string payment_url;
  std::optional<SystemTime> session_expires_at;
  std::string payment_reference;  // the provider's reference of the money taken
  std::string reason;             // why it was refunded or expired, for the buyer
  SystemTime created_at;
  std::vector<HoldItem> items;  // the hold's, when read with them
};

// pending_payment -> paid | expired | cancelled; paid -> refunded | partially_refunded (some of
// its tickets cancelled and their price given back) | cancelled (nothing was taken online).
enum class OrderStatus {
  kPendingPayment,
  kPaid,
  kExpired,
  kCancelled,
  kRefunded,
  kPartiallyRefunded
};
std::string_view toString(OrderStatus status);
std::optional<OrderStatus> parseOrderStatus(std::string_view text);

struct Ticket {
  std::string code;  // unguessable, 128 random bits
  TicketTypeId ticket_type_id = 0;
  EventId event_id = 0;
  bool void_ = false;
  std::optional<SystemTime> checked_in_at;
};

struct Order {
  std::string code;    // short and human-friendly, never enough alone
  std::string secret;  // 128 random bits; needed with the code
  OrderStatus status = OrderStatus::kPaid;
  std::string email;
  std::string name;
  std::vector<HoldItem> items;
  Money total;
  std::vector<Ticket> tickets;  // none until paid
  SystemTime created_at;
  std::string provider;  // "box_office" or the online provider's name
  Money refunded;        // given back so far
  // While pending: where the buyer pays, until when.
  std::string payment_url;
  std::optional<SystemTime> payment_expires_at;
  std::string reason;  // why it was refunded or expired, when the shop did it

  // Tickets bought and not cancelled.
  int64_t validTickets() const;
};

// What the repository needs to turn a live hold into a paid order, all decided beforehand.
struct NewOrder {
  std::string hold_id;
  std::string idempotency_key;
  std::string request_fingerprint;  // same key with another body must be refused
  std::string code;
  std::string secret;
  std::string email;
  std::string name;
  std::string payment_reference;
  std::string provider = "box_office";
  std::vector<std::string> ticket_codes;  // one per ticket, enough for the hold's quantity
  SystemTime now;
  bool notify = false;  // email the buyer (an outbox message with the order)
};

// What the selling rules need to know of an event at the moment they apply.
struct EventState {
  EventId id = 0;
  std::string name;
  EventStatus status = EventStatus::kDraft;
  SystemTime starts_at;
};

// The largest quantity of one basket line: no event sells more per order.
inline constexpr int64_t kMaxQuantityPerLine = 100;

// Why a live hold on tickets of `events` may not be checked out: an event was cancelled or
// taken back to draft after the basket was made (kNotOnSale). The hold's stock then goes back.
std::optional<DomainError> refuseCheckout(const std::vector<EventState>& events);

// Why a buyer may not cancel `order` (with its tickets as they are now, read under lock) at
// `now`: it is not paid (kConflict), a ticket of it was admitted (kOrderAdmitted), or an event
// of it has started and was not cancelled (kEventStarted).
std::optional<DomainError> refuseCancellation(const Order& order,
                                              const std::vector<EventState>& events,
                                              SystemTime now);

// The order a payment is, before it is paid or once it ended without tickets.
Order orderOf(const Payment& payment);

// The paid order a checkout of `hold` makes: one ticket per seat, taking the prepared codes in
// the order of the hold's items. Throws std::logic_error if too few codes were prepared.
Order paidOrder(const NewOrder& order, const Hold& hold);

// The refusals both backends give in the same words.
DomainError soldOut(const HoldItem& item, int64_t available);
DomainError capacityBelowCommitted(const TicketType& type);
// Why a ticket that was not admitted at `event` now is refused: a ticket of another event
// (kWrongEvent, naming only the ticket's event), void (kGone) or admitted before (kConflict).
DomainError refusedCheckIn(const Ticket& ticket, EventId event);

// The result of checking the selling invariant over every ticket type: how many break it.
struct InvariantReport {
  int64_t oversold = 0;         // sold + held > capacity
  int64_t sold_vs_tickets = 0;  // sold differs from the number of valid tickets issued
};

struct EventStats {
  int64_t sold = 0;
  int64_t held = 0;
  int64_t available = 0;
  int64_t capacity = 0;
  int64_t checked_in = 0;
  int64_t revenue = 0;
  std::string currency;
};

// Paid sales of an event in time buckets (by when the order was paid, UTC-aligned buckets).
// Orders cancelled since are not counted.
struct SalesPoint {
  SystemTime at;        // the bucket's start
  int64_t tickets = 0;  // tickets of paid orders
  int64_t orders = 0;   // paid orders with at least one of this event's tickets
  int64_t revenue = 0;  // those tickets' prices, minor units
};

struct SalesSeries {
  std::chrono::seconds bucket{3600};
  std::string currency;            // of the event's ticket types; empty when it has none
  std::vector<SalesPoint> points;  // in time order; buckets without sales are left out
};

// Sales series cover at most this many buckets (the most recent ones).
inline constexpr size_t kMaxSalesPoints = 1000;

}  // namespace tickets
