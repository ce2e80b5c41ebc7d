#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <tuple>

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
constexpr std::chrono::milliseconds kFirstAcceptBackoff{10};
constexpr std::chrono::milliseconds kLongestAcceptBackoff{1000};
constexpr std::chrono::seconds kRefusalLogInterval{1};
// The route of a request that matched none, in the access log (as in the metrics' labels).
constexpr std::string_view kUnmatchedEndpoint = "unmatched";

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

// The status line and header fields of a response, exactly as Beast's serializer writes them,
// in one string: writing it and the body as two buffers costs a fraction of the serializer's
// buffer sequence machinery.
std::string headerBlock(const Response& response) {
  std::string out;
  out.reserve(256);
  const unsigned version = response.version();
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  const unsigned code = response.result_int();
  out += static_cast<char>('0' + code / 100 % 10);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
  out += ' ';
  out += response.reason();
  out += "\r\n";
  for (const auto& field : response) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

// Lets a repeating log line through at most once per interval and counts what it held back.
// Used by one accept loop (one thread) only.
class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // True if the line may be written now; `suppressed` is then how many were held back since.
  bool allow(size_t& suppressed) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_) {
      ++suppressed_;
      return false;
    }
    next_ = now + interval_;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point next_{};
  size_t suppressed_ = 0;
};

std::string_view pathOf(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

bool isPlainWord(std::string_view segment) {
  return std::all_of(segment.begin(), segment.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '-' || c == '_' || c == '.';
  });
}

bool isNumber(std::string_view segment) {
  return !segment.empty() &&
         std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A response for a request that could not be read completely; the connection closes after it.
std::optional<Problem> problemForReadError(const beast::error_code& ec) {
  if (ec == beast_http::error::header_limit) {
    return makeProblem(ProblemType::kHeaderTooLarge, "the request header is too large");
  }
  if (ec == beast_http::error::body_limit) {
    return makeProblem(ProblemType::kPayloadTooLarge, "the request body is too large");
  }
  if (ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category()) {
    return badRequestProblem("the request is not valid HTTP/1.1");
  }
  return std::nullopt;
}

}  // namespace

std::string redactedPath(std::string_view path) {
  constexpr size_t kMaxLogged = 256;
  std::string out;
  size_t pos = 0;
  while (pos < path.size() && out.size() < kMaxLogged) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) {
      next = path.size();
    }
    auto segment = path.substr(pos, next - pos);
    out += isNumber(segment) || isPlainWord(segment) ? segment : std::string_view("***");
    if (next < path.size()) {
      out += '/';
    }
    pos = next + 1;
  }
  return out.substr(0, kMaxLogged);
}

// One request and what became of it. Owned jointly by the session and the handler's task, so
// that a handler still running after its deadline keeps its request alive.
struct Server::Exchange {
  explicit Exchange(asio::any_io_executor executor) : handler_done(std::move(executor)) {}

  Request request;
  RequestContext context;
  std::optional<Response> response;  // set when the handler has finished
  asio::steady_timer handler_done;   // cancelled when the handler has finished
  bool abandoned = false;            // answered 503 at the deadline; still counted in flight
};

Server::Server(std::vector<asio::io_context*> loops, const Router& router,
               RequestObserver& observer, std::shared_ptr<spdlog::logger> log,
               ServerOptions options)
    : loops_(std::move(loops)),
      router_(router),
      observer_(observer),
      log_(std::move(log)),
      options_(std::move(options)) {
  for (asio::io_context* loop : loops_) {
    acceptors_.push_back(std::make_unique<tcp::acceptor>(*loop));
  }
}

Server::~Server() = default;

uint16_t Server::listen() {
  using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
  tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
  if (acceptors_.size() > 1 && endpoint.port() != 0) {
    // SO_REUSEPORT would let this process share a port another one (of the same user) listens
    // on, splitting its traffic. A plain bind first fails, as it should, if the port is taken.
    tcp::acceptor probe(*loops_.front());
    probe.open(endpoint.protocol());
    probe.set_option(asio::socket_base::reuse_address(true));
    probe.bind(endpoint);
  }
  for (auto& acceptor : acceptors_) {
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    if (acceptors_.size() > 1) {
      acceptor->set_option(reuse_port(true));
    }
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    // With port 0 the first socket picks one; the others share it.
    endpoint.port(acceptor->local_endpoint().port());
  }
  return endpoint.port();
}

void Server::start() {
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(acceptor->get_executor(), acceptLoop(*acceptor), asio::detached);
  }
}

void Server::stopAccepting() {
  for (auto& acceptor : acceptors_) {
    asio::post(acceptor->get_executor(), [&acceptor = *acceptor] {
      beast::error_code ignored;
      acceptor.close(ignored);
    });
  }
}

