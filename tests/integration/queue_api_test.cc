// The waiting room over HTTP, on the real binary: an event's queue turned on, a buyer refused
// without a token, joining, waiting, admitted, one basket, and the refusals around it.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "common/crypto.h"
#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kToken = "queue-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

std::string problemType(const HttpResult& r) {
  return std::string(json::parse(r.body).at("type").as_string());
}

TEST(QueueApi, ABuyerJoinsWaitsIsAdmittedAndMakesOneBasket) {
  TestServer server(TestServer::Env{{"ADMIN_TOKEN", kToken}, {"TRUSTED_PROXIES", "1"}});
  const auto port = server.port();
  auto created = httpRequest(port, "POST", "/api/admin/events",
                             R"({"name":"Hot","venue":"Arena","starts_at":"2030-01-01T19:00:00Z",
        "ends_at":"2030-01-01T22:00:00Z","timezone":"Europe/London","status":"on_sale",
        "ticket_types":[{"name":"GA","price":5000,"currency":"GBP","capacity":100}]})",
                             kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto event = json::parse(created.body).at("id").as_int64();
  const auto type = json::parse(created.body).at("ticket_types").at(0).at("id").as_int64();
  const std::string events = "/api/events/" + std::to_string(event);
  const std::string admin = "/api/admin/events/" + std::to_string(event) + "/queue";
  const std::string basket =
      R"({"items":[{"ticket_type_id":)" + std::to_string(type) + R"(,"quantity":2}]})";

  // Only an admin turns it on; bad settings change nothing.
  EXPECT_EQ(
      httpRequest(port, "PUT", admin, R"({"enabled":true,"admit_per_minute":600})", kJson).status,
      401);
  EXPECT_EQ(
      httpRequest(port, "PUT", admin, R"({"enabled":"yes","admit_per_minute":600})", kAdmin).status,
      422);
  EXPECT_EQ(
      httpRequest(port, "PUT", admin, R"({"enabled":true,"admit_per_minute":-1})", kAdmin).status,
      422);
  auto off = httpRequest(port, "GET", events + "/queue");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(json::parse(off.body).at("enabled").as_bool());
  auto on = httpRequest(port, "PUT", admin, R"({"enabled":true,"admit_per_minute":600})", kAdmin);
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_TRUE(json::parse(on.body).at("enabled").as_bool());

  auto refused = httpRequest(port, "POST", "/api/basket", basket, kJson);
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problemType(refused), "/problems/queue-required");
  EXPECT_EQ(json::parse(refused.body).at("queue").as_string(), events + "/queue");

  auto joined = httpRequest(port, "POST", events + "/queue", "", kJson);
  ASSERT_EQ(joined.status, 201) << joined.body;
  const std::string token(json::parse(joined.body).at("token").as_string());
  EXPECT_EQ(json::parse(joined.body).at("status").as_string(), "waiting");
  EXPECT_EQ(joined.header("location"), "/api/queue/" + token);

  Headers with_token = kJson;
  with_token.emplace_back("X-Queue-Token", token);
  EXPECT_EQ(problemType(httpRequest(port, "POST", "/api/basket", basket, with_token)),
            "/problems/queue-required")
      << "not admitted yet";
  // Admitted within a few seconds (the seconds being counted, then the rate).
  std::string status;
  for (int i = 0; i < 100 && status != "admitted"; ++i) {
    std::this_thread::sleep_for(100ms);
    auto polled = httpRequest(port, "GET", "/api/queue/" + token);
    ASSERT_EQ(polled.status, 200) << polled.body;
    status = std::string(json::parse(polled.body).at("status").as_string());
  }
  ASSERT_EQ(status, "admitted");
  auto made = httpRequest(port, "POST", "/api/basket", basket, with_token);
  EXPECT_EQ(made.status, 201) << made.body;
  auto again = httpRequest(port, "POST", "/api/basket", basket, with_token);
  EXPECT_EQ(again.status, 403) << "one basket per admission";

  Headers forged = kJson;
  forged.emplace_back("X-Queue-Token", token.substr(0, token.size() - 2) + "xx");
  EXPECT_EQ(problemType(httpRequest(port, "POST", "/api/basket", basket, forged)),
            "/problems/forbidden");
  EXPECT_EQ(
      httpRequest(port, "GET", "/api/queue/" + token.substr(0, token.size() - 2) + "xx").status,
      404);
  EXPECT_EQ(httpRequest(port, "GET", "/api/queue/nothing-here").status, 404);

  auto report = httpRequest(port, "GET", admin, "", kAdmin);
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_GE(json::parse(report.body).at("admitted").as_int64(), 1);

  // Joins are limited per client: 10 at once, then one every 6 s.
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = httpRequest(port, "POST", events + "/queue", "", kJson);
    if (r.status == 429) {
      ++limited;
      EXPECT_EQ(problemType(r), "/problems/rate-limited");
      EXPECT_EQ(r.header("retry-after"), "6");
    }
  }
  EXPECT_GE(limited, 2);

  // A proof of work, when asked.
  ASSERT_EQ(httpRequest(port, "PUT", admin,
                        R"({"enabled":true,"admit_per_minute":600,"pow_difficulty":8})", kAdmin)
                .status,
            200);
  Headers other_client = kJson;
  other_client.emplace_back("X-Forwarded-For", "203.0.113.50");  // behind the one proxy
  EXPECT_EQ(httpRequest(port, "POST", events + "/queue", "", other_client).status, 403)
      << "no proof";
  auto challenge = json::parse(httpRequest(port, "GET", events + "/queue").body);
  ASSERT_TRUE(challenge.at("challenge").is_string());
  const std::string text(challenge.at("challenge").as_string());
  int nonce = 0;
  while (sha256LeadingZeroBits(text + ":" + std::to_string(nonce)) < 8) {
    ++nonce;
  }
  auto solved =
      httpRequest(port, "POST", events + "/queue",
                  R"({"challenge":")" + text + R"(","nonce":")" + std::to_string(nonce) + R"("})",
                  other_client);
  EXPECT_EQ(solved.status, 201) << solved.body;

  auto metrics = httpRequest(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("queue_joins_total{event_id=\"" + std::to_string(event) + "\"}"),
            std::string::npos);
  EXPECT_NE(metrics.find("queue_wait_seconds_count 1"), std::string::npos);
}

}  // namespace
}  // namespace tickets::test
