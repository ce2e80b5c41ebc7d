#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace tickets::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

inline constexpr size_t kMaxPathParams = 4;

// What the server knows about the request being handled, passed to every handler.
struct RequestContext {
  std::string request_id;
  std::string_view path;                                  // without the query
  std::string_view target;                                // path and query as received
  std::array<std::string_view, kMaxPathParams> params{};  // values of {placeholders}, in order
  size_t param_count = 0;
  std::chrono::steady_clock::time_point received_at;
};

using Handler = std::function<boost::asio::awaitable<Response>(const Request&, RequestContext&)>;

}  // namespace tickets::http
