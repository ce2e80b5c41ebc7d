#include "http/problem.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <string_view>

#include "common/utf8.h"

namespace tickets::http {

Response problemResponse(const Problem& problem, const RequestContext& context, unsigned version,
                         bool keep_alive) {
  boost::json::object body;
  body["type"] = "/problems/" + problem.type;
  body["title"] = problem.title;
  body["status"] = static_cast<int>(problem.status);
  // Whatever of the request is echoed here is made valid UTF-8, so the body is valid JSON.
  constexpr size_t kMaxEchoed = 1024;
  if (!problem.detail.empty()) {
    body["detail"] = clippedUtf8(problem.detail, kMaxEchoed);
  }
  if (!problem.field.empty()) {
    body["field"] = clippedUtf8(problem.field, kMaxEchoed);
  }
  for (const auto& [name, value] : problem.extensions) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      body[name] = clippedUtf8(*text, kMaxEchoed);
    } else {
      body[name] = std::get<int64_t>(value);
    }
  }
  body["instance"] = clippedUtf8(context.path, kMaxEchoed);
  body["request_id"] = context.request_id;
  Response response{problem.status, version};
  response.set(beast_http::field::content_type, "application/problem+json");
  response.set(beast_http::field::cache_control, "no-store");
  response.set("X-Request-Id", context.request_id);
  response.body() = boost::json::serialize(body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

namespace {

struct ProblemKind {
  ProblemType type;
  beast_http::status status;
  std::string_view slug;
  std::string_view title;
};

using enum ProblemType;
using status = beast_http::status;

// The one table of problem types.
constexpr std::array kProblemKinds{
    ProblemKind{kInternalError, status::internal_server_error, "internal-error",
                "Internal Server Error"},
    ProblemKind{kInvalidRequest, status::bad_request, "invalid-request", "Bad Request"},
    ProblemKind{kInvalidParameter, status::bad_request, "invalid-parameter", "Invalid Parameter"},
    ProblemKind{kUnauthorized, status::unauthorized, "unauthorized", "Unauthorized"},
    ProblemKind{kForbidden, status::forbidden, "forbidden", "Forbidden"},
    ProblemKind{kAdminDisabled, status::forbidden, "admin-disabled", "Admin API Disabled"},
    ProblemKind{kNotFound, status::not_found, "not-found", "Not Found"},
    ProblemKind{kMethodNotAllowed, status::method_not_allowed, "method-not-allowed",
                "Method Not Allowed"},
    ProblemKind{kConflict, status::conflict, "conflict", "Conflict"},
    ProblemKind{kSoldOut, status::conflict, "sold-out", "Sold Out"},
    ProblemKind{kNotOnSale, status::conflict, "not-on-sale", "Not On Sale"},
    ProblemKind{kOrderAdmitted, status::conflict, "order-admitted", "Order Admitted"},
    ProblemKind{kEventStarted, status::conflict, "event-started", "Event Started"},
    ProblemKind{kWrongEvent, status::conflict, "wrong-event", "Wrong Event"},
    ProblemKind{kTooManyHolds, status::too_many_requests, "too-many-holds", "Too Many Baskets"},
    ProblemKind{kQueueRequired, status::forbidden, "queue-required", "Queue Required"},
    ProblemKind{kRateLimited, status::too_many_requests, "rate-limited", "Too Many Requests"},
    ProblemKind{kGone, status::gone, "gone", "Gone"},
    ProblemKind{kPayloadTooLarge, status::payload_too_large, "payload-too-large",
                "Content Too Large"},
    ProblemKind{kUnsupportedMediaType, status::unsupported_media_type, "unsupported-media-type",
                "Unsupported Media Type"},
    ProblemKind{kValidationFailed, status::unprocessable_entity, "validation-failed",
                "Unprocessable Content"},
    ProblemKind{kOverloaded, status::too_many_requests, "overloaded", "Too Many Requests"},
    ProblemKind{kHeaderTooLarge, status::request_header_fields_too_large, "header-too-large",
                "Request Header Fields Too Large"},
    ProblemKind{kServiceUnavailable, status::service_unavailable, "service-unavailable",
                "Service Unavailable"},
    ProblemKind{kTimeout, status::service_unavailable, "timeout", "Service Unavailable"},
    ProblemKind{kNotReady, status::service_unavailable, "not-ready", "Not Ready"},
    ProblemKind{kPaymentsNotConfigured, status::service_unavailable, "payments-not-configured",
                "Payments Not Configured"},
    ProblemKind{kPaymentProviderUnavailable, status::service_unavailable,
                "payment-provider-unavailable", "Payment Provider Unavailable"},
    ProblemKind{kInvalidSignature, status::unauthorized, "invalid-signature", "Invalid Signature"},
};

}  // namespace

Problem makeProblem(ProblemType type, std::string detail, std::string field) {
  for (const auto& kind : kProblemKinds) {
    if (kind.type == type) {
      return Problem{kind.status, std::string(kind.slug), std::string(kind.title),
                     std::move(detail), std::move(field)};
    }
  }
  return Problem{};
}

Problem notFoundProblem(std::string detail) {
  return makeProblem(ProblemType::kNotFound, std::move(detail));
}

Problem badRequestProblem(std::string detail, std::string field) {
  return field.empty()
             ? makeProblem(ProblemType::kInvalidRequest, std::move(detail))
             : makeProblem(ProblemType::kInvalidParameter, std::move(detail), std::move(field));
}

}  // namespace tickets::http
