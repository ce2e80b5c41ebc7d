#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "domain/catalogue.h"
#include "domain/error.h"

namespace tickets {

// One line of what the buyer pays for, as the provider's page shows it.
struct PaymentLine {
  std::string name;
  int64_t quantity = 0;
  Money unit_price;
};

// What a provider needs to open a payment session.
struct SessionRequest {
  std::string order_code;
  std::string email;
  Money total;
  std::vector<PaymentLine> lines;
  std::string success_url;
  std::string cancel_url;
  SystemTime expires_at;
  std::string idempotency_key;  // the same key makes the same session
};

struct PaymentSession {
  std::string id;
  std::string url;  // where the buyer pays
  SystemTime expires_at;
};

// A session as the provider sees it now.
enum class SessionState { kOpen, kPaid, kExpired };
struct SessionStatus {
  SessionState state = SessionState::kOpen;
  std::string payment_reference;  // set once paid
};

// What a provider told us happened to a session (a verified webhook, or what a reconciliation
// asked it).
struct PaymentEvent {
  enum class Kind { kPaid, kExpired, kIgnored };
  std::string id;  // the provider's event id; empty for a reconciliation
  Kind kind = Kind::kIgnored;
  std::string type;  // the provider's name for it, for logs
  std::string session_id;
  std::string order_code;
  std::string payment_reference;
};

// Takes buyers' money through an outside provider. Implementations are thread-safe and block
// on the network: call them off the I/O threads, never inside a database write. A provider
// that cannot be reached or refuses answers kProviderUnavailable.
class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string_view name() const = 0;
  virtual Result<PaymentSession> createSession(const SessionRequest& request) = 0;
  virtual Result<SessionStatus> session(const std::string& session_id) = 0;
  // Gives `amount` of the money taken under `payment_reference` back; returns the refund's id.
  virtual Result<std::string> refund(const std::string& payment_reference, const Money& amount,
                                     const std::string& idempotency_key) = 0;
  // Closes an open session so that it can no longer be paid; done too if it is no longer open.
  virtual Result<bool> expireSession(const std::string& session_id) = 0;
};

// The longest a basket stays held while its buyer is at the provider's page.
inline constexpr std::chrono::minutes kPaymentWindow{30};
// How late a second request for one payment's session may come and still ask for the same
// expiry (Stripe accepts an expiry at least kPaymentWindow from its clock, to about a second).
inline constexpr std::chrono::seconds kSessionRetrySlack{1};

}  // namespace tickets
