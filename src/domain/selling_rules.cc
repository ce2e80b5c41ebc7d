#include "domain/selling_rules.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <stdexcept>

namespace tickets::selling {
namespace {

DomainError expired() { return DomainError{ErrorCode::kGone, "the basket has expired", {}}; }

// The checkout's answer from the order an earlier checkout with the request's key made.
Result<std::pair<Order, bool>> replay(SellingTransaction& tx, const NewOrder& request,
                                      const KeyedOrder& keyed) {
  if (keyed.request_fingerprint != request.request_fingerprint) {
    return unprocessable("Idempotency-Key",
                         "this Idempotency-Key was used with a different request");
  }
  auto existing = tx.order(keyed.code);
  if (!existing) {
    throw std::logic_error("an idempotency key names an order that does not exist");
  }
  return std::make_pair(std::move(*existing), false);
}

// The refund of `amount` of what was paid under `reference`, as a message of the outbox.
NewOutboxMessage refundMessage(const std::string& order_code, const std::string& reference,
                               const Money& amount, std::string_view reason) {
  boost::json::object payload;
  payload["payment_reference"] = reference;
  payload["amount"] = amount.amount;
  payload["currency"] = amount.currency;
  payload["reason"] = reason;
  return NewOutboxMessage{std::string(outbox_kind::kRefund), order_code,
                          boost::json::serialize(payload)};
}

NewOutboxMessage email(std::string_view kind, const std::string& order_code) {
  return NewOutboxMessage{std::string(kind), order_code, "{}"};
}

NewOutboxMessage refundEmail(const std::string& order_code, const Money& amount) {
  boost::json::object payload;
  payload["amount"] = amount.amount;
  payload["currency"] = amount.currency;
  return NewOutboxMessage{std::string(outbox_kind::kRefundNotice), order_code,
                          boost::json::serialize(payload)};
}

// The checks of a hold about to be paid for, shared by checkOut and beginPayment: an error to
// answer, having kept what it says (an expired hold's stock goes back), or nothing.
std::optional<DomainError> refuseHold(SellingTransaction& tx, const std::optional<Hold>& hold,
                                      const std::vector<EventState>& events, SystemTime now) {
  if (!hold) {
    return notFound("no such basket");
  }
  if (hold->status == HoldStatus::kCheckedOut) {
    return DomainError{ErrorCode::kConflict, "the basket has already been checked out", {}};
  }
  if (hold->status != HoldStatus::kActive || hold->expires_at <= now) {
    if (hold->status == HoldStatus::kActive) {
      tx.endHold(hold->id, HoldStatus::kExpired);
      tx.keep();
    }
    return expired();
  }
  if (auto refusal = refuseCheckout(events)) {
    tx.endHold(hold->id, HoldStatus::kReleased);
    tx.keep();
    return std::move(*refusal);
  }
  return std::nullopt;
}

// The buyer cancels `payment`, locked and pending, before paying it: it ends `cancelled`, its
// stock goes back, and its payment page is closed (an outbox message). Answers the order it is.
Order cancelUnpaid(SellingTransaction& tx, Payment payment, SystemTime now, bool notify) {
  payment.status = PaymentStatus::kCancelled;
  payment.reason = "cancelled before it was paid";
  tx.updatePayment(payment, now);
  if (auto hold = tx.lockHold(payment.hold_id)) {
    if (hold->status == HoldStatus::kActive) {
      tx.endHold(hold->id, HoldStatus::kReleased);
    }
    payment.items = hold->items;
  }
  if (!payment.session_id.empty()) {
    tx.enqueue(NewOutboxMessage{std::string(outbox_kind::kExpireSession), payment.order_code,
                                boost::json::serialize(
                                    boost::json::object{{"session_id", payment.session_id}})},
               now);
  }
  if (notify) {
    tx.enqueue(email(outbox_kind::kCancellationNotice, payment.order_code), now);
  }
  tx.keep();
  return orderOf(payment);
}

std::string_view providerOf(const Order& order) {
  return order.provider.empty() ? std::string_view("box_office") : order.provider;
}

}  // namespace

Result<Hold> reserve(SellingTransaction& tx, const Hold& hold, int64_t holds_per_client) {
  if (holds_per_client > 0 && !hold.client.empty()) {
    std::vector<EventId> events;
    for (const auto& item : hold.items) {
      events.push_back(item.event_id);
    }
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());
    if (tx.liveHoldsOf(hold.client, events, hold.created_at) >= holds_per_client) {
      return DomainError{ErrorCode::kTooManyHolds,
                         "you already hold " + std::to_string(holds_per_client) +
                             " live baskets for this event: check one out, delete one or wait "
                             "until one expires",
                         {},
                         {{"limit", holds_per_client}}};
    }
  }
  if (!hold.queue_pass.empty() && !tx.claimQueuePass(hold.queue_pass, hold.id)) {
    return DomainError{ErrorCode::kForbidden,
                       "this queue token has made its basket already; join the queue again",
                       "X-Queue-Token"};
  }
  Hold sorted = hold;
  std::sort(sorted.items.begin(), sorted.items.end(),
            [](const auto& a, const auto& b) { return a.ticket_type_id < b.ticket_type_id; });
  if (auto short_type = tx.takeStock(sorted)) {
    auto item = std::find_if(sorted.items.begin(), sorted.items.end(),
                             [&](const auto& i) { return i.ticket_type_id == *short_type; });
    if (item == sorted.items.end()) {
      throw std::logic_error("the store named a ticket type the hold does not have");
    }
    return soldOut(*item, tx.available(*short_type));
  }
  tx.keep();
  return sorted;
}

