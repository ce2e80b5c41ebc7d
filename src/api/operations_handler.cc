#include "api/operations_handler.h"

#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include "common/json_log.h"
#include "http/problem.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

http::Response notReady(std::string reason, const http::Request& request,
                        const http::RequestContext& context) {
  auto response =
      http::problemResponse(http::makeProblem(http::ProblemType::kNotReady, std::move(reason)),
                            context, request.version(), true);
  return response;
}

}  // namespace

boost::asio::awaitable<http::Response> OperationsHandler::health(const http::Request& request,
                                                                 http::RequestContext&) {
  auto response = http::jsonResponse(status::ok, R"({"status":"ok"})", request.version());
  response.set(http::beast_http::field::cache_control, "no-store");
  co_return response;
}

boost::asio::awaitable<http::Response> OperationsHandler::readiness(const http::Request& request,
                                                                    http::RequestContext& context) {
  if (draining_.load(std::memory_order_relaxed)) {
    co_return notReady("draining: the process is shutting down", request, context);
  }
  std::string failure;
  try {
    co_await workers_.run([this] { ping_(kReadinessTimeout); });
  } catch (const Overloaded&) {
    // Every worker is busy, so the database is serving: failing readiness now would move this
    // pod's load onto the others and spread the overload.
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    log_->warn(
        R"("msg":"not ready: database check failed","request_id":"{}","error":"{}","action":"check the database is up and reachable from this pod")",
        JsonEscaped{context.request_id}, JsonEscaped{failure});
    co_return notReady("the database does not answer", request, context);
  }
  auto response = http::jsonResponse(status::ok, R"({"status":"ready"})", request.version());
  response.set(http::beast_http::field::cache_control, "no-store");
  co_return response;
}

boost::asio::awaitable<http::Response> OperationsHandler::metrics(const http::Request& request,
                                                                  http::RequestContext&) {
  http::Response response{status::ok, request.version()};
  response.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.set(http::beast_http::field::cache_control, "no-store");
  std::vector<prometheus::MetricFamily> families;
  for (const auto* collectable : collectables_) {
    auto collected = collectable->Collect();
    std::move(collected.begin(), collected.end(), std::back_inserter(families));
  }
  response.body() = prometheus::TextSerializer().Serialize(families);
  response.prepare_payload();
  co_return response;
}

}  // namespace tickets::api
