// A slow database (injected) exhausts the connection pool: 503s, the log line, the counter; a
// burst beyond the worker pool is shed with 429.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <map>
#include <thread>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

const std::string kToken = "pool-test-token-0123456789";

void injectDatabaseLatency(uint16_t port, int ms) {
  auto r = httpRequest(
      port, "PUT", "/api/admin/faults", R"({"database_latency_ms":)" + std::to_string(ms) + "}",
      {{"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
}

std::map<int, int> burst(uint16_t port, int n, std::vector<HttpResult>* results = nullptr) {
  std::vector<HttpResult> out(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      out[static_cast<size_t>(i)] = httpGet(port, "/api/events/" + std::to_string(i % 20 + 1));
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::map<int, int> by_status;
  for (const auto& r : out) {
    ++by_status[r.status];
  }
  if (results != nullptr) {
    *results = std::move(out);
  }
  return by_status;
}

double sampleValue(const std::string& exposition, const std::string& series) {
  auto pos = exposition.find("\n" + series + " ");
  return pos == std::string::npos ? -1 : std::stod(exposition.substr(pos + series.size() + 2));
}

TEST(PoolExhaustion, SlowDatabaseGives503LogLineAndCounter) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"},
                                    {"FAULT_INJECTION", "true"},
                                    {"ADMIN_TOKEN", kToken},
                                    {"DB_POOL_SIZE", "2"},
                                    {"DB_POOL_TIMEOUT_MS", "300"},
                                    {"CATALOGUE_CACHE_MS", "0"}});
  injectDatabaseLatency(server.port(), 2000);
  std::vector<HttpResult> results;
  auto by_status = burst(server.port(), 6, &results);  // the worker pool admits 2*2+2 = 6
  // Two connections: at most two requests get one. The housekeeper's chores (the outbox every
  // second, the waiting room's read) use the same pool and, slowed down as much, may hold one.
  EXPECT_GE(by_status[200], 1);
  EXPECT_LE(by_status[200], 2);
  EXPECT_EQ(by_status[200] + by_status[503], 6);
  for (const auto& r : results) {
    if (r.status == 503) {
      EXPECT_EQ(r.header("content-type"), "application/problem+json");
      EXPECT_EQ(r.header("retry-after"), "1");
      EXPECT_EQ(r.body.find("pool"), std::string::npos) << "no internals in a 5xx body";
      EXPECT_EQ(boost::json::parse(r.body).at("type"), "/problems/service-unavailable");
    }
  }
  auto line = server.waitForLog("connection pool exhausted", std::chrono::seconds(5));
  ASSERT_TRUE(line);
  auto entry = boost::json::parse(*line).as_object();
  EXPECT_EQ(entry.at("level"), "error");
  EXPECT_EQ(entry.at("pool_size"), 2);
  EXPECT_GE(entry.at("waited_ms").as_int64(), 300);
  EXPECT_FALSE(entry.at("request_id").as_string().empty());

  injectDatabaseLatency(server.port(), 0);
  // Every connection goes back to the pool: a chore slowed down before the latency was lifted
  // may still hold one for up to two seconds.
  auto metrics = httpGet(server.port(), "/metrics").body;
  for (int i = 0; i < 100 && sampleValue(metrics, "db_active_connections") != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    metrics = httpGet(server.port(), "/metrics").body;
  }
  // The refused requests, and perhaps a chore refused in the background.
  EXPECT_GE(sampleValue(metrics, "db_pool_exhausted_total"), by_status[503]);
  EXPECT_LE(sampleValue(metrics, "db_pool_exhausted_total"), by_status[503] + 4);
  EXPECT_EQ(sampleValue(metrics, "db_max_connections"), 2);
  EXPECT_EQ(sampleValue(metrics, "db_active_connections"), 0);
  EXPECT_EQ(
      sampleValue(metrics,
                  R"(http_requests_total{code="503",endpoint="/api/events/{id}",method="GET"})"),
      by_status[503]);
  // The service recovers by itself once the database is fast again.
  EXPECT_EQ(httpGet(server.port(), "/api/events/1").status, 200);
  EXPECT_EQ(httpGet(server.port(), "/readiness").status, 200);
}

TEST(PoolExhaustion, BurstBeyondTheWorkerPoolIsShedWith429) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"},
                                    {"FAULT_INJECTION", "true"},
                                    {"ADMIN_TOKEN", kToken},
                                    {"DB_POOL_SIZE", "2"},
                                    {"WORKERS", "6"},
                                    {"DB_POOL_TIMEOUT_MS", "10000"},
                                    {"CATALOGUE_CACHE_MS", "0"}});
  injectDatabaseLatency(server.port(), 1000);
  std::vector<HttpResult> results;
  auto by_status = burst(server.port(), 12, &results);
  EXPECT_EQ(by_status[200], 6);
  EXPECT_EQ(by_status[429], 6);
  for (const auto& r : results) {
    if (r.status == 429) {
      EXPECT_EQ(r.header("retry-after"), "1");
      EXPECT_EQ(boost::json::parse(r.body).at("type"), "/problems/overloaded");
    }
  }
}

}  // namespace
}  // namespace tickets::test

namespace tickets::test {
namespace {

TEST(ResponseCacheUnderLoad, ColdBurstReadsTheDatabaseOnceAndShedsNothing) {
  TestServer server(TestServer::Env{{"SEED_DEMO_DATA", "true"},
                                    {"FAULT_INJECTION", "true"},
                                    {"ADMIN_TOKEN", kToken},
                                    {"DB_POOL_SIZE", "1"}});
  injectDatabaseLatency(server.port(), 500);
  std::vector<std::thread> threads;
  std::vector<HttpResult> results(40);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = httpGet(server.port(), "/api/events?limit=5"); });
  }
  for (auto& t : threads) {
    t.join();
  }
  // Counted by answer, not by the pool's checkouts: the housekeeper's chores use the pool too.
  size_t misses = 0;
  for (const auto& r : results) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, results.front().body);
    misses += r.header("x-cache") == "miss" ? 1 : 0;
    EXPECT_TRUE(r.header("x-cache") == "miss" || r.header("x-cache") == "hit")
        << r.header("x-cache");
  }
  EXPECT_EQ(misses, 1u);
}

}  // namespace
}  // namespace tickets::test