Result<Hold> release(SellingTransaction& tx, const std::string& hold_id, SystemTime now) {
  auto hold = tx.lockHold(hold_id);
  if (!hold) {
    return notFound("no such basket");
  }
  if (hold->status == HoldStatus::kCheckedOut) {
    return DomainError{ErrorCode::kConflict, "the basket has been checked out", {}};
  }
  if (hold->status != HoldStatus::kActive) {
    return expired();
  }
  if (hold->expires_at <= now) {
    tx.endHold(hold_id, HoldStatus::kExpired);
    tx.keep();
    return expired();
  }
  if (auto payment = tx.paymentOfHold(hold_id);
      payment && payment->status == PaymentStatus::kPending) {
    return DomainError{ErrorCode::kConflict,
                       "the basket is being paid for; it is released if the payment is not "
                       "completed in time",
                       {}};
  }
  tx.endHold(hold_id, HoldStatus::kReleased);
  tx.keep();
  hold->status = HoldStatus::kReleased;
  return std::move(*hold);
}

Result<std::pair<Order, bool>> checkOut(SellingTransaction& tx, const NewOrder& request) {
  auto view = tx.checkoutView(request.hold_id, request.idempotency_key);
  if (view.keyed) {
    return replay(tx, request, *view.keyed);
  }
  auto& hold = view.hold;
  if (hold && hold->status == HoldStatus::kCheckedOut) {
    // A concurrent retry with the same key may have just paid it: now it is visible.
    if (auto keyed = tx.orderOfKey(request.idempotency_key)) {
      return replay(tx, request, *keyed);
    }
  }
  if (auto refusal = refuseHold(tx, hold, view.events, request.now)) {
    return std::move(*refusal);
  }
  if (view.paying) {
    return DomainError{ErrorCode::kConflict, "the basket is being paid for", {}};
  }
  Order paid = paidOrder(request, *hold);
  tx.sell(paid, request, hold->id);
  if (request.notify) {
    tx.enqueue(email(outbox_kind::kOrderConfirmation, paid.code), request.now);
  }
  tx.keep();
  return std::make_pair(std::move(paid), true);
}

Result<Order> cancel(SellingTransaction& tx, const std::string& code, SystemTime now, bool notify) {
  auto locked = tx.lockOrder(code);
  if (!locked) {
    // An order not paid (yet) is its payment: pending, it is cancelled before it is paid;
    // ended unpaid (expired, cancelled, refunded late), there is nothing left to cancel.
    if (auto payment = tx.lockPayment(code)) {
      if (payment->status == PaymentStatus::kPending) {
        return cancelUnpaid(tx, std::move(*payment), now, notify);
      }
      return DomainError{
          ErrorCode::kConflict, "the order is " + std::string(toString(payment->status)), {}};
    }
    return notFound("no such order");
  }
  if (auto refusal = refuseCancellation(locked->order, tx.eventsOfHold(locked->hold_id), now)) {
    return std::move(*refusal);
  }
  const auto& order = locked->order;
  const bool online = providerOf(order) != "box_office";
  tx.cancel(*locked, online ? OrderStatus::kRefunded : OrderStatus::kCancelled, now);
  const Money owed{order.total.amount - order.refunded.amount, order.total.currency};
  if (online && owed.amount > 0) {
    tx.enqueue(refundMessage(code, locked->payment_reference, owed, "order_cancelled"), now);
  }
  if (notify) {
    tx.enqueue(online && owed.amount > 0 ? refundEmail(code, owed)
                                         : email(outbox_kind::kCancellationNotice, code),
               now);
  }
  auto cancelled = tx.order(code);
  if (!cancelled) {
    throw std::logic_error("a cancelled order vanished");
  }
  tx.keep();
  return std::move(*cancelled);
}

