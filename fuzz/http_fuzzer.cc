// The whole request path in process: the bytes go over loopback to the real server (Beast's
// parser with the server's limits, the router, every handler, the domain and SQLite with demo
// data), exactly as a client would send them. Property: an anonymous client never gets a 5xx,
// and the server always answers or closes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "app/application.h"
#include "config/config.h"
#include "fuzz_check.h"

namespace {

uint16_t port = 0;

void startService() {
  static std::mutex mutex;
  static std::condition_variable listening;
  static const std::string file = "/dev/shm/tickets-http-fuzz-" + std::to_string(getpid()) + ".db";
  // The files go when the fuzzer exits (unlinking open files is safe).
  std::atexit([] {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      ::unlink((file + suffix).c_str());
    }
  });
  const std::string database = "sqlite:" + file;
  std::string db_arg = "--database-url=" + database;
  const char* argv[] = {"ticketsd",
                        "--host=127.0.0.1",
                        "--port=0",
                        db_arg.c_str(),
                        "--seed-demo-data=true",
                        "--log-level=off",
                        "--threads=1",
                        "--db-pool-size=4",
                        "--admin-token=fuzzing-admin-token-not-given-to-inputs"};
  std::ostringstream out, err;
  auto outcome = tickets::parseConfig(static_cast<int>(std::size(argv)), argv, out, err);
  if (!std::holds_alternative<tickets::Config>(outcome)) {
    std::fprintf(stderr, "http fuzzer: bad configuration: %s\n", err.str().c_str());
    std::abort();
  }
  std::thread([config = std::get<tickets::Config>(std::move(outcome))]() mutable {
    tickets::Application app(std::move(config));
    app.run([](uint16_t p) {
      std::lock_guard lock(mutex);
      port = p;
      listening.notify_all();
    });
  }).detach();
  std::unique_lock lock(mutex);
  if (!listening.wait_for(lock, std::chrono::seconds(30), [] { return port != 0; })) {
    std::fprintf(stderr, "http fuzzer: the service did not start\n");
    std::abort();
  }
}

// Sends `bytes`, ends the sending side, and returns what the server wrote until it closed.
std::string exchange(std::string_view bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int connected = fd < 0 ? -1 : connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  if (connected != 0 && errno == EINTR) {
    // Interrupted by libFuzzer's timer signal: the connection goes on; wait until it is made.
    pollfd pfd{fd, POLLOUT, 0};
    while ((connected = poll(&pfd, 1, 5000)) < 0 && errno == EINTR) {
    }
    connected = connected == 1 ? 0 : -1;
  }
  if (connected != 0) {
    std::perror("http fuzzer: connect");
    std::abort();
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      break;  // the server may close early, e.g. after 431
    }
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string reply;
  char chunk[8192];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLIN, 0};
    const int ready = left.count() <= 0 ? 0 : poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;  // libFuzzer's timer signal
    }
    if (ready <= 0) {
      close(fd);
      tickets::fuzz::fail("the server answers or closes within 15 s",
                          tickets::fuzz::quoted(bytes.substr(0, 400)));
    }
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    reply.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  return reply;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  startService();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto reply = exchange(tickets::fuzz::asText(data, size));
  if (reply.empty()) {
    return 0;  // nothing that looked like a request (or a reset before one)
  }
  // The first answer's status line: "HTTP/1.1 NNN ".
  if (reply.size() < 12 || !reply.starts_with("HTTP/1.")) {
    tickets::fuzz::fail("every answer starts with a status line",
                        tickets::fuzz::quoted(std::string_view(reply).substr(0, 400)));
  }
  if (reply[9] < '1' || reply[9] > '4') {
    tickets::fuzz::fail("an anonymous request never gets a server error",
                        tickets::fuzz::quoted(std::string_view(reply).substr(0, 400)));
  }
  return 0;
}
