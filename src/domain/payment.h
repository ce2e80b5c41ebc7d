#pragma once

#include <string>

#include "domain/catalogue.h"
#include "domain/error.h"

namespace tickets {

// Takes the buyer's payment for an order. Implementations are thread-safe.
class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  // Settles `amount` for the order; returns the provider's reference for it.
  virtual Result<std::string> settle(const Money& amount, const std::string& order_code) = 0;
};

// Box office and free events: nothing to collect online, so settlement succeeds at once and
// the order is paid when checkout returns.
class BoxOfficePayment final : public PaymentProvider {
 public:
  Result<std::string> settle(const Money&, const std::string& order_code) override {
    return "box-office:" + order_code;
  }
};

}  // namespace tickets
