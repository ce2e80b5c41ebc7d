#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>

#include <set>
#include <sstream>

#include "api/errors.h"
#include "api/worker_pool.h"
#include "common/database_errors.h"
#include "http/problem.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

TEST(ProblemMapping, EveryDomainErrorHasOneStatusAndType) {
  struct Case {
    ErrorCode code;
    status expected;
    const char* type;
  };
  for (auto c : {Case{ErrorCode::kInvalidArgument, status::bad_request, "invalid-parameter"},
                 Case{ErrorCode::kNotFound, status::not_found, "not-found"},
                 Case{ErrorCode::kConflict, status::conflict, "conflict"},
                 Case{ErrorCode::kSoldOut, status::conflict, "sold-out"},
                 Case{ErrorCode::kNotOnSale, status::conflict, "not-on-sale"},
                 Case{ErrorCode::kGone, status::gone, "gone"},
                 Case{ErrorCode::kUnprocessable, status::unprocessable_entity, "validation-failed"},
                 Case{ErrorCode::kOrderAdmitted, status::conflict, "order-admitted"},
                 Case{ErrorCode::kEventStarted, status::conflict, "event-started"},
                 Case{ErrorCode::kUnauthenticated, status::unauthorized, "unauthorized"},
                 Case{ErrorCode::kForbidden, status::forbidden, "forbidden"},
                 Case{ErrorCode::kAccessDisabled, status::forbidden, "admin-disabled"},
                 Case{ErrorCode::kWrongEvent, status::conflict, "wrong-event"},
                 Case{ErrorCode::kTooManyHolds, status::too_many_requests, "too-many-holds"},
                 Case{ErrorCode::kQueueRequired, status::forbidden, "queue-required"},
                 Case{ErrorCode::kRateLimited, status::too_many_requests, "rate-limited"},
                 Case{ErrorCode::kPaymentsNotConfigured, status::service_unavailable,
                      "payments-not-configured"},
                 Case{ErrorCode::kProviderUnavailable, status::service_unavailable,
                      "payment-provider-unavailable"},
                 Case{ErrorCode::kBadSignature, status::unauthorized, "invalid-signature"}}) {
    auto problem = problemFor(DomainError{c.code, "detail", "field"});
    EXPECT_EQ(problem.status, c.expected);
    EXPECT_EQ(problem.type, c.type);
    EXPECT_EQ(problem.detail, "detail");
    EXPECT_EQ(problem.field, "field");
  }
}

TEST(ProblemMapping, ExtensionsBecomeBodyMembers) {
  http::RequestContext context;
  DomainError sold_out{ErrorCode::kSoldOut,
                       "only 2 left",
                       "items.quantity",
                       {{"ticket_type_id", int64_t{7}}, {"available", int64_t{2}}}};
  auto response = http::problemResponse(problemFor(sold_out), context, 11, true);
  auto body = boost::json::parse(response.body().view()).as_object();
  EXPECT_EQ(body.at("type"), "/problems/sold-out");
  EXPECT_EQ(body.at("ticket_type_id"), 7);
  EXPECT_EQ(body.at("available"), 2);
}

TEST(ProblemMapping, UnauthenticatedAsksForABearerToken) {
  http::Request request;
  http::RequestContext context;
  auto response = domainErrorResponse(
      DomainError{ErrorCode::kUnauthenticated, "a valid bearer token is required", {}}, request,
      context);
  EXPECT_EQ(response.result(), status::unauthorized);
  EXPECT_EQ(response[http::beast_http::field::www_authenticate], "Bearer");
  auto forbidden =
      domainErrorResponse(DomainError{ErrorCode::kForbidden, "no", {}}, request, context);
  EXPECT_EQ(forbidden[http::beast_http::field::www_authenticate], "");
}

TEST(ProblemMapping, ResponseIsProblemJson) {
  http::RequestContext context;
  context.request_id = "req-1";
  context.path = "/api/events/9";
  auto response = http::problemResponse(problemFor(notFound("no such event")), context, 11, true);
  EXPECT_EQ(response[http::beast_http::field::content_type], "application/problem+json");
  auto body = boost::json::parse(response.body().view()).as_object();
  EXPECT_EQ(body.at("type"), "/problems/not-found");
  EXPECT_EQ(body.at("status"), 404);
  EXPECT_EQ(body.at("instance"), "/api/events/9");
  EXPECT_EQ(body.at("request_id"), "req-1");
}

