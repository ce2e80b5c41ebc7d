// The real ticketsd binary on PostgreSQL: serving, concurrent migrations of two replicas, and an
// outage it survives and recovers from by itself.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <future>
#include <thread>

#include "common/base64url.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

using namespace std::chrono_literals;

std::string clusterOrSkip() {
  auto url = sharedPostgresUrl();
  if (url.empty()) {
    ADD_FAILURE() << "no PostgreSQL cluster: run through ctest";
  }
  return url;
}

TEST(Postgres, ServesTheCatalogue) {
  ScratchDatabase db(clusterOrSkip());
  TestServer server(TestServer::Env{{"DATABASE_URL", db.url()}, {"SEED_DEMO_DATA", "true"}});
  EXPECT_EQ(httpGet(server.port(), "/readiness").status, 200);
  auto list = boost::json::parse(httpGet(server.port(), "/api/events?limit=100").body);
  EXPECT_EQ(list.at("count"), 20);
  auto page = boost::json::parse(httpGet(server.port(), "/api/events?limit=7&q=paradiso").body);
  EXPECT_EQ(page.at("count"), 4);
  auto detail = httpGet(server.port(), "/api/events/1");
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(boost::json::parse(detail.body).at("ticket_types").as_array().size(), 3u);
  EXPECT_EQ(httpGet(server.port(), "/api/events/424242").status, 404);
  auto metrics = httpGet(server.port(), "/metrics").body;
  EXPECT_NE(metrics.find("db_max_connections 20"), std::string::npos);
  EXPECT_EQ(querySingle(db.url(), "SELECT count(*) FROM events"), "20");
}

// A cursor is input like any other: an impossible time in it is a 400, never a 500 from the
// database, and database error texts (which can carry values) stay out of the logs.
TEST(Postgres, AnonymousInputNeverMakesA5xx) {
  ScratchDatabase db(clusterOrSkip());
  TestServer server(TestServer::Env{{"DATABASE_URL", db.url()}, {"SEED_DEMO_DATA", "true"}});
  for (const std::string plain : {"e1:99999999999999:1", "e1:-99999999999:1", "e1:0:1"}) {
    auto r = httpGet(server.port(), "/api/events?cursor=" + base64urlEncode(plain));
    EXPECT_LT(r.status, 500) << plain << ": " << r.body;
  }
  for (const std::string range : {"from=0001-01-01T00:00:00Z", "to=9999-12-31T23:59:59Z"}) {
    EXPECT_EQ(httpGet(server.port(), "/api/events?" + range).status, 200) << range;
  }
  for (const auto& line : server.logLines()) {
    EXPECT_EQ(line.find("\"level\":\"error\""), std::string::npos) << line;
  }
}

TEST(Postgres, ReplicasStartingTogetherMigrateOnce) {
  ScratchDatabase db(clusterOrSkip());
  auto start = [&] {
    return std::make_unique<TestServer>(TestServer::Env{{"DATABASE_URL", db.url()}});
  };
  auto a = std::async(std::launch::async, start);
  auto b = std::async(std::launch::async, start);
  auto first = a.get();
  auto second = b.get();
  EXPECT_EQ(httpGet(first->port(), "/readiness").status, 200);
  EXPECT_EQ(httpGet(second->port(), "/readiness").status, 200);
  EXPECT_EQ(querySingle(db.url(), "SELECT count(*) FROM schema_migrations"),
            querySingle(db.url(), "SELECT max(version) FROM schema_migrations"));
}

TEST(Postgres, OutageGives503AndFailingReadinessThenRecoversByItself) {
  OwnPostgresCluster cluster;
  TestServer server(TestServer::Env{{"DATABASE_URL", cluster.url()},
                                    {"SEED_DEMO_DATA", "true"},
                                    {"CATALOGUE_CACHE_MS", "0"},
                                    {"DB_POOL_SIZE", "4"},
                                    {"DB_POOL_TIMEOUT_MS", "500"}});
  // Every pooled connection has been used once, so all of them die with the server.
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(httpGet(server.port(), "/api/events/" + std::to_string(i + 1)).status, 200);
  }
  cluster.pause();

  auto ready = httpGet(server.port(), "/readiness");
  EXPECT_EQ(ready.status, 503);
  auto failed = httpGet(server.port(), "/api/events/2");
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.header("content-type"), "application/problem+json");
  EXPECT_EQ(failed.body.find("PostgreSQL"), std::string::npos) << failed.body;
  EXPECT_EQ(failed.body.find("127.0.0.1"), std::string::npos) << failed.body;
  EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200) << "alive while the database is down";
  const std::string basket = R"({"items":[{"ticket_type_id":1,"quantity":1}]})";
  const std::vector<std::pair<std::string, std::string>> json = {
      {"Content-Type", "application/json"}};
  auto refused = httpRequest(server.port(), "POST", "/api/basket", basket, json);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_TRUE(server.waitForLog("database unavailable", 5s));

  cluster.resume();
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = httpGet(server.port(), "/readiness").status;
    if (status == 200) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(httpRequest(server.port(), "POST", "/api/basket", basket, json).status, 201);
  // Each stale pooled connection is replaced on its first use: no request fails for it.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(httpGet(server.port(), "/api/events/" + std::to_string(i + 1)).status, 200);
  }
}

}  // namespace
}  // namespace tickets::test
