#include "domain/ticketing.h"

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
    case OrderStatus::kPaid:
      return "paid";
    case OrderStatus::kCancelled:
      return "cancelled";
    case OrderStatus::kRefunded:
      return "refunded";
  }
  return "paid";
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
  for (auto s : {OrderStatus::kPaid, OrderStatus::kCancelled, OrderStatus::kRefunded}) {
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

Money Hold::total() const {
  Money total;
  for (const auto& item : items) {
    total.amount += item.unit_price.amount * item.quantity;
    total.currency = item.unit_price.currency;
  }
  return total;
}

}  // namespace tickets
