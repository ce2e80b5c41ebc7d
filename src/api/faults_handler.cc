#include "api/faults_handler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "api/json_body.h"
#include "common/json_log.h"
#include "common/utf8.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

boost::json::object toJson(const FaultInjector::Settings& settings) {
  boost::json::object routes;
  for (const auto& [route, fault] : settings.routes) {
    routes[route] = {{"latency_ms", fault.latency.count()}, {"error_ratio", fault.error_ratio}};
  }
  return {{"routes", std::move(routes)},
          {"database_latency_ms", settings.database_latency.count()}};
}

std::optional<int64_t> millis(const boost::json::value& v) {
  if (v.is_int64() && v.as_int64() >= 0 && v.as_int64() <= FaultsHandler::kMaxLatency.count()) {
    return v.as_int64();
  }
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(FaultsHandler::kMaxLatency.count())) {
    return static_cast<int64_t>(v.as_uint64());
  }
  return std::nullopt;
}

std::variant<FaultInjector::Settings, http::Problem> parseSettings(
    const boost::json::object& body, const std::vector<std::string>& known_routes) {
  FaultInjector::Settings settings;
  for (const auto& [key, value] : body) {
    if (key == "database_latency_ms") {
      auto ms = millis(value);
      if (!ms) {
        return unprocessable(key, "database_latency_ms must be an integer from 0 to 30000");
      }
      settings.database_latency = std::chrono::milliseconds(*ms);
    } else if (key == "routes") {
      if (!value.is_object()) {
        return unprocessable(key, "routes must be an object keyed by route template");
      }
      for (const auto& [route, fault] : value.as_object()) {
        std::string name(route);
        if (std::find(known_routes.begin(), known_routes.end(), name) == known_routes.end()) {
          return unprocessable("routes", "unknown route template '" + name.substr(0, 100) + "'");
        }
        if (!fault.is_object()) {
          return unprocessable("routes", "a route's fault must be an object");
        }
        FaultInjector::RouteFault parsed;
        for (const auto& [field, v] : fault.as_object()) {
          if (field == "latency_ms") {
            auto ms = millis(v);
            if (!ms) {
              return unprocessable("latency_ms", "latency_ms must be an integer from 0 to 30000");
            }
            parsed.latency = std::chrono::milliseconds(*ms);
          } else if (field == "error_ratio") {
            // Written so that NaN (Boost.JSON reads 0e800 as one) fails too.
            if (!v.is_number() || !(v.to_number<double>() >= 0 && v.to_number<double>() <= 1)) {
              return unprocessable("error_ratio", "error_ratio must be a number from 0 to 1");
            }
            parsed.error_ratio = v.to_number<double>();
          } else {
            return unprocessable(clippedUtf8(field, 64),
                                 "unknown field '" + clippedUtf8(field, 64) + "'");
          }
        }
        settings.routes[name] = parsed;
      }
    } else {
      return unprocessable(clippedUtf8(key, 64), "unknown field '" + clippedUtf8(key, 64) + "'");
    }
  }
  return settings;
}

bool roll(double ratio) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine) < ratio;
}

}  // namespace

boost::asio::awaitable<http::Response> FaultsHandler::get(const http::Request& request,
                                                          http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kInjectFaults);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  co_return http::jsonResponse(status::ok, boost::json::serialize(toJson(faults_.get())),
                               request.version());
}

boost::asio::awaitable<http::Response> FaultsHandler::put(const http::Request& request,
                                                          http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kInjectFaults, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto settings = parseSettings(std::get<GuardedInput>(input).body, routes_);
  if (auto* problem = std::get_if<http::Problem>(&settings)) {
    co_return http::problemResponse(*problem, context, request.version(), true);
  }
  auto& applied = std::get<FaultInjector::Settings>(settings);
  auto json = boost::json::serialize(toJson(applied));
  faults_.set(std::move(applied));
  log_->warn(R"("msg":"faults injected","request_id":"{}","faults":{})",
             JsonEscaped{context.request_id}, json);
  co_return http::jsonResponse(status::ok, json, request.version());
}

boost::asio::awaitable<http::Response> FaultsHandler::clear(const http::Request& request,
                                                            http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kInjectFaults);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  faults_.set({});
  log_->warn(R"("msg":"faults cleared","request_id":"{}")", JsonEscaped{context.request_id});
  http::Response response{status::no_content, request.version()};
  co_return response;
}

http::Handler withFaults(http::Handler handler, std::string route_template,
                         const FaultInjector& faults, std::shared_ptr<spdlog::logger> log) {
  return [handler = std::move(handler), route = std::move(route_template), &faults,
          log = std::move(log)](
             const http::Request& request,
             http::RequestContext& context) -> boost::asio::awaitable<http::Response> {
    auto fault = faults.forRoute(route);
    if (fault) {
      if (fault->latency.count() > 0) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, fault->latency);
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
      if (roll(fault->error_ratio)) {
        log->warn(R"("msg":"injected error","request_id":"{}","route":"{}")",
                  JsonEscaped{context.request_id}, JsonEscaped{route});
        co_return http::problemResponse(http::Problem{}, context, request.version(), true);
      }
    }
    co_return co_await handler(request, context);
  };
}

}  // namespace tickets::api