Result<Order> cancelTicket(SellingTransaction& tx, const std::string& order_code,
                           const std::string& ticket_code, SystemTime now, bool notify) {
  auto locked = tx.lockOrder(order_code);
  if (!locked) {
    return notFound("no such order");
  }
  const auto& order = locked->order;
  if (order.status != OrderStatus::kPaid && order.status != OrderStatus::kPartiallyRefunded) {
    return DomainError{
        ErrorCode::kConflict, "the order is " + std::string(toString(order.status)), {}};
  }
  auto ticket = std::find_if(order.tickets.begin(), order.tickets.end(),
                             [&](const Ticket& t) { return t.code == ticket_code; });
  if (ticket == order.tickets.end()) {
    return notFound("no such ticket in this order");
  }
  if (ticket->void_) {
    return DomainError{ErrorCode::kGone, "the ticket was cancelled before", {}};
  }
  if (ticket->checked_in_at) {
    return DomainError{ErrorCode::kOrderAdmitted,
                       "the ticket was admitted at " + formatRfc3339(*ticket->checked_in_at) +
                           ": it can no longer be cancelled",
                       {}};
  }
  auto item = std::find_if(order.items.begin(), order.items.end(), [&](const HoldItem& i) {
    return i.ticket_type_id == ticket->ticket_type_id;
  });
  if (item == order.items.end()) {
    throw std::logic_error("a ticket of a type its order does not have");
  }
  const bool online = providerOf(order) != "box_office";
  const bool last = order.validTickets() == 1;
  const OrderStatus status = !last    ? OrderStatus::kPartiallyRefunded
                             : online ? OrderStatus::kRefunded
                                      : OrderStatus::kCancelled;
  tx.cancelTicket(*locked, *ticket, item->unit_price.amount, status, now);
  if (online && item->unit_price.amount > 0) {
    tx.enqueue(
        refundMessage(order_code, locked->payment_reference, item->unit_price, "ticket_cancelled"),
        now);
  }
  if (notify) {
    tx.enqueue(online && item->unit_price.amount > 0
                   ? refundEmail(order_code, item->unit_price)
                   : email(outbox_kind::kCancellationNotice, order_code),
               now);
  }
  auto changed = tx.order(order_code);
  if (!changed) {
    throw std::logic_error("an order vanished");
  }
  tx.keep();
  return std::move(*changed);
}

Result<PaymentStart> beginPayment(SellingTransaction& tx, const Payment& request, SystemTime now) {
  auto view = tx.checkoutView(request.hold_id, request.idempotency_key);
  NewOrder keyed_request;
  keyed_request.request_fingerprint = request.request_fingerprint;
  if (view.keyed) {
    auto paid = replay(tx, keyed_request, *view.keyed);
    if (!paid) {
      return paid.error();
    }
    return PaymentStart{{}, std::move(paid->first), false};
  }
  if (auto earlier = tx.paymentOfKey(request.idempotency_key)) {
    if (earlier->request_fingerprint != request.request_fingerprint) {
      return unprocessable("Idempotency-Key",
                           "this Idempotency-Key was used with a different request");
    }
    return PaymentStart{std::move(*earlier), std::nullopt, false};
  }
  if (auto refusal = refuseHold(tx, view.hold, view.events, now)) {
    return std::move(*refusal);
  }
  if (auto other = tx.paymentOfHold(request.hold_id)) {
    return DomainError{ErrorCode::kConflict,
                       other->status == PaymentStatus::kPending
                           ? "the basket is being paid for in another checkout"
                           : "the basket has already been checked out",
                       {}};
  }
  tx.insertPayment(request);
  tx.keep();
  return PaymentStart{request, std::nullopt, true};
}

Result<Payment> attachSession(SellingTransaction& tx, const std::string& order_code,
                              const PaymentSession& session, SystemTime now) {
  auto payment = tx.lockPayment(order_code);
  if (!payment) {
    return notFound("no such order");
  }
  if (payment->status != PaymentStatus::kPending || !payment->session_id.empty()) {
    return std::move(*payment);
  }
  payment->session_id = session.id;
  payment->payment_url = session.url;
  payment->session_expires_at = std::min(session.expires_at, now + kPaymentWindow);
  tx.updatePayment(*payment, now);
  if (auto hold = tx.lockHold(payment->hold_id); hold && hold->liveAt(now)) {
    tx.extendHold(hold->id, *payment->session_expires_at);
  }
  tx.keep();
  return std::move(*payment);
}

