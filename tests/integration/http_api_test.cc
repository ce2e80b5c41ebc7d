// The public API and operations endpoints of the real ticketsd binary, with demo data.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;

class HttpApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new TestServer(TestServer::Env{{"SEED_DEMO_DATA", "true"}});
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static uint16_t port() { return server->port(); }
  static TestServer* server;
};
TestServer* HttpApiTest::server = nullptr;

TEST_F(HttpApiTest, HealthzAnswersWithoutTheDatabase) {
  auto r = httpGet(port(), "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("status"), "ok");
}

TEST_F(HttpApiTest, ReadinessChecksTheDatabase) {
  auto r = httpGet(port(), "/readiness");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ready"})");
}

TEST_F(HttpApiTest, ListsDemoEvents) {
  auto r = httpGet(port(), "/api/events");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("count"), 20);
  EXPECT_TRUE(body.at("next_cursor").is_null());
  const auto& events = body.at("events").as_array();
  ASSERT_EQ(events.size(), 20u);
  std::string previous;
  for (const auto& e : events) {
    const auto& event = e.as_object();
    for (const char* field : {"id", "name", "venue", "starts_at", "ends_at", "timezone", "status",
                              "available_tickets", "price_from", "max_tickets_per_order"}) {
      EXPECT_TRUE(event.contains(field)) << field;
    }
    std::string starts(event.at("starts_at").as_string());
    EXPECT_LE(previous, starts);
    previous = starts;
    EXPECT_NE(event.at("status"), "draft");
  }
  const auto& first = events[0].as_object();
  EXPECT_EQ(first.at("available_tickets"), 300);
  EXPECT_EQ(first.at("price_from").at("amount"), 1500);
  EXPECT_EQ(first.at("price_from").at("currency"), "GBP");
}

TEST_F(HttpApiTest, PagesThroughEverythingWithCursors) {
  std::set<int64_t> ids;
  std::string target = "/api/events?limit=7";
  int pages = 0;
  for (; pages < 10; ++pages) {
    auto r = httpGet(port(), target);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = json::parse(r.body).as_object();
    for (const auto& e : body.at("events").as_array()) {
      EXPECT_TRUE(ids.insert(e.at("id").as_int64()).second);
    }
    if (body.at("next_cursor").is_null()) {
      break;
    }
    target = "/api/events?limit=7&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(ids.size(), 20u);
}

TEST_F(HttpApiTest, FiltersByStatusTextAndTime) {
  auto sold_out = json::parse(httpGet(port(), "/api/events?status=sold_out").body);
  EXPECT_EQ(sold_out.at("count"), 2);
  for (const auto& e : sold_out.at("events").as_array()) {
    EXPECT_EQ(e.at("status"), "sold_out");
    EXPECT_EQ(e.at("available_tickets"), 0);
  }
  auto text = json::parse(httpGet(port(), "/api/events?q=paradiso").body);
  EXPECT_EQ(text.at("count"), 4);
  auto none = json::parse(httpGet(port(), "/api/events?from=2099-01-01T00:00:00Z").body);
  EXPECT_EQ(none.at("count"), 0);
  auto all = json::parse(
      httpGet(port(), "/api/events?from=2000-01-01T00:00:00%2B01:00&to=2099-01-01T00:00:00Z").body);
  EXPECT_EQ(all.at("count"), 20);
}

TEST_F(HttpApiTest, EventDetailHasTicketTypes) {
  auto r = httpGet(port(), "/api/events/1");
  ASSERT_EQ(r.status, 200);
  auto event = json::parse(r.body).as_object();
  EXPECT_EQ(event.at("id"), 1);
  const auto& types = event.at("ticket_types").as_array();
  ASSERT_EQ(types.size(), 3u);
  int64_t total = 0;
  for (const auto& t : types) {
    for (const char* field : {"id", "name", "price", "currency", "capacity", "available"}) {
      EXPECT_TRUE(t.as_object().contains(field)) << field;
    }
    total += t.at("available").as_int64();
  }
  EXPECT_EQ(event.at("available_tickets"), total);
}

TEST_F(HttpApiTest, UnknownEventIs404Problem) {
  auto r = httpGet(port(), "/api/events/999999");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(r.body).at("type"), "/problems/not-found");
}

