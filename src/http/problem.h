#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "http/types.h"

namespace tickets::http {

// An RFC 9457 problem: `type` is a stable slug, published as /problems/<slug>.
struct Problem {
  beast_http::status status = beast_http::status::internal_server_error;
  std::string type = "internal-error";
  std::string title = "Internal Server Error";
  std::string detail;
  std::string field;  // the offending input, if any (extension member "field")
  // More extension members, e.g. {"available", 3}.
  std::vector<std::pair<std::string, std::variant<int64_t, std::string>>> extensions = {};
};

// The response for a problem, as application/problem+json, with the request id in the body and
// the X-Request-Id header.
Response problemResponse(const Problem& problem, const RequestContext& context, unsigned version,
                         bool keep_alive);

// Every problem type this service answers with. Its slug (published as /problems/<slug>),
// status and title are in one table, in problem.cc; src/api/openapi.json documents the same.
enum class ProblemType {
  kInternalError,
  kInvalidRequest,
  kInvalidParameter,
  kUnauthorized,
  kForbidden,
  kAdminDisabled,
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kSoldOut,
  kNotOnSale,
  kOrderAdmitted,
  kEventStarted,
  kWrongEvent,
  kTooManyHolds,
  kQueueRequired,
  kRateLimited,
  kGone,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kValidationFailed,
  kOverloaded,
  kHeaderTooLarge,
  kServiceUnavailable,
  kTimeout,
  kNotReady,
  kPaymentsNotConfigured,
  kPaymentProviderUnavailable,
  kInvalidSignature,
};

Problem makeProblem(ProblemType type, std::string detail = {}, std::string field = {});

Problem notFoundProblem(std::string detail);
// 400: "invalid-parameter" when a named field is at fault, else "invalid-request".
Problem badRequestProblem(std::string detail, std::string field = {});

}  // namespace tickets::http