Result<Settlement> settle(SellingTransaction& tx, const PaymentEvent& event,
                          const std::vector<std::string>& ticket_codes, SystemTime now,
                          bool notify) {
  if (!event.id.empty() && !tx.recordPaymentEvent(event.id, now)) {
    return Settlement::kDuplicate;
  }
  auto payment = tx.lockPayment(event.order_code);
  if (!payment || (!event.session_id.empty() && !payment->session_id.empty() &&
                   payment->session_id != event.session_id)) {
    tx.keep();  // the event is recorded: it is not ours, and never will be
    return Settlement::kUnknown;
  }
  // Ended without money, a payment may still be paid late (an expired session completed at the
  // last moment, or a page paid after its order was cancelled): that money is dealt with below.
  const bool ended_unpaid =
      payment->status == PaymentStatus::kExpired || payment->status == PaymentStatus::kCancelled;
  if (event.kind == PaymentEvent::Kind::kIgnored ||
      (payment->status != PaymentStatus::kPending &&
       (event.kind == PaymentEvent::Kind::kExpired || !ended_unpaid))) {
    tx.keep();
    return Settlement::kUnchanged;
  }
  auto hold = tx.lockHold(payment->hold_id);
  if (!hold) {
    throw std::logic_error("a payment's hold vanished");
  }
  if (event.kind == PaymentEvent::Kind::kExpired) {
    payment->status = PaymentStatus::kExpired;
    payment->reason = "the payment was not completed in time";
    tx.updatePayment(*payment, now);
    if (hold->status == HoldStatus::kActive) {
      tx.endHold(hold->id, HoldStatus::kExpired);
    }
    tx.keep();
    return Settlement::kExpired;
  }
  // Paid, perhaps after the session expired or the hold lapsed.
  payment->payment_reference = event.payment_reference;
  auto refusal = payment->status == PaymentStatus::kCancelled
                     ? std::optional<DomainError>(DomainError{
                           ErrorCode::kConflict, "the order was cancelled before it was paid", {}})
                     : refuseCheckout(tx.eventsOfHold(hold->id));
  bool have_stock = false;
  if (!refusal) {
    have_stock = hold->status == HoldStatus::kActive ||
                 ((hold->status == HoldStatus::kExpired || hold->status == HoldStatus::kReleased) &&
                  tx.retakeStock(*hold, now + kPaymentWindow));
  }
  if (have_stock) {
    NewOrder order;
    order.hold_id = hold->id;
    order.idempotency_key = payment->idempotency_key;
    order.request_fingerprint = payment->request_fingerprint;
    order.code = payment->order_code;
    order.secret = payment->secret;
    order.email = payment->email;
    order.name = payment->name;
    order.payment_reference = payment->payment_reference;
    order.provider = payment->provider;
    order.ticket_codes = ticket_codes;
    order.now = now;
    Order paid = paidOrder(order, *hold);
    tx.sell(paid, order, hold->id);
    if (notify) {
      tx.enqueue(email(outbox_kind::kOrderConfirmation, paid.code), now);
    }
    payment->status = PaymentStatus::kPaid;
    payment->reason.clear();
    tx.updatePayment(*payment, now);
    tx.keep();
    return Settlement::kPaid;
  }
  if (hold->status == HoldStatus::kActive) {
    tx.endHold(hold->id, HoldStatus::kReleased);
  }
  payment->status = PaymentStatus::kRefunded;
  payment->reason = refusal ? refusal->detail + "; the payment was refunded in full"
                            : "the tickets sold out before the payment completed; the payment "
                              "was refunded in full";
  tx.updatePayment(*payment, now);
  tx.enqueue(refundMessage(payment->order_code, payment->payment_reference, payment->total,
                           "late_payment"),
             now);
  if (notify) {
    tx.enqueue(refundEmail(payment->order_code, payment->total), now);
  }
  tx.keep();
  return Settlement::kRefundedLate;
}

Result<Ticket> checkIn(SellingTransaction& tx, const std::string& code, EventId event,
                       SystemTime now) {
  if (auto admitted = tx.admit(code, event, now)) {
    tx.keep();
    return std::move(*admitted);
  }
  auto ticket = tx.ticket(code);
  if (!ticket) {
    return notFound("no such ticket");
  }
  return refusedCheckIn(*ticket, event);
}

}  // namespace tickets::selling