TEST_F(HttpApiTest, RequestIdIsEchoedOrMade) {
  auto echoed = httpRequest(port(), "GET", "/healthz", "", {{"X-Request-Id", "trace-abc.123"}});
  EXPECT_EQ(echoed.header("x-request-id"), "trace-abc.123");
  auto replaced = httpRequest(port(), "GET", "/healthz", "", {{"X-Request-Id", "bad id\"{}"}});
  EXPECT_FALSE(replaced.header("x-request-id").empty());
  EXPECT_NE(replaced.header("x-request-id"), "bad id\"{}");
  auto made = httpGet(port(), "/api/events/0");
  EXPECT_FALSE(made.header("x-request-id").empty());
  EXPECT_EQ(std::string(json::parse(made.body).at("request_id").as_string()),
            made.header("x-request-id"));
}

TEST_F(HttpApiTest, AccessLogLineHasRouteTemplateAndRequestId) {
  httpRequest(port(), "GET", "/api/events/3", "", {{"X-Request-Id", "log-check-1"}});
  auto line = server->waitForLog("\"request_id\":\"log-check-1\"", std::chrono::seconds(5));
  ASSERT_TRUE(line);
  auto entry = json::parse(*line).as_object();
  EXPECT_EQ(entry.at("msg"), "request");
  EXPECT_EQ(entry.at("route"), "/api/events/{id}");
  EXPECT_EQ(entry.at("status"), 200);
  EXPECT_TRUE(entry.at("duration_ms").is_number());
  EXPECT_TRUE(entry.contains("ts"));
}

TEST_F(HttpApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  std::string requests;
  for (int i = 0; i < 5; ++i) {
    requests += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  }
  requests += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto out = rawExchange(port(), requests);
  size_t count = 0;
  for (size_t pos = 0; (pos = out.find("HTTP/1.1 200 OK", pos)) != std::string::npos; ++pos) {
    ++count;
  }
  EXPECT_EQ(count, 6u);
}

// Without ADMIN_TOKEN there is no bootstrap admin: a request without a valid scoped token is
// refused as disabled (403), never as a server error.
TEST_F(HttpApiTest, AdminApiIsDisabledWithoutAToken) {
  const std::string token_shaped(43, 'x');
  struct Case {
    std::string method, target, body;
  };
  for (const auto& c : std::vector<Case>{
           {"POST", "/api/admin/events", "{}"},
           {"PATCH", "/api/admin/events/1", R"({"name":"X"})"},
           {"POST", "/api/admin/events/1/ticket-types", "{}"},
           {"PATCH", "/api/admin/ticket-types/1", R"({"price":1})"},
           {"GET", "/api/admin/events/1/stats", ""},
           {"POST", "/api/admin/tokens", R"({"name":"me","role":"admin"})"},
           {"GET", "/api/admin/tokens", ""},
           {"DELETE", "/api/admin/tokens/1", ""},
           {"POST", "/api/checkin", R"({"code":"x","event_id":1})"},
       }) {
    for (const std::string& authorization :
         {std::string(), std::string("Bearer anything"), "Bearer " + token_shaped}) {
      std::vector<std::pair<std::string, std::string>> headers = {
          {"Content-Type", "application/json"}};
      if (!authorization.empty()) {
        headers.emplace_back("Authorization", authorization);
      }
      auto r = httpRequest(port(), c.method, c.target, c.body, headers);
      EXPECT_EQ(r.status, 403) << c.method << " " << c.target << " " << authorization;
      EXPECT_EQ(json::parse(r.body).at("type"), "/problems/admin-disabled") << r.body;
    }
  }
}

TEST_F(HttpApiTest, AdminFaultApiIsAbsentByDefault) {
  EXPECT_EQ(httpGet(port(), "/api/admin/faults").status, 404);
}

}  // namespace
}  // namespace tickets::test
