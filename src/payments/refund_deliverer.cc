#include "payments/refund_deliverer.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace tickets::payments {

std::string RefundDeliverer::deliver(const OutboxMessage& message) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(message.payload, ec);
  const auto* payload = !ec && parsed.is_object() ? &parsed.as_object() : nullptr;
  const auto* reference = payload != nullptr ? payload->if_contains("payment_reference") : nullptr;
  const auto* amount = payload != nullptr ? payload->if_contains("amount") : nullptr;
  const auto* currency = payload != nullptr ? payload->if_contains("currency") : nullptr;
  if (reference == nullptr || !reference->is_string() || amount == nullptr || !amount->is_int64() ||
      currency == nullptr || !currency->is_string()) {
    return "the refund's payload is not one this version understands";
  }
  if (reference->as_string().empty()) {
    return "the order has no payment reference to refund";
  }
  auto refunded = provider_.refund(std::string(reference->as_string()),
                                   Money{amount->as_int64(), std::string(currency->as_string())},
                                   "tickets-refund-" + std::to_string(message.id));
  return refunded ? std::string() : refunded.error().detail;
}

std::string SessionCloser::deliver(const OutboxMessage& message) {
  boost::system::error_code ec;
  auto parsed = boost::json::parse(message.payload, ec);
  const auto* session =
      !ec && parsed.is_object() ? parsed.as_object().if_contains("session_id") : nullptr;
  if (session == nullptr || !session->is_string() || session->as_string().empty()) {
    return "the message names no session";
  }
  auto closed = provider_.expireSession(std::string(session->as_string()));
  return closed ? std::string() : closed.error().detail;
}

}  // namespace tickets::payments
