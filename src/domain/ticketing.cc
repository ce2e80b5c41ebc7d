#include "domain/ticketing.h"

#include <algorithm>
#include <stdexcept>

namespace tickets {

std::string_view toString(HoldStatus status) {
  switch (status) {
    case HoldStatus::kActive:
      return "active";
    case HoldStatus::kReleased:
      return "released";
    case HoldStatus::kExpired:
      return "expired";
    case HoldStatus::kCheckedOut:
      return "checked_out";
  }
  return "active";
}

std::string_view toString(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPendingPayment:
      return "pending_payment";
    case OrderStatus::kPaid:
      return "paid";
    case OrderStatus::kExpired:
      return "expired";
    case OrderStatus::kCancelled:
      return "cancelled";
    case OrderStatus::kRefunded:
      return "refunded";
    case OrderStatus::kPartiallyRefunded:
      return "partially_refunded";
  }
  return "paid";
}

std::string_view toString(PaymentStatus status) {
  switch (status) {
    case PaymentStatus::kPending:
      return "pending_payment";
    case PaymentStatus::kPaid:
      return "paid";
    case PaymentStatus::kExpired:
      return "expired";
    case PaymentStatus::kCancelled:
      return "cancelled";
    case PaymentStatus::kRefunded:
      return "refunded";
  }
  return "pending_payment";
}

std::optional<PaymentStatus> parsePaymentStatus(std::string_view text) {
  for (auto s : {PaymentStatus::kPending, PaymentStatus::kPaid, PaymentStatus::kExpired,
                 PaymentStatus::kCancelled, PaymentStatus::kRefunded}) {
    if (toString(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

int64_t Order::validTickets() const {
  return std::count_if(tickets.begin(), tickets.end(), [](const Ticket& t) { return !t.void_; });
}

std::optional<HoldStatus> parseHoldStatus(std::string_view text) {
  for (auto s : {HoldStatus::kActive, HoldStatus::kReleased, HoldStatus::kExpired,
                 HoldStatus::kCheckedOut}) {
    if (toString(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

std::optional<OrderStatus> parseOrderStatus(std::string_view text) {
  for (auto s :
       {OrderStatus::kPendingPayment, OrderStatus::kPaid, OrderStatus::kExpired,
        OrderStatus::kCancelled, OrderStatus::kRefunded, OrderStatus::kPartiallyRefunded}) {
    if (toString(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

DomainError soldOut(const HoldItem& item, int64_t available) {
  return DomainError{ErrorCode::kSoldOut,
                     "only " + std::to_string(available) + " left of '" + item.name + "'",
                     "items.quantity",
                     {{"ticket_type_id", item.ticket_type_id}, {"available", available}}};
}

DomainError capacityBelowCommitted(const TicketType& type) {
  const int64_t committed = type.sold + type.held;
  return DomainError{
      ErrorCode::kConflict,
      "capacity cannot drop below the " + std::to_string(committed) + " tickets sold or held",
      "capacity",
      {{"committed", committed}}};
}

DomainError refusedCheckIn(const Ticket& ticket, EventId event) {
  // Checked first: a door learns nothing about another event's tickets but which event it is.
  if (ticket.event_id != event) {
    return DomainError{ErrorCode::kWrongEvent,
                       "the ticket is for event " + std::to_string(ticket.event_id),
                       {},
                       {{"ticket_event_id", ticket.event_id}}};
  }
  if (ticket.void_ || !ticket.checked_in_at) {
    return DomainError{ErrorCode::kGone, "the ticket is void: its order was cancelled", {}};
  }
  std::string first = formatRfc3339(*ticket.checked_in_at);
  return DomainError{
      ErrorCode::kConflict, "already checked in at " + first, {}, {{"first_checked_in_at", first}}};
}

std::optional<DomainError> refuseCheckout(const std::vector<EventState>& events) {
  for (const auto& event : events) {
    if (event.status == EventStatus::kCancelled || event.status == EventStatus::kDraft) {
      return DomainError{ErrorCode::kNotOnSale,
                         "'" + event.name + "' is no longer on sale: the basket was released",
                         "basket_id"};
    }
  }
  return std::nullopt;
}

std::optional<DomainError> refuseCancellation(const Order& order,
                                              const std::vector<EventState>& events,
                                              SystemTime now) {
  if (order.status != OrderStatus::kPaid && order.status != OrderStatus::kPartiallyRefunded) {
    return DomainError{
        ErrorCode::kConflict, "the order is " + std::string(toString(order.status)), {}};
  }
  for (const auto& ticket : order.tickets) {
    if (ticket.checked_in_at) {
      return DomainError{ErrorCode::kOrderAdmitted,
                         "a ticket of this order was admitted at " +
                             formatRfc3339(*ticket.checked_in_at) +
                             ": it can no longer be cancelled",
                         {}};
    }
  }
  for (const auto& event : events) {
    if (event.status != EventStatus::kCancelled && now >= event.starts_at) {
      return DomainError{ErrorCode::kEventStarted,
                         "'" + event.name + "' has started: the order can no longer be cancelled",
                         {}};
    }
  }
  return std::nullopt;
}

Order paidOrder(const NewOrder& order, const Hold& hold) {
  Order paid;
  paid.code = order.code;
  paid.secret = order.secret;
  paid.status = OrderStatus::kPaid;
  paid.email = order.email;
  paid.name = order.name;
  paid.items = hold.items;
  paid.total = hold.total();
  paid.created_at = order.now;
  paid.provider = order.provider;
  paid.refunded = Money{0, paid.total.currency};
  size_t next = 0;
  for (const auto& item : hold.items) {
    for (int64_t i = 0; i < item.quantity; ++i) {
      if (next == order.ticket_codes.size()) {
        throw std::logic_error("checkout prepared fewer ticket codes than the hold needs");
      }
      paid.tickets.push_back(
          Ticket{order.ticket_codes[next++], item.ticket_type_id, item.event_id, false, {}});
    }
  }
  return paid;
}

Order orderOf(const Payment& payment) {
  Order order;
  order.code = payment.order_code;
  order.secret = payment.secret;
  switch (payment.status) {
    case PaymentStatus::kPending:
      order.status = OrderStatus::kPendingPayment;
      order.payment_url = payment.payment_url;
      order.payment_expires_at = payment.session_expires_at;
      break;
    case PaymentStatus::kPaid:
      order.status = OrderStatus::kPaid;
      break;
    case PaymentStatus::kExpired:
      order.status = OrderStatus::kExpired;
      break;
    case PaymentStatus::kCancelled:
      order.status = OrderStatus::kCancelled;
      break;
    case PaymentStatus::kRefunded:
      order.status = OrderStatus::kRefunded;
      order.refunded = payment.total;
      break;
  }
  order.email = payment.email;
  order.name = payment.name;
  order.items = payment.items;
  order.total = payment.total;
  if (order.refunded.currency.empty()) {
    order.refunded = Money{0, payment.total.currency};
  }
  order.created_at = payment.created_at;
  order.provider = payment.provider;
  order.reason = payment.reason;
  return order;
}

Money Hold::total() const {
  Money total;
  for (const auto& item : items) {
    total.amount += item.unit_price.amount * item.quantity;
    total.currency = item.unit_price.currency;
  }
  return total;
}

}  // namespace tickets
