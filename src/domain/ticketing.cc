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

Money Hold::total() const {
  Money total;
  for (const auto& item : items) {
    total.amount += item.unit_price.amount * item.quantity;
    total.currency = item.unit_price.currency;
  }
  return total;
}

}  // namespace tickets