// Runs a handler that throws `failure` through the error boundary; returns response and log.
template <class Failure>
std::pair<http::Response, std::string> throughBoundary(Failure failure) {
  std::ostringstream log_text;
  auto log = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text));
  log->set_pattern("%v");
  auto handler = withErrorBoundary(
      [failure](const http::Request&,
                http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        throw failure;
        co_return http::Response{};
      },
      log);
  boost::asio::io_context io;
  http::Request request;
  http::RequestContext context;
  context.request_id = "req-7";
  auto future = boost::asio::co_spawn(io, handler(request, context), boost::asio::use_future);
  io.run();
  return {future.get(), log_text.str()};
}

TEST(ErrorBoundary, PoolExhaustionIs503WithLogLineAndNoDetail) {
  auto [response, log] = throughBoundary(PoolExhausted(20, std::chrono::milliseconds(1000)));
  EXPECT_EQ(response.result(), status::service_unavailable);
  EXPECT_EQ(response[http::beast_http::field::retry_after], "1");
  EXPECT_EQ(response.body().view().find("pool"), std::string_view::npos);
  EXPECT_NE(log.find("connection pool exhausted"), std::string::npos);
  EXPECT_NE(log.find("\"pool_size\":20"), std::string::npos);
  EXPECT_NE(log.find("req-7"), std::string::npos);
}

TEST(ErrorBoundary, DatabaseFailuresNeverLeak) {
  auto [unavailable, log1] =
      throughBoundary(DatabaseUnavailable("SQLite step: disk I/O error at /secret/path"));
  EXPECT_EQ(unavailable.result(), status::service_unavailable);
  EXPECT_EQ(unavailable.body().view().find("secret"), std::string::npos);
  EXPECT_NE(log1.find("/secret/path"), std::string::npos);

  auto [broken, log2] = throughBoundary(DatabaseError("SQLite prepare: no such table: evnts"));
  EXPECT_EQ(broken.result(), status::internal_server_error);
  EXPECT_EQ(broken.body().view().find("evnts"), std::string::npos);
  EXPECT_NE(log2.find("evnts"), std::string::npos);
}

TEST(ErrorBoundary, FullWorkerPoolSheds429) {
  auto [response, log] = throughBoundary(Overloaded());
  EXPECT_EQ(response.result(), status::too_many_requests);
  EXPECT_EQ(response[http::beast_http::field::retry_after], "1");
}

}  // namespace
}  // namespace tickets::api

namespace tickets::http {
namespace {

// Every problem type has its own row in the one table: a type left out would be answered as an
// internal error.
TEST(ProblemTable, EveryTypeHasItsOwnSlugStatusAndTitle) {
  std::set<std::string> slugs;
  for (int i = static_cast<int>(ProblemType::kInternalError);
       i <= static_cast<int>(ProblemType::kInvalidSignature); ++i) {
    auto problem = makeProblem(static_cast<ProblemType>(i), "detail", "field");
    EXPECT_TRUE(slugs.insert(problem.type).second) << "slug " << problem.type << " twice";
    EXPECT_FALSE(problem.title.empty()) << problem.type;
    EXPECT_EQ(problem.detail, "detail");
    EXPECT_EQ(problem.field, "field");
    if (i != static_cast<int>(ProblemType::kInternalError)) {
      EXPECT_NE(problem.type, "internal-error") << "type " << i << " has no row";
    }
  }
  EXPECT_EQ(slugs.size(), static_cast<size_t>(ProblemType::kInvalidSignature) + 1);
  EXPECT_EQ(makeProblem(ProblemType::kNotFound).status, beast_http::status::not_found);
  EXPECT_EQ(makeProblem(ProblemType::kTimeout).title, "Service Unavailable");
}

}  // namespace
}  // namespace tickets::http