asio::awaitable<void> Server::acceptLoop(tcp::acceptor& acceptor) {
  asio::steady_timer backoff_timer(acceptor.get_executor());
  auto backoff = std::chrono::milliseconds(0);
  LogThrottle accept_failures(kRefusalLogInterval);
  LogThrottle refusals(kRefusalLogInterval);
  size_t suppressed = 0;
  for (;;) {
    // The connection stays on this loop: its thread alone runs it, so it needs no strand.
    auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      // Out of descriptors and similar: the pending connection stays queued, so accepting again
      // at once would spin. Back off, up to a second, and say so once a second at most.
      backoff = std::clamp(backoff * 2, kFirstAcceptBackoff, kLongestAcceptBackoff);
      if (accept_failures.allow(suppressed)) {
        log_->error(
            R"("msg":"accept failed","error":"{}","retry_in_ms":{},"suppressed":{},"action":"check process_open_fds against process_max_fds and lower MAX_CONNECTIONS")",
            JsonEscaped{ec.message()}, backoff.count(), suppressed);
      }
      backoff_timer.expires_after(backoff);
      co_await backoff_timer.async_wait(kNoThrow);
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    if (connections() >= options_.max_connections) {
      if (refusals.allow(suppressed)) {
        log_->warn(
            R"("msg":"connection refused: at MAX_CONNECTIONS","max_connections":{},"suppressed":{})",
            options_.max_connections, suppressed);
      }
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
  const auto executor = co_await asio::this_coro::executor;
  std::string peer;
  if (boost::system::error_code ec; true) {
    auto endpoint = stream.socket().remote_endpoint(ec);
    peer = ec ? std::string() : endpoint.address().to_string();
  }

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
    observer_.onStarted();
    const bool chunked = parser.chunked();
    auto exchange = std::make_shared<Exchange>(executor);
    exchange->request = parser.release();
    const Request& request = exchange->request;
    RequestContext& context = exchange->context;
    context.received_at = received_at;
    context.peer = peer;
    auto id_header = request.find("X-Request-Id");
    if (id_header != request.end() && RequestIdGenerator::isAcceptable(id_header->value())) {
      context.request_id = std::string(id_header->value());
    } else {
      context.request_id = request_ids_.next();
    }
    context.target = request.target();
    context.path = pathOf(context.target);
    const bool head = request.method() == beast_http::verb::head;

    size_t endpoint = router_.endpoints().size();  // unmatched until routed
    Response response;
    bool close_after = false;
    if (read_ec) {
      auto problem = problemForReadError(read_ec);
      observer_.onAnswered();
      if (!problem) {
        break;  // timeout, reset or end of stream: nothing to answer
      }
      response = problemResponse(*problem, context, 11, false);
      close_after = true;
    } else if (request.find(beast_http::field::transfer_encoding) != request.end() && !chunked) {
      // RFC 9112 6.3: a request whose transfer coding does not end in chunked has no knowable
      // length; reading on would take its body for the next request.
      observer_.onAnswered();
      response = problemResponse(
          badRequestProblem("Transfer-Encoding must end in chunked", "Transfer-Encoding"), context,
          request.version(), false);
      close_after = true;
    } else {
      response = co_await dispatch(exchange, state, endpoint);
      observer_.onAnswered();
      close_after = !request.keep_alive() || state->draining.load(std::memory_order_relaxed);
      response.keep_alive(!close_after);
      response.version(request.version());
    }

    stream.expires_after(kWriteTimeout);
    beast::error_code write_ec;
    size_t written = 0;
    if (head && response.find(beast_http::field::content_length) == response.end() &&
        !response.chunked()) {
      // The headers a GET would get, Content-Length included, and never a body.
      response.content_length(ResponseBody::size(response.body()));
    }
    if (!response.chunked()) {
      // The header block and the body in one gathered write.
      const std::string header = headerBlock(response);
      const std::string_view body = head ? std::string_view() : response.body().view();
      const std::array<asio::const_buffer, 2> buffers{asio::buffer(header), asio::buffer(body)};
      std::tie(write_ec, written) = co_await asio::async_write(stream, buffers, kNoThrow);
    } else {
      beast_http::response_serializer<ResponseBody> serializer(response);
      std::tie(write_ec, written) =
          head ? co_await beast_http::async_write_header(stream, serializer, kNoThrow)
               : co_await beast_http::async_write(stream, serializer, kNoThrow);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - received_at).count();
    const int status = static_cast<int>(response.result_int());
    observer_.onCompleted(endpoint, request.method_string(), status, seconds);
    log_->info(
        R"("msg":"request","request_id":"{}","method":"{}","route":"{}","path":"{}","status":{},"duration_ms":{:.3f},"bytes":{})",
        JsonEscaped{context.request_id}, JsonEscaped{request.method_string().substr(0, 16)},
        JsonEscaped{endpoint < router_.endpoints().size() ? router_.endpoints()[endpoint]
                                                          : kUnmatchedEndpoint},
        JsonEscaped{redactedPath(context.path)}, status, seconds * 1000.0, written);
    if (write_ec || close_after) {
      break;
    }
  }
  // Lingering close: read what the client still sends (say, the rest of a rejected body) for a
  // short while, so that closing does not reset the connection before it has read our answer.
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(kLingerTimeout);
  std::array<char, 4096> discard;
  size_t discarded = 0;
  while (discarded < kLingerBytes) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(discard), kNoThrow);
    if (ec) {
      break;
    }
    discarded += n;
  }
}

