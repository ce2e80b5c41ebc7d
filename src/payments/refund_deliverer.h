#pragma once

#include "domain/outbox.h"
#include "domain/payment.h"

namespace tickets::payments {

// Delivers outbox refunds (outbox_kind::kRefund) to the payment provider. The provider's
// idempotency key is the message's id, so a refund sent twice (a retry after a lost answer, or a
// dispatcher that died after sending) gives the money back once.
class RefundDeliverer final : public OutboxDeliverer {
 public:
  explicit RefundDeliverer(PaymentProvider& provider) : provider_(provider) {}
  std::string deliver(const OutboxMessage& message) override;

 private:
  PaymentProvider& provider_;
};

// Delivers outbox_kind::kExpireSession: the payment page of a cancelled order is closed.
class SessionCloser final : public OutboxDeliverer {
 public:
  explicit SessionCloser(PaymentProvider& provider) : provider_(provider) {}
  std::string deliver(const OutboxMessage& message) override;

 private:
  PaymentProvider& provider_;
};

}  // namespace tickets::payments
