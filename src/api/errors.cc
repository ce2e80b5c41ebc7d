#include "api/errors.h"

#include <spdlog/spdlog.h>

#include "api/worker_pool.h"
#include "common/database_errors.h"
#include "common/json_log.h"

namespace tickets::api {
namespace status = boost::beast::http;

namespace {

// The one mapping from the domain's error codes to problem types.
http::ProblemType problemTypeOf(ErrorCode code) {
  using enum http::ProblemType;
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return kInvalidParameter;
    case ErrorCode::kNotFound:
      return kNotFound;
    case ErrorCode::kConflict:
      return kConflict;
    case ErrorCode::kSoldOut:
      return kSoldOut;
    case ErrorCode::kNotOnSale:
      return kNotOnSale;
    case ErrorCode::kGone:
      return kGone;
    case ErrorCode::kUnprocessable:
      return kValidationFailed;
    case ErrorCode::kOrderAdmitted:
      return kOrderAdmitted;
    case ErrorCode::kEventStarted:
      return kEventStarted;
    case ErrorCode::kUnauthenticated:
      return kUnauthorized;
    case ErrorCode::kForbidden:
      return kForbidden;
    case ErrorCode::kAccessDisabled:
      return kAdminDisabled;
    case ErrorCode::kWrongEvent:
      return kWrongEvent;
    case ErrorCode::kTooManyHolds:
      return kTooManyHolds;
    case ErrorCode::kQueueRequired:
      return kQueueRequired;
    case ErrorCode::kRateLimited:
      return kRateLimited;
    case ErrorCode::kPaymentsNotConfigured:
      return kPaymentsNotConfigured;
    case ErrorCode::kProviderUnavailable:
      return kPaymentProviderUnavailable;
    case ErrorCode::kBadSignature:
      return kInvalidSignature;
  }
  return kInternalError;
}

}  // namespace

http::Problem problemFor(const DomainError& error) {
  auto problem = http::makeProblem(problemTypeOf(error.code), error.detail, error.field);
  for (const auto& extension : error.extensions) {
    problem.extensions.emplace_back(extension.name, extension.value);
  }
  return problem;
}

http::Response domainErrorResponse(const DomainError& error, const http::Request& request,
                                   const http::RequestContext& context) {
  auto response = http::problemResponse(problemFor(error), context, request.version(), true);
  if (error.code == ErrorCode::kUnauthenticated) {
    response.set(status::field::www_authenticate, "Bearer");
  }
  if (error.code == ErrorCode::kProviderUnavailable) {
    response.set(status::field::retry_after, "5");
  }
  for (const auto& extension : error.extensions) {
    if (const auto* seconds = std::get_if<int64_t>(&extension.value);
        seconds != nullptr && extension.name == "retry_after") {
      response.set(status::field::retry_after, std::to_string(*seconds));
    }
  }
  return response;
}

namespace {

// 429: shed, retry in a second.
http::Response overloaded(const http::Request& request, const http::RequestContext& context) {
  auto response =
      http::problemResponse(http::makeProblem(http::ProblemType::kOverloaded,
                                              "the service is at capacity; retry shortly"),
                            context, request.version(), true);
  response.set(status::field::retry_after, "1");
  return response;
}

http::Response failureResponse(std::exception_ptr failure, const http::Request& request,
                               const http::RequestContext& context, spdlog::logger& log) {
  const unsigned version = request.version();
  const JsonEscaped id{context.request_id};
  try {
    std::rethrow_exception(failure);
  } catch (const Overloaded&) {
    return overloaded(request, context);
  } catch (const PoolExhausted& e) {
    log.error(
        R"("msg":"connection pool exhausted","request_id":"{}","pool_size":{},"waited_ms":{},"action":"see runbook Database Saturation: scale replicas or raise DB_POOL_SIZE")",
        id, e.poolSize(), e.waited().count());
  } catch (const DatabaseUnavailable& e) {
    log.error(
        R"("msg":"database unavailable","request_id":"{}","error":"{}","action":"check the database is up and reachable, see GET /readiness")",
        id, JsonEscaped{e.what()});
  } catch (const std::exception& e) {
    log.error(
        R"("msg":"request failed","request_id":"{}","error":"{}","action":"this is a bug or a database fault: report it with the request id")",
        id, JsonEscaped{e.what()});
    return http::problemResponse(http::Problem{}, context, version, true);
  }
  auto response =
      http::problemResponse(http::makeProblem(http::ProblemType::kServiceUnavailable,
                                              "the service cannot answer now; retry shortly"),
                            context, version, true);
  response.set(status::field::retry_after, "1");
  return response;
}

}  // namespace

http::Handler withConcurrencyLimit(http::Handler handler, http::AdaptiveConcurrencyLimit& limit,
                                   std::string endpoint) {
  return [handler = std::move(handler), &limit, endpoint = std::move(endpoint)](
             const http::Request& request,
             http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
    if (!limit.tryAcquire()) {
      limit.shed(endpoint, request.method_string());
      co_return overloaded(request, context);
    }
    struct Release {
      http::AdaptiveConcurrencyLimit& limit;
      std::chrono::steady_clock::time_point admitted = std::chrono::steady_clock::now();
      ~Release() { limit.release(std::chrono::steady_clock::now() - admitted); }
    } release{limit};
    co_return co_await handler(request, context);
  };
}

http::Handler withErrorBoundary(http::Handler handler, std::shared_ptr<spdlog::logger> log) {
  return [handler = std::move(handler), log = std::move(log)](
             const http::Request& request,
             http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
    std::exception_ptr failure;
    try {
      co_return co_await handler(request, context);
    } catch (...) {
      failure = std::current_exception();
    }
    co_return failureResponse(failure, request, context, *log);
  };
}

}  // namespace tickets::api
