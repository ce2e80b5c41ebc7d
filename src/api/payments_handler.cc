#include "api/payments_handler.h"

#include "api/errors.h"
#include "api/events_handler.h"
#include "api/handler_support.h"
#include "api/ticketing_json.h"
#include "common/utf8.h"
#include "http/query.h"

namespace tickets::api {

using http::beast_http::status;

namespace {

std::string_view settlementName(selling::Settlement settlement) {
  switch (settlement) {
    case selling::Settlement::kDuplicate:
      return "duplicate";
    case selling::Settlement::kUnknown:
      return "unknown";
    case selling::Settlement::kUnchanged:
      return "unchanged";
    case selling::Settlement::kPaid:
      return "paid";
    case selling::Settlement::kExpired:
      return "expired";
    case selling::Settlement::kRefundedLate:
      return "refunded_late";
  }
  return "unknown";
}

boost::json::object toJson(const OutboxMessage& m) {
  boost::json::object out{{"id", m.id},
                          {"kind", m.kind},
                          {"aggregate", m.aggregate},
                          {"created_at", formatRfc3339(m.created_at)},
                          {"attempts", m.attempts},
                          {"next_attempt_at", formatRfc3339(m.next_attempt_at)}};
  out["last_error"] = m.last_error.empty() ? boost::json::value(nullptr)
                                           : boost::json::value(clippedUtf8(m.last_error, 500));
  out["delivered_at"] = m.delivered_at ? boost::json::value(formatRfc3339(*m.delivered_at))
                                       : boost::json::value(nullptr);
  out["dead_at"] =
      m.dead_at ? boost::json::value(formatRfc3339(*m.dead_at)) : boost::json::value(nullptr);
  return out;
}

}  // namespace

PaymentsHandler::Awaitable PaymentsHandler::stripeWebhook(const http::Request& request,
                                                          http::RequestContext& context) {
  if (!verify_) {
    co_return domainErrorResponse(
        DomainError{ErrorCode::kPaymentsNotConfigured, "online payment is not configured", {}},
        request, context);
  }
  auto event = verify_(request.body(), request["Stripe-Signature"]);
  if (!event) {
    co_return domainErrorResponse(event.error(), request, context);
  }
  auto settled = co_await workers_.run([&] { return ticketing_.applyPaymentEvent(*event); });
  if (!settled) {
    co_return domainErrorResponse(settled.error(), request, context);
  }
  // 2xx for every verified event, ours or not: anything else makes the provider send it again.
  co_return http::privateJsonResponse(
      status::ok, {{"received", true}, {"result", settlementName(*settled)}}, request.version());
}

PaymentsHandler::Awaitable PaymentsHandler::cancelTicket(const http::Request& request,
                                                         http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kRefundOrders);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  std::string code(context.params[0]);
  std::string ticket(context.params[1]);
  if (!isToken(code) || !isToken(ticket)) {
    co_return domainErrorResponse(notFound("no such ticket in this order"), request, context);
  }
  auto order = co_await workers_.run([&] { return ticketing_.cancelTicket(code, ticket); });
  if (!order) {
    co_return domainErrorResponse(order.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, {{"order", toJson(*order, false)}},
                                      request.version());
}

PaymentsHandler::Awaitable PaymentsHandler::listOutbox(const http::Request& request,
                                                       http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kInspectOutbox);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  std::string error;
  auto params = http::QueryParams::parse(context.target, error);
  if (!params) {
    co_return problem(http::badRequestProblem(error), request, context);
  }
  if (auto unknown = params->firstUnknown({"state", "limit"})) {
    co_return problem(
        http::badRequestProblem("unknown query parameter '" + clippedUtf8(*unknown, 64) + "'",
                                clippedUtf8(*unknown, 64)),
        request, context);
  }
  OutboxState state = OutboxState::kPending;
  if (auto text = params->get("state")) {
    if (*text == "dead") {
      state = OutboxState::kDead;
    } else if (*text == "delivered") {
      state = OutboxState::kDelivered;
    } else if (*text != "pending") {
      co_return problem(
          http::badRequestProblem("state must be pending, dead or delivered", "state"), request,
          context);
    }
  }
  int64_t limit = 100;
  if (auto text = params->get("limit")) {
    auto value = parseId(*text);
    if (!value || *value > 1000) {
      co_return problem(http::badRequestProblem("limit must be 1 to 1000", "limit"), request,
                        context);
    }
    limit = *value;
  }
  auto messages = co_await workers_.run([&] { return outbox_.list(state, limit); });
  boost::json::array out;
  for (const auto& m : messages) {
    out.push_back(toJson(m));
  }
  co_return http::privateJsonResponse(status::ok, {{"messages", std::move(out)}},
                                      request.version());
}

PaymentsHandler::Awaitable PaymentsHandler::retryOutbox(const http::Request& request,
                                                        http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kInspectOutbox, PathId::kOutboxMessage);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  const int64_t id = std::get<GuardedInput>(input).id;
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
  const bool retried = co_await workers_.run([&] { return outbox_.retry(id, now); });
  if (!retried) {
    co_return domainErrorResponse(
        DomainError{ErrorCode::kNotFound, "no dead message with this id", {}}, request, context);
  }
  co_return http::privateJsonResponse(status::accepted, {{"id", id}, {"state", "pending"}},
                                      request.version());
}

}  // namespace tickets::api
