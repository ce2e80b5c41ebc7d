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

Money Hold::total() const {
  Money total;
  for (const auto& item : items) {
    total.amount += item.unit_price.amount * item.quantity;
    total.currency = item.unit_price.currency;
  }
  return total;
}

}  // namespace tickets
