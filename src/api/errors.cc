#include "api/errors.h"

#include <spdlog/spdlog.h>

#include "api/worker_pool.h"
#include "common/json_log.h"
#include "storage/errors.h"

namespace tickets::api {
namespace status = boost::beast::http;

namespace {

http::Problem problem(status::status code, const char* type, const char* title,
                      const DomainError& error) {
  http::Problem p{code, type, title, error.detail, error.field};
  for (const auto& extension : error.extensions) {
    p.extensions.emplace_back(extension.name, extension.value);
  }
  return p;
}

}  // namespace

http::Problem problemFor(const DomainError& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return problem(status::status::bad_request, "invalid-parameter", "Invalid Parameter", error);
    case ErrorCode::kNotFound:
      return problem(status::status::not_found, "not-found", "Not Found", error);
    case ErrorCode::kConflict:
      return problem(status::status::conflict, "conflict", "Conflict", error);
    case ErrorCode::kSoldOut:
      return problem(status::status::conflict, "sold-out", "Sold Out", error);
    case ErrorCode::kNotOnSale:
      return problem(status::status::conflict, "not-on-sale", "Not On Sale", error);
    case ErrorCode::kGone:
      return problem(status::status::gone, "gone", "Gone", error);
    case ErrorCode::kUnprocessable:
      return problem(status::status::unprocessable_entity, "validation-failed",
                     "Unprocessable Content", error);
    case ErrorCode::kOrderAdmitted:
      return problem(status::status::conflict, "order-admitted", "Order Admitted", error);
    case ErrorCode::kEventStarted:
      return problem(status::status::conflict, "event-started", "Event Started", error);
    case ErrorCode::kUnauthenticated:
      return problem(status::status::unauthorized, "unauthorized", "Unauthorized", error);
    case ErrorCode::kForbidden:
      return problem(status::status::forbidden, "forbidden", "Forbidden", error);
    case ErrorCode::kAccessDisabled:
      return problem(status::status::forbidden, "admin-disabled", "Admin API Disabled", error);
    case ErrorCode::kWrongEvent:
      return problem(status::status::conflict, "wrong-event", "Wrong Event", error);
  }
  return http::Problem{};
}

http::Response domainErrorResponse(const DomainError& error, const http::Request& request,
                                   const http::RequestContext& context) {
  auto response = http::problemResponse(problemFor(error), context, request.version(), true);
  if (error.code == ErrorCode::kUnauthenticated) {
    response.set(status::field::www_authenticate, "Bearer");
  }
  return response;
}

namespace {

http::Response failureResponse(std::exception_ptr failure, const http::Request& request,
                               const http::RequestContext& context, spdlog::logger& log) {
  const unsigned version = request.version();
  const JsonEscaped id{context.request_id};
  try {
    std::rethrow_exception(failure);
  } catch (const Overloaded&) {
    auto response = http::problemResponse(http::Problem{status::status::too_many_requests,
                                                        "overloaded",
                                                        "Too Many Requests",
                                                        "the service is at capacity; retry shortly",
                                                        {}},
                                          context, version, true);
    response.set(status::field::retry_after, "1");
    return response;
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
      http::problemResponse(http::Problem{status::status::service_unavailable,
                                          "service-unavailable",
                                          "Service Unavailable",
                                          "the service cannot answer now; retry shortly",
                                          {}},
                            context, version, true);
  response.set(status::field::retry_after, "1");
  return response;
}

}  // namespace

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
