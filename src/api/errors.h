#pragma once

#include <exception>
#include <memory>

#include "domain/error.h"
#include "http/concurrency_limit.h"
#include "http/problem.h"
#include "http/types.h"

namespace spdlog {
class logger;
}

namespace tickets::api {

// The one mapping of domain errors to HTTP status and problem type.
http::Problem problemFor(const DomainError& error);

// The problem response; a 401 also carries WWW-Authenticate: Bearer.
http::Response domainErrorResponse(const DomainError& error, const http::Request& request,
                                   const http::RequestContext& context);

// Wraps a handler so that infrastructure failures become responses: a full worker pool 429
// (shed), an exhausted connection pool or an unavailable database 503, anything else 500. The
// log gets the details with the request id; the client gets none.
http::Handler withErrorBoundary(http::Handler handler, std::shared_ptr<spdlog::logger> log);

// Wraps a handler of route `endpoint` in an adaptive concurrency limit: beyond it the request
// is shed at once with 429 /problems/overloaded and Retry-After; an admitted request's time in
// the handler is the latency the limit adapts to.
http::Handler withConcurrencyLimit(http::Handler handler, http::AdaptiveConcurrencyLimit& limit,
                                   std::string endpoint);

}  // namespace tickets::api
