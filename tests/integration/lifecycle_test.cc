// Start-up, configuration errors and SIGTERM draining of the real binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <thread>

#include "common/sanitizers.h"
#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

using namespace std::chrono_literals;

const std::string kToken = "lifecycle-token-0123456789";

void injectRouteLatency(uint16_t port, int ms) {
  auto r =
      httpRequest(port, "PUT", "/api/admin/faults",
                  R"({"routes":{"/api/events/{id}":{"latency_ms":)" + std::to_string(ms) + "}}}",
                  {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
}

bool canConnect(uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

TEST(Lifecycle, SigtermFailsReadinessKeepsServingThenExitsZero) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"}, {"SHUTDOWN_DRAIN_SECONDS", "2"}});
  ASSERT_EQ(httpGet(server.port(), "/readiness").status, 200);
  const auto signalled = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  ASSERT_TRUE(server.waitForLog("shutdown requested", 2s));
  auto ready = httpGet(server.port(), "/readiness");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.header("content-type"), "application/problem+json");
  EXPECT_NE(ready.body.find("draining"), std::string::npos);
  // Still serving while the load balancer notices, asking clients to reconnect elsewhere.
  auto events = httpGet(server.port(), "/api/events");
  EXPECT_EQ(events.status, 200);
  EXPECT_EQ(events.header("connection"), "close");
  EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);

  auto code = server.waitForExit(10s);
  ASSERT_TRUE(code.has_value()) << server.exitReport();
  EXPECT_EQ(*code, 0) << server.exitReport();
  EXPECT_GE(std::chrono::steady_clock::now() - signalled, 2s);
  EXPECT_FALSE(canConnect(server.port()));
  EXPECT_TRUE(server.waitForLog("\"msg\":\"stopped\"", 1s));
}

TEST(Lifecycle, InFlightRequestsFinishBeforeExit) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"},
                                    {"FAULT_INJECTION", "true"},
                                    {"ADMIN_TOKEN", kToken},
                                    {"SHUTDOWN_DRAIN_SECONDS", "0"}});
  injectRouteLatency(server.port(), 1500);
  auto slow =
      std::async(std::launch::async, [&] { return httpGet(server.port(), "/api/events/4"); });
  std::this_thread::sleep_for(300ms);
  server.signal(SIGTERM);
  auto line = server.waitForLog("waiting for in-flight requests", 3s);
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("\"in_flight\":1"), std::string::npos) << *line;
  auto response = slow.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("\"id\":4"), std::string::npos);
  auto code = server.waitForExit(5s);
  ASSERT_TRUE(code.has_value()) << server.exitReport();
  EXPECT_EQ(*code, 0) << server.exitReport();
}

TEST(Lifecycle, ShutdownIsBoundedEvenIfARequestHangs) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"},
                                    {"FAULT_INJECTION", "true"},
                                    {"ADMIN_TOKEN", kToken},
                                    {"SHUTDOWN_DRAIN_SECONDS", "0"},
                                    {"SHUTDOWN_TIMEOUT_SECONDS", "1"}});
  injectRouteLatency(server.port(), 20000);
  auto slow = std::async(std::launch::async, [&] {
    try {
      httpGet(server.port(), "/api/events/4");
    } catch (...) {
    }
  });
  std::this_thread::sleep_for(200ms);
  const auto signalled = std::chrono::steady_clock::now();
  server.signal(SIGTERM);
  auto code = server.waitForExit(5s);
  ASSERT_TRUE(code.has_value()) << server.exitReport();
  EXPECT_EQ(*code, 0) << server.exitReport();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 4s);
  EXPECT_TRUE(server.waitForLog("abandoning in-flight requests", 1s));
  slow.wait();
}

TEST(Lifecycle, InvalidConfigurationExitsWithOneLineNamingTheVariable) {
  auto [code, output] = runTicketsd({}, {{"DB_POOL_SIZE", "lots"}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("DB_POOL_SIZE"), std::string::npos) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
}

TEST(Lifecycle, VersionAndHelp) {
  auto [version_code, version] = runTicketsd({"--version"}, {});
  EXPECT_EQ(version_code, 0);
  EXPECT_NE(version.find("ticketsd 0."), std::string::npos) << version;
  EXPECT_NE(version.find("revision"), std::string::npos);
  auto [help_code, help] = runTicketsd({"--help"}, {});
  EXPECT_EQ(help_code, 0);
  for (const char* name : {"PORT", "HOST", "DATABASE_URL", "DB_POOL_SIZE", "DB_POOL_TIMEOUT_MS",
                           "LOG_LEVEL", "THREADS", "SHUTDOWN_DRAIN_SECONDS"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

TEST(Lifecycle, UnusableDatabaseExitsNonZeroWithAnActionableLog) {
  TempDir dir;
  std::ofstream(dir.path() + "/not-a-dir") << "x";
  auto [code, output] =
      runTicketsd({}, {{"DATABASE_URL", "sqlite:" + dir.path() + "/not-a-dir/tickets.db"}});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("cannot open the database"), std::string::npos) << output;
  EXPECT_NE(output.find("DATABASE_URL"), std::string::npos) << output;
}

TEST(Lifecycle, PortInUseExitsNonZero) {
  // Several event loops listen with SO_REUSEPORT; still, no second process may share the port.
  TestServer first(TestServer::Env{{"THREADS", "4"}});
  TempDir dir;
  auto [code, output] = runTicketsd(
      {}, {{"PORT", std::to_string(first.port())}, {"DATA_DIR", dir.path()}, {"THREADS", "4"}});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("cannot listen"), std::string::npos) << output;
}

TEST(Lifecycle, AFatalSignalLeavesALineNamingItAndTheStackThenEndsTheProcess) {
#ifdef TICKETS_SANITIZED
  GTEST_SKIP() << "the sanitizers report fatal signals themselves";
#endif
  TestServer server;
  server.signal(SIGSEGV);
  auto line = server.waitForLog("\"msg\":\"fatal signal\"", 5s);
  ASSERT_TRUE(line) << server.exitReport();
  auto report = boost::json::parse(*line).as_object();
  EXPECT_EQ(report.at("level"), "critical");
  EXPECT_EQ(report.at("signal"), SIGSEGV);
  EXPECT_EQ(report.at("name"), "SIGSEGV");
  const auto& stack = report.at("stack").as_array();
  ASSERT_FALSE(stack.empty());
  EXPECT_TRUE(std::any_of(stack.begin(), stack.end(), [](const boost::json::value& frame) {
    return frame.as_string().starts_with("ticketsd+0x");
  })) << *line;
  // The signal still ends the process, as it would have without the report.
  EXPECT_FALSE(server.waitForExit(5s).has_value());
  EXPECT_NE(server.exitReport().find("killed by signal 11"), std::string::npos)
      << server.exitReport();
}

}  // namespace
}  // namespace tickets::test
