#include "payments/stripe.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/crypto.h"
#include "payments/http_client.h"

namespace tickets::payments {
namespace {

namespace json = boost::json;

DomainError unavailable(std::string detail) {
  return DomainError{ErrorCode::kProviderUnavailable, std::move(detail), {}};
}

// Stripe's currencies are lower case; amounts are in the currency's minor unit, as ours.
std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string textOf(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The JSON answer of a call, or why there is none. Stripe's own error message is not passed
// on to buyers: it may name our account's settings.
Result<json::object> call(const StripeSettings& settings, const std::string& method,
                          const std::string& path, const std::string& form,
                          const std::string& idempotency_key) {
  HttpExchange exchange;
  exchange.method = method;
  exchange.url = settings.api_base + path;
  exchange.headers = {{"Authorization", "Bearer " + settings.secret_key},
                      {"Stripe-Version", "2024-06-20"}};
  if (method == "POST") {
    exchange.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    exchange.body = form;
  }
  if (!idempotency_key.empty()) {
    exchange.headers.emplace_back("Idempotency-Key", idempotency_key);
  }
  exchange.timeout = settings.timeout;
  auto answer = send(exchange);
  if (answer.status == 0) {
    return unavailable("the payment provider cannot be reached; try again shortly");
  }
  boost::system::error_code ec;
  auto parsed = json::parse(answer.body, ec);
  if (answer.status < 200 || answer.status >= 300 || ec || !parsed.is_object()) {
    // Stripe's error type and code (never its message) say why, for the operator.
    std::string why = "HTTP " + std::to_string(answer.status);
    if (!ec && parsed.is_object()) {
      if (const auto* error = parsed.as_object().if_contains("error");
          error != nullptr && error->is_object()) {
        for (const char* key : {"type", "code"}) {
          if (auto text = textOf(error->as_object(), key); !text.empty() && text.size() < 64) {
            why += ", " + text;
          }
        }
      }
    }
    return unavailable("the payment provider refused the request (" + why + ")");
  }
  return std::move(parsed.as_object());
}

}  // namespace

Result<PaymentSession> StripeProvider::createSession(const SessionRequest& request) {
  std::vector<std::pair<std::string, std::string>> form = {
      {"mode", "payment"},
      {"client_reference_id", request.order_code},
      {"customer_email", request.email},
      {"success_url", request.success_url},
      {"cancel_url", request.cancel_url},
      {"expires_at", std::to_string(request.expires_at.time_since_epoch().count())},
      {"metadata[order_code]", request.order_code},
      {"payment_intent_data[metadata][order_code]", request.order_code},
  };
  for (size_t i = 0; i < request.lines.size(); ++i) {
    const auto& line = request.lines[i];
    const std::string prefix = "line_items[" + std::to_string(i) + "]";
    form.emplace_back(prefix + "[price_data][currency]", lower(line.unit_price.currency));
    form.emplace_back(prefix + "[price_data][unit_amount]", std::to_string(line.unit_price.amount));
    form.emplace_back(prefix + "[price_data][product_data][name]", line.name);
    form.emplace_back(prefix + "[quantity]", std::to_string(line.quantity));
  }
  auto answer =
      call(settings_, "POST", "/v1/checkout/sessions", formEncode(form), request.idempotency_key);
  if (!answer) {
    // The buyer is told only that it failed.
    return unavailable("the payment provider cannot take the payment now; try again shortly");
  }
  PaymentSession session;
  session.id = textOf(*answer, "id");
  session.url = textOf(*answer, "url");
  const auto* expires = answer->if_contains("expires_at");
  session.expires_at = expires != nullptr && expires->is_int64()
                           ? SystemTime{std::chrono::seconds{expires->as_int64()}}
                           : request.expires_at;
  if (session.id.empty() || session.url.empty()) {
    return unavailable("the payment provider answered without a session; try again shortly");
  }
  return session;
}

Result<SessionStatus> StripeProvider::session(const std::string& session_id) {
  auto answer = call(settings_, "GET", "/v1/checkout/sessions/" + session_id, {}, {});
  if (!answer) {
    return answer.error();
  }
  SessionStatus status;
  const std::string state = textOf(*answer, "status");
  if (state == "complete" && textOf(*answer, "payment_status") == "paid") {
    status.state = SessionState::kPaid;
    status.payment_reference = textOf(*answer, "payment_intent");
  } else if (state == "expired") {
    status.state = SessionState::kExpired;
  }
  return status;
}

Result<std::string> StripeProvider::refund(const std::string& payment_reference,
                                           const Money& amount,
                                           const std::string& idempotency_key) {
  auto answer = call(settings_, "POST", "/v1/refunds",
                     formEncode({{"payment_intent", payment_reference},
                                 {"amount", std::to_string(amount.amount)},
                                 {"reason", "requested_by_customer"}}),
                     idempotency_key);
  if (!answer) {
    return answer.error();
  }
  return textOf(*answer, "id");
}

Result<bool> StripeProvider::expireSession(const std::string& session_id) {
  auto answer = call(settings_, "POST", "/v1/checkout/sessions/" + session_id + "/expire", "", {});
  if (answer) {
    return true;
  }
  // Stripe refuses to expire a session that is no longer open: it cannot take money then
  // either (a completed one's webhook settles it).
  if (answer.error().detail.find("HTTP 400") != std::string::npos) {
    return false;
  }
  return answer.error();
}

Result<PaymentEvent> verifyWebhook(std::string_view body, std::string_view signature_header,
                                   std::string_view secret, SystemTime now,
                                   std::chrono::seconds tolerance) {
  const DomainError bad{ErrorCode::kBadSignature, "the Stripe-Signature does not verify", {}};
  if (secret.empty() || signature_header.empty() || signature_header.size() > 4096) {
    return bad;
  }
  int64_t timestamp = -1;
  std::vector<std::string_view> signatures;
  while (!signature_header.empty()) {
    const auto comma = signature_header.find(',');
    auto part = signature_header.substr(0, comma);
    signature_header =
        comma == std::string_view::npos ? std::string_view() : signature_header.substr(comma + 1);
    const auto equals = part.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    const auto key = part.substr(0, equals);
    const auto value = part.substr(equals + 1);
    if (key == "t") {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), timestamp);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return bad;
      }
    } else if (key == "v1") {
      signatures.push_back(value);
    }
  }
  if (timestamp < 0 || signatures.empty()) {
    return bad;
  }
  const std::string expected =
      toHex(hmacSha256(secret, std::to_string(timestamp) + "." + std::string(body)));
  const bool verified = std::any_of(signatures.begin(), signatures.end(), [&](auto signature) {
    return secretsEqual(signature, expected);
  });
  const int64_t age = now.time_since_epoch().count() - timestamp;
  if (!verified || age > tolerance.count() || age < -tolerance.count()) {
    return bad;
  }
  boost::system::error_code ec;
  auto parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    return invalidArgument("body", "the body is not a JSON event");
  }
  const auto& event = parsed.as_object();
  PaymentEvent out;
  out.id = textOf(event, "id");
  out.type = textOf(event, "type");
  const auto* data = event.if_contains("data");
  const json::object* session = nullptr;
  if (data != nullptr && data->is_object()) {
    if (const auto* object = data->as_object().if_contains("object");
        object != nullptr && object->is_object()) {
      session = &object->as_object();
    }
  }
  if (out.id.empty() || out.id.size() > 255 || out.type.empty()) {
    return invalidArgument("body", "an event needs an id and a type");
  }
  if (session == nullptr || !out.type.starts_with("checkout.session.")) {
    return out;  // kIgnored
  }
  out.session_id = textOf(*session, "id");
  out.order_code = textOf(*session, "client_reference_id");
  out.payment_reference = textOf(*session, "payment_intent");
  if (out.type == "checkout.session.completed" ||
      out.type == "checkout.session.async_payment_succeeded") {
    // A delayed payment method completes the session unpaid; its success comes later.
    if (textOf(*session, "payment_status") == "paid") {
      out.kind = PaymentEvent::Kind::kPaid;
    }
  } else if (out.type == "checkout.session.expired" ||
             out.type == "checkout.session.async_payment_failed") {
    out.kind = PaymentEvent::Kind::kExpired;
  }
  return out;
}

}  // namespace tickets::payments
