#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "domain/payment.h"

namespace tickets::payments {

struct StripeSettings {
  std::string secret_key;                           // STRIPE_SECRET_KEY
  std::string webhook_secret;                       // STRIPE_WEBHOOK_SECRET
  std::string api_base = "https://api.stripe.com";  // STRIPE_API_BASE, no trailing slash
  std::chrono::milliseconds timeout{10000};
};

// Stripe Checkout Sessions (https://docs.stripe.com/api/checkout/sessions) and refunds over its
// HTTPS API, with an idempotency key on every request that changes something. Thread-safe.
class StripeProvider final : public PaymentProvider {
 public:
  explicit StripeProvider(StripeSettings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return "stripe"; }
  Result<PaymentSession> createSession(const SessionRequest& request) override;
  Result<SessionStatus> session(const std::string& session_id) override;
  Result<std::string> refund(const std::string& payment_reference, const Money& amount,
                             const std::string& idempotency_key) override;
  Result<bool> expireSession(const std::string& session_id) override;

 private:
  StripeSettings settings_;
};

// How old a webhook's signed timestamp may be (Stripe's libraries default to 5 minutes).
inline constexpr std::chrono::seconds kWebhookTolerance{300};

// Verifies a webhook's Stripe-Signature header ("t=<unix>,v1=<hex HMAC-SHA256 of
// '<t>.<body>'>", any number of v1 entries) over the raw `body` and reads the event: kBadSignature
// if it does not verify or is older than the tolerance; kInvalidArgument if the signed body is
// not an event. Events other than a Checkout Session's completion, asynchronous payment and
// expiry are kIgnored.
Result<PaymentEvent> verifyWebhook(std::string_view body, std::string_view signature_header,
                                   std::string_view secret, SystemTime now,
                                   std::chrono::seconds tolerance = kWebhookTolerance);

}  // namespace tickets::payments
