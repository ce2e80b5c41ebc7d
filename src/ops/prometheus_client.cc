#include "ops/prometheus_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cmath>
#include <cstdlib>

namespace tickets {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

// Prometheus answers small JSON documents; anything bigger than this is not what we asked for.
constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

std::optional<double> parseSampleValue(std::string_view text) {
  if (text == "NaN" || text == "+Inf" || text == "-Inf") {
    return std::nullopt;
  }
  // strtod accepts the forms Prometheus prints (1e-05, 0.25); from_chars for double is not in
  // GCC 12's library for every form, so strtod on a bounded copy.
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end == copy.c_str() || *end != '\0' || !std::isfinite(value)) {
    throw PrometheusError("Prometheus answered a sample value that is not a number");
  }
  return value;
}

asio::awaitable<std::string> fetch(std::string host, std::string port, std::string target,
                                   std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  auto endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
  co_await stream.async_connect(endpoints, asio::use_awaitable);

  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, host);
  request.set(http::field::accept, "application/json");
  request.set(http::field::user_agent, "ticketsctl");
  co_await http::async_write(stream, request, asio::use_awaitable);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);

  auto response = parser.release();
  // Prometheus answers 400/422/503 with its JSON error document; pass those on to the parser.
  const unsigned status = response.result_int();
  if (status != 200 && status != 400 && status != 422 && status != 503) {
    throw PrometheusError("Prometheus answered HTTP " + std::to_string(status));
  }
  co_return std::move(response.body());
}

}  // namespace

PrometheusClient::PrometheusClient(std::string_view base_url, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  auto parsed = boost::urls::parse_absolute_uri(base_url);
  if (!parsed) {
    throw PrometheusError(
        "not an absolute URL: expected http://host:port, e.g. "
        "http://localhost:9090");
  }
  const boost::urls::url_view url = *parsed;
  if (url.scheme_id() != boost::urls::scheme::http) {
    throw PrometheusError(
        "only http:// URLs are supported; reach the cluster's Prometheus with `kubectl -n "
        "monitoring port-forward svc/kube-prometheus-stack-prometheus 9090:9090` and use "
        "http://localhost:9090");
  }
  if (url.host().empty()) {
    throw PrometheusError("the Prometheus URL has no host");
  }
  if (url.has_userinfo() || url.has_query() || url.has_fragment()) {
    throw PrometheusError("the Prometheus URL must be http://host[:port][/path], nothing more");
  }
  host_ = url.host();
  port_ = url.has_port() ? std::string(url.port()) : "80";
  path_prefix_ = url.path();
  while (!path_prefix_.empty() && path_prefix_.back() == '/') {
    path_prefix_.pop_back();
  }
  display_url_ = "http://" + std::string(url.encoded_host_and_port()) + path_prefix_;
}

std::vector<PrometheusSample> PrometheusClient::query(
    std::string_view promql, std::optional<std::chrono::system_clock::time_point> at) const {
  boost::urls::url target(path_prefix_ + "/api/v1/query");
  target.params().append({"query", promql});
  if (at) {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(at->time_since_epoch()).count();
    target.params().append({"time", std::to_string(millis / 1000) + "." +
                                        std::to_string(1000 + millis % 1000).substr(1)});
  }
  asio::io_context io;
  auto body = asio::co_spawn(
      io, fetch(host_, port_, std::string(target.encoded_target()), timeout_), asio::use_future);
  io.run();
  try {
    return parsePrometheusVector(body.get());
  } catch (const PrometheusError&) {
    throw;
  } catch (const boost::system::system_error& e) {
    if (e.code() == beast::error::timeout) {
      throw PrometheusError("no answer from Prometheus at " + display_url_ + " within " +
                            std::to_string(timeout_.count()) + " ms");
    }
    throw PrometheusError("cannot reach Prometheus at " + display_url_ + ": " + e.code().message());
  }
}

std::vector<PrometheusSample> parsePrometheusVector(std::string_view body) {
  boost::system::error_code ec;
  json::value document = json::parse(body, ec);
  if (ec || !document.is_object()) {
    throw PrometheusError("the answer is not Prometheus' JSON (is the URL Prometheus'?)");
  }
  const json::object& root = document.as_object();
  const json::value* status = root.if_contains("status");
  if (status == nullptr || !status->is_string()) {
    throw PrometheusError("the answer is not Prometheus' JSON (no status)");
  }
  if (status->as_string() != "success") {
    std::string message = "Prometheus refused the query";
    if (const json::value* error = root.if_contains("error"); error && error->is_string()) {
      message += ": " + std::string(error->as_string().subview().substr(0, 300));
    }
    throw PrometheusError(message);
  }
  const json::value* data = root.if_contains("data");
  if (data == nullptr || !data->is_object()) {
    throw PrometheusError("the answer is not Prometheus' JSON (no data)");
  }
  const json::value* type = data->as_object().if_contains("resultType");
  const json::value* result = data->as_object().if_contains("result");
  if (type == nullptr || !type->is_string() || type->as_string() != "vector" || result == nullptr ||
      !result->is_array()) {
    throw PrometheusError("Prometheus did not answer an instant vector");
  }
  std::vector<PrometheusSample> samples;
  for (const json::value& element : result->as_array()) {
    const json::object* item = element.if_object();
    const json::value* metric = item ? item->if_contains("metric") : nullptr;
    const json::value* value = item ? item->if_contains("value") : nullptr;
    if (metric == nullptr || !metric->is_object() || value == nullptr || !value->is_array() ||
        value->as_array().size() != 2 || !value->as_array()[1].is_string()) {
      throw PrometheusError("Prometheus answered a malformed sample");
    }
    PrometheusSample sample;
    for (const auto& [name, label] : metric->as_object()) {
      if (label.is_string()) {
        sample.labels.emplace(std::string(name), std::string(label.as_string()));
      }
    }
    sample.value = parseSampleValue(value->as_array()[1].as_string());
    samples.push_back(std::move(sample));
  }
  return samples;
}

}  // namespace tickets