asio::awaitable<Response> Server::dispatch(std::shared_ptr<Exchange> exchange,
                                           std::shared_ptr<State> state, size_t& endpoint) {
  const Request& request = exchange->request;
  RequestContext& context = exchange->context;
  const unsigned version = request.version();
  if (request.method() == beast_http::verb::options && context.target == "*") {
    Response response{beast_http::status::no_content, version};
    response.set(beast_http::field::allow, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    response.set("X-Request-Id", context.request_id);
    co_return response;
  }
  if (!context.target.starts_with('/')) {
    co_return problemResponse(badRequestProblem("the request target must be a path"), context,
                              version, false);
  }
  auto match = router_.match(request.method(), context.path, context);
  if (match.outcome != Router::Outcome::kNotFound) {
    endpoint = match.endpoint;
  }
  if (match.outcome != Router::Outcome::kNotFound &&
      request.method() == beast_http::verb::options) {
    Response response{beast_http::status::no_content, version};
    response.set(beast_http::field::allow, match.allow);
    response.set("X-Request-Id", context.request_id);
    co_return response;
  }
  switch (match.outcome) {
    case Router::Outcome::kNotFound:
      co_return problemResponse(notFoundProblem("no such resource"), context, version, true);
    case Router::Outcome::kMethodNotAllowed: {
      auto response = problemResponse(
          makeProblem(ProblemType::kMethodNotAllowed, "allowed: " + std::string(match.allow)),
          context, version, true);
      response.set(beast_http::field::allow, match.allow);
      co_return response;
    }
    case Router::Outcome::kFound:
      break;
  }
  co_return co_await runHandler(*match.handler, std::move(exchange), std::move(state), endpoint);
}

asio::awaitable<Response> Server::runHandler(const Handler& handler,
                                             std::shared_ptr<Exchange> exchange,
                                             std::shared_ptr<State> state, size_t endpoint) {
  // The handler runs as a task of its own on this connection's loop; if it has not answered
  // by the deadline the client gets 503 while the task finishes in the background (still
  // counted in flight, so that shutdown waits for it). Both sides run on that one thread, so the
  // exchange needs no lock.
  asio::co_spawn(
      exchange->handler_done.get_executor(),
      [this, &handler, exchange, state, endpoint]() -> asio::awaitable<void> {
        Response response;
        try {
          response = co_await handler(exchange->request, exchange->context);
          response.set("X-Request-Id", exchange->context.request_id);
        } catch (const std::exception& e) {
          log_->error(
              R"("msg":"unhandled error in handler","request_id":"{}","route":"{}","error":"{}","action":"this is a bug: report it with the request id")",
              JsonEscaped{exchange->context.request_id}, JsonEscaped{router_.endpoints()[endpoint]},
              JsonEscaped{e.what()});
          response =
              problemResponse(Problem{}, exchange->context, exchange->request.version(), true);
        }
        exchange->response = std::move(response);
        exchange->handler_done.cancel();
        if (exchange->abandoned) {
          state->in_flight.fetch_sub(1, std::memory_order_acq_rel);
        }
      },
      asio::detached);
  if (!exchange->response) {
    exchange->handler_done.expires_after(options_.handler_timeout);
    co_await exchange->handler_done.async_wait(kNoThrow);
  }
  if (exchange->response) {
    co_return std::move(*exchange->response);
  }
  exchange->abandoned = true;
  state->in_flight.fetch_add(1, std::memory_order_acq_rel);
  log_->error(
      R"("msg":"handler deadline passed","request_id":"{}","route":"{}","deadline_ms":{},"action":"see runbook Latency Breach: check db_active_connections and the database")",
      JsonEscaped{exchange->context.request_id}, JsonEscaped{router_.endpoints()[endpoint]},
      options_.handler_timeout.count());
  auto response = problemResponse(
      makeProblem(ProblemType::kTimeout, "the request took too long; retry shortly"),
      exchange->context, exchange->request.version(), true);
  response.set(beast_http::field::retry_after, "1");
  co_return response;
}

}  // namespace tickets::http
