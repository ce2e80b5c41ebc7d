#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "common/json_log.h"
#include "http/problem.h"

namespace tickets::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::seconds kWriteTimeout{10};
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kLingerBytes = 1 << 20;

// Counts something for as long as the guard lives.
class CountGuard {
 public:
  explicit CountGuard(std::atomic<size_t>& count) : count_(count) {
    count_.fetch_add(1, std::memory_order_acq_rel);
  }
  ~CountGuard() { count_.fetch_sub(1, std::memory_order_acq_rel); }
  CountGuard(const CountGuard&) = delete;
  CountGuard& operator=(const CountGuard&) = delete;

 private:
  std::atomic<size_t>& count_;
};

std::string_view pathOf(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

// A response for a request that could not be read completely; the connection closes after it.
std::optional<Problem> problemForReadError(const beast::error_code& ec) {
  if (ec == beast_http::error::header_limit) {
    return Problem{beast_http::status::request_header_fields_too_large,
                   "header-too-large",
                   "Request Header Fields Too Large",
                   "the request header is too large",
                   {}};
  }
  if (ec == beast_http::error::body_limit) {
    return Problem{beast_http::status::payload_too_large,
                   "payload-too-large",
                   "Content Too Large",
                   "the request body is too large",
                   {}};
  }
  if (ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category()) {
    return badRequestProblem("the request is not valid HTTP/1.1");
  }
  return std::nullopt;
}

}  // namespace

Server::Server(asio::io_context& io, const Router& router, HttpMetrics& metrics,
               std::shared_ptr<spdlog::logger> log, ServerOptions options)
    : io_(io),
      router_(router),
      metrics_(metrics),
      log_(std::move(log)),
      options_(std::move(options)),
      acceptor_(asio::make_strand(io)) {}

Server::~Server() = default;

uint16_t Server::listen() {
  tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint().port();
}

void Server::start() { asio::co_spawn(acceptor_.get_executor(), acceptLoop(), asio::detached); }

void Server::stopAccepting() {
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> Server::acceptLoop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) {
      co_return;
    }
    if (ec) {
      // Out of descriptors and similar: say so, then keep accepting rather than die.
      log_->error(
          R"("msg":"accept failed","error":"{}","action":"check process_open_fds against the limit")",
          JsonEscaped{ec.message()});
      continue;
    }
    if (connections() >= options_.max_connections) {
      log_->warn(R"("msg":"connection refused: at MAX_CONNECTIONS","max_connections":{})",
                 options_.max_connections);
      continue;  // the socket closes as it goes out of scope
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket), state_), asio::detached);
  }
}

asio::awaitable<void> Server::session(tcp::socket socket, std::shared_ptr<State> state) {
  CountGuard connection(state->connections);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(options_.max_header_bytes + 1024);

  for (;;) {
    // Wait for the first byte of a request as long as an idle connection may stay, then for
    // the rest of it within the read deadline.
    if (buffer.size() == 0) {
      stream.expires_after(options_.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
      if (ec) {
        break;
      }
      buffer.commit(n);
    }
    beast_http::request_parser<beast_http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
    parser.body_limit(options_.max_body_bytes);
    stream.expires_after(options_.read_timeout);
    auto [read_ec, read_bytes] = co_await beast_http::async_read(stream, buffer, parser, kNoThrow);
    const auto received_at = std::chrono::steady_clock::now();

    CountGuard in_flight(state->in_flight);
    metrics_.inFlight().Increment();
    RequestContext context;
    context.received_at = received_at;
    Request& request = parser.get();
    auto id_header = request.find("X-Request-Id");
    if (id_header != request.end() && RequestIdGenerator::isAcceptable(id_header->value())) {
      context.request_id = std::string(id_header->value());
    } else {
      context.request_id = request_ids_.next();
    }
    context.target = request.target();
    context.path = pathOf(context.target);

    size_t endpoint = metrics_.unmatchedEndpoint();
    Response response;
    bool close_after = false;
    if (read_ec) {
      auto problem = problemForReadError(read_ec);
      metrics_.inFlight().Decrement();
      if (!problem) {
        break;  // timeout, reset or end of stream: nothing to answer
      }
      response = problemResponse(*problem, context, 11, false);
      close_after = true;
    } else {
      response = co_await dispatch(request, context, endpoint);
      metrics_.inFlight().Decrement();
      close_after = !request.keep_alive() || state->draining.load(std::memory_order_relaxed);
      response.keep_alive(!close_after);
      response.version(request.version());
    }

    stream.expires_after(kWriteTimeout);
    auto [write_ec, written] = co_await beast_http::async_write(stream, response, kNoThrow);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - received_at).count();
    const int status = static_cast<int>(response.result_int());
    metrics_.observe(endpoint, request.method_string(), status, seconds);
    log_->info(
        R"("msg":"request","request_id":"{}","method":"{}","route":"{}","path":"{}","status":{},"duration_ms":{:.3f},"bytes":{})",
        JsonEscaped{context.request_id}, JsonEscaped{request.method_string()},
        JsonEscaped{endpoint < router_.endpoints().size() ? router_.endpoints()[endpoint]
                                                          : HttpMetrics::kUnmatchedEndpoint},
        JsonEscaped{context.path.substr(0, 256)}, status, seconds * 1000.0, written);
    if (write_ec || close_after) {
      break;
    }
  }
  // Lingering close: read what the client still sends (say, the rest of a rejected body) for a
  // short while, so that closing does not reset the connection before it has read our answer.
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(kLingerTimeout);
  size_t discarded = 0;
  while (discarded < kLingerBytes) {
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kNoThrow);
    if (ec) {
      break;
    }
    discarded += n;
  }
}

asio::awaitable<Response> Server::dispatch(Request& request, RequestContext& context,
                                           size_t& endpoint) {
  const unsigned version = request.version();
  if (!context.target.starts_with('/')) {
    co_return problemResponse(badRequestProblem("the request target must be a path"), context,
                              version, false);
  }
  auto match = router_.match(request.method(), context.path, context);
  switch (match.outcome) {
    case Router::Outcome::kNotFound:
      co_return problemResponse(notFoundProblem("no such resource"), context, version, true);
    case Router::Outcome::kMethodNotAllowed: {
      endpoint = match.endpoint;
      auto response = problemResponse(Problem{beast_http::status::method_not_allowed,
                                              "method-not-allowed",
                                              "Method Not Allowed",
                                              "allowed: " + match.allow,
                                              {}},
                                      context, version, true);
      response.set(beast_http::field::allow, match.allow);
      co_return response;
    }
    case Router::Outcome::kFound:
      break;
  }
  endpoint = match.endpoint;
  try {
    Response response = co_await (*match.handler)(request, context);
    response.set("X-Request-Id", context.request_id);
    co_return response;
  } catch (const std::exception& e) {
    log_->error(
        R"("msg":"unhandled error in handler","request_id":"{}","route":"{}","error":"{}","action":"this is a bug: report it with the request id")",
        JsonEscaped{context.request_id}, JsonEscaped{router_.endpoints()[endpoint]},
        JsonEscaped{e.what()});
  }
  co_return problemResponse(Problem{}, context, version, true);
}

}  // namespace tickets::http
