#include "support/http_client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>

namespace tickets::test {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

void setTimeouts(tcp::socket& socket, int timeout_ms) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// With TICKETS_RESPONSE_LOG set, every exchange is appended to that file as one JSON line, so
// that tests/openapi can check each response against the API document. One write() of a whole
// line to an O_APPEND descriptor keeps lines from concurrent test processes apart.
void logExchange(const std::string& method, const std::string& target, const HttpResult& result) {
  const char* path = std::getenv("TICKETS_RESPONSE_LOG");
  if (path == nullptr || *path == '\0') {
    return;
  }
  boost::json::object line{{"method", method},
                           {"target", target},
                           {"status", result.status},
                           {"content_type", result.header("content-type")},
                           {"body", result.body}};
  std::string text = boost::json::serialize(line) + "\n";
  int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    ADD_FAILURE() << "cannot open TICKETS_RESPONSE_LOG " << path;
    return;
  }
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    ADD_FAILURE() << "short write to TICKETS_RESPONSE_LOG " << path;
  }
  ::close(fd);
}

}  // namespace

HttpResult httpRequest(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  setTimeouts(socket, 15000);
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    request.set(name, value);
  }
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request.body() = body;
    request.prepare_payload();
  }
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(socket, buffer, parser);
  auto& response = parser.get();
  HttpResult result;
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    result.headers[name] = std::string(field.value());
  }
  result.body = response.body();
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  logExchange(method, target, result);
  return result;
}

std::string rawExchange(uint16_t port, const std::string& bytes, int timeout_ms) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  setTimeouts(socket, timeout_ms);
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  // Plain poll and recv: Asio's blocking reads would retry past SO_RCVTIMEO.
  std::string out;
  char chunk[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{socket.native_handle(), POLLIN, 0};
    if (left.count() <= 0 || poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      break;
    }
    ssize_t n = recv(socket.native_handle(), chunk, sizeof chunk, 0);
    if (n <= 0) {
      break;
    }
    out.append(chunk, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace tickets::test
