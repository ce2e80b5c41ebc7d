#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http/observer.h"
#include "http/request_id.h"
#include "http/router.h"

namespace spdlog {
class logger;
}

namespace tickets::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8000;
  size_t max_connections = 10000;
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds idle_timeout{60};
  // A handler that has not answered by then gets 503 (it finishes in the background).
  std::chrono::milliseconds handler_timeout{10000};
};

// The path of a request as logs may show it: segments that could be credentials (ticket codes,
// basket ids, order codes: anything but digits and lower-case words) become "***".
std::string redactedPath(std::string_view path);

// HTTP/1.1 server: accepts connections, reads requests within limits and deadlines, dispatches
// them through the router, writes one response per request, and records metrics and an access
// log line for each. Runs one event loop per thread, the shape nginx uses: each loop (an
// io_context run by one thread) has its own listening socket on the same port (SO_REUSEPORT,
// the kernel spreads new connections over them), and a connection lives on the loop that
// accepted it, so serving a request never hands work to another I/O thread.
// listen(), start() and stopAccepting() may be called from any thread.
class Server {
 public:
  // `loops`: the event loops, each run by exactly one thread.
  Server(std::vector<boost::asio::io_context*> loops, const Router& router,
         RequestObserver& observer, std::shared_ptr<spdlog::logger> log, ServerOptions options);
  ~Server();

  // Binds and listens; returns the port (useful when options.port is 0). Throws on failure.
  uint16_t listen();
  void start();
  void stopAccepting();

  // While draining, responses ask clients to close the connection (Connection: close).
  void setDraining(bool draining) { state_->draining.store(draining, std::memory_order_relaxed); }

  size_t inFlight() const { return state_->in_flight.load(std::memory_order_acquire); }
  size_t connections() const { return state_->connections.load(std::memory_order_relaxed); }

 private:
  // Shared with every session, whose coroutine frames may outlive the server object when the
  // io_context is destroyed after it.
  struct State {
    std::atomic<bool> draining{false};
    std::atomic<size_t> in_flight{0};
    std::atomic<size_t> connections{0};
  };

  struct Exchange;

  boost::asio::awaitable<void> acceptLoop(boost::asio::ip::tcp::acceptor& acceptor);
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket,
                                       std::shared_ptr<State> state);
  boost::asio::awaitable<Response> dispatch(std::shared_ptr<Exchange> exchange,
                                            std::shared_ptr<State> state, size_t& endpoint);
  boost::asio::awaitable<Response> runHandler(const Handler& handler,
                                              std::shared_ptr<Exchange> exchange,
                                              std::shared_ptr<State> state, size_t endpoint);

  std::vector<boost::asio::io_context*> loops_;
  const Router& router_;
  RequestObserver& observer_;
  std::shared_ptr<spdlog::logger> log_;
  ServerOptions options_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  RequestIdGenerator request_ids_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace tickets::http
