// The selling API of the real binary over HTTP: every endpoint, its errors, and the metrics.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kToken = "selling-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

class SellingApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new TestServer(TestServer::Env{{"ADMIN_TOKEN", kToken}});
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static uint16_t port() { return server->port(); }

  static HttpResult post(const std::string& target, const std::string& body,
                         const Headers& headers = kJson) {
    return httpRequest(port(), "POST", target, body, headers);
  }

  // Creates an on-sale event; returns its ticket type ids.
  static std::vector<int64_t> createEvent(int64_t capacity, int per_order = 10,
                                          const std::string& status = "on_sale") {
    auto r = post("/api/admin/events",
                  R"({"name":"Race Night","venue":"Hall","starts_at":"2030-01-01T19:00:00Z",
        "ends_at":"2030-01-01T22:00:00Z","timezone":"Europe/London","status":")" +
                      status + R"(","max_tickets_per_order":)" + std::to_string(per_order) +
                      R"(,"ticket_types":[{"name":"GA","price":2500,"currency":"GBP","capacity":)" +
                      std::to_string(capacity) +
                      R"(},{"name":"VIP","price":9000,"currency":"GBP","capacity":5}]})",
                  kAdmin);
    EXPECT_EQ(r.status, 201) << r.body;
    std::vector<int64_t> ids;
    auto body = json::parse(r.body);
    for (const auto& t : body.at("ticket_types").as_array()) {
      ids.push_back(t.at("id").as_int64());
    }
    ids.push_back(body.at("id").as_int64());  // last: the event id
    return ids;
  }

  static json::object basket(int64_t type, int64_t quantity, int expected = 201) {
    auto r = post("/api/basket", R"({"items":[{"ticket_type_id":)" + std::to_string(type) +
                                     R"(,"quantity":)" + std::to_string(quantity) + "}]}");
    EXPECT_EQ(r.status, expected) << r.body;
    return json::parse(r.body).as_object();
  }

  static HttpResult checkout(const std::string& basket_id, const std::string& key,
                             const std::string& email = "ann@example.com") {
    // Sold at the box office (an admin token): paid at once. Online payment has its own test.
    Headers headers = kAdmin;
    headers.emplace_back("Idempotency-Key", key);
    return post("/api/checkout",
                R"({"basket_id":")" + basket_id + R"(","email":")" + email + R"(","name":"Ann"})",
                headers);
  }

  static json::object stats(int64_t event) {
    auto r = httpRequest(port(), "GET", "/api/admin/events/" + std::to_string(event) + "/stats", "",
                         kAdmin);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }

  static HttpResult checkIn(const std::string& ticket, int64_t event,
                            const Headers& headers = kAdmin) {
    return post("/api/checkin",
                R"({"code":")" + ticket + R"(","event_id":)" + std::to_string(event) + "}",
                headers);
  }

  static std::string type(const HttpResult& r) {
    return std::string(json::parse(r.body).at("type").as_string());
  }

  static TestServer* server;
};
TestServer* SellingApiTest::server = nullptr;

TEST_F(SellingApiTest, BuyAndCheckInEndToEnd) {
  auto ids = createEvent(10);
  auto hold = basket(ids[0], 2);
  EXPECT_EQ(hold.at("total"), 5000);
  EXPECT_EQ(hold.at("currency"), "GBP");
  EXPECT_TRUE(hold.contains("expires_at"));
  std::string basket_id(hold.at("id").as_string());
  EXPECT_EQ(httpGet(port(), "/api/basket/" + basket_id).status, 200);

  auto created = checkout(basket_id, "key-e2e-1");
  ASSERT_EQ(created.status, 201) << created.body;
  auto order = json::parse(created.body).at("order").as_object();
  EXPECT_EQ(order.at("status"), "paid");
  EXPECT_EQ(order.at("tickets").as_array().size(), 2u);
  std::string code(order.at("code").as_string());
  std::string secret(order.at("secret").as_string());

  auto replay = checkout(basket_id, "key-e2e-1");
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(json::parse(replay.body).at("order").at("code"), order.at("code"));
  EXPECT_EQ(type(checkout(basket_id, "key-e2e-1", "bob@example.com")),
            "/problems/validation-failed");
  EXPECT_EQ(checkout(basket_id, "key-e2e-2").status, 409);
  EXPECT_EQ(httpGet(port(), "/api/basket/" + basket_id).status, 410);

  auto mine = httpRequest(port(), "GET", "/api/orders/" + code, "", {{"X-Order-Secret", secret}});
  EXPECT_EQ(mine.status, 200);
  EXPECT_EQ(
      httpRequest(port(), "GET", "/api/orders/" + code, "", {{"X-Order-Secret", "guess"}}).status,
      404);
  EXPECT_EQ(httpGet(port(), "/api/orders/" + code).status, 404);

  std::string ticket(order.at("tickets").as_array()[0].at("code").as_string());
  auto qr = httpGet(port(), "/api/tickets/" + ticket + "/qr.svg");
  EXPECT_EQ(qr.status, 200);
  EXPECT_EQ(qr.header("content-type"), "image/svg+xml");
  EXPECT_TRUE(qr.body.starts_with("<svg"));
  EXPECT_EQ(httpGet(port(), "/api/tickets/nosuchticket/qr.svg").status, 404);
  auto admitted = checkIn(ticket, ids.back());
  EXPECT_EQ(admitted.status, 200) << admitted.body;
  EXPECT_EQ(json::parse(admitted.body).at("result"), "admitted");
  auto again = checkIn(ticket, ids.back());
  EXPECT_EQ(again.status, 409);
  EXPECT_TRUE(json::parse(again.body).as_object().contains("first_checked_in_at"));
  EXPECT_EQ(checkIn("nosuchticket", ids.back()).status, 404);
  EXPECT_EQ(checkIn(ticket, ids.back(), kJson).status, 401);

  auto figures = stats(ids.back());
  EXPECT_EQ(figures.at("sold"), 2);
  EXPECT_EQ(figures.at("checked_in"), 1);
  EXPECT_EQ(figures.at("revenue"), 5000);
  EXPECT_EQ(figures.at("available"), 13);

  // A ticket of this order was admitted: it can no longer be cancelled.
  auto refused = httpRequest(port(), "POST", "/api/orders/" + code + "/cancel", "",
                             {{"X-Order-Secret", secret}});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(type(refused), "/problems/order-admitted");

  auto second =
      json::parse(checkout(std::string(basket(ids[0], 1).at("id").as_string()), "key-e2e-2").body)
          .at("order")
          .as_object();
  EXPECT_EQ(stats(ids.back()).at("sold"), 3);
  auto cancelled = httpRequest(
      port(), "POST", "/api/orders/" + std::string(second.at("code").as_string()) + "/cancel", "",
      {{"X-Order-Secret", std::string(second.at("secret").as_string())}});
  EXPECT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body).at("order").at("status"), "cancelled");
  std::string voided(second.at("tickets").as_array()[0].at("code").as_string());
  EXPECT_EQ(checkIn(voided, ids.back()).status, 410);
  EXPECT_EQ(stats(ids.back()).at("sold"), 2);
}

TEST_F(SellingApiTest, ATicketOfAnotherEventIsRefusedAtTheDoorAndStaysUnused) {
  auto a = createEvent(10);
  auto b = createEvent(10);
  std::string id(basket(a[0], 1).at("id").as_string());
  auto paid = checkout(id, "key-wrong-door");
  ASSERT_EQ(paid.status, 201) << paid.body;
  std::string ticket(
      json::parse(paid.body).at("order").at("tickets").as_array()[0].at("code").as_string());

  auto refused = checkIn(ticket, b.back());
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(type(refused), "/problems/wrong-event");
  auto body = json::parse(refused.body).as_object();
  EXPECT_EQ(body.at("title"), "Wrong Event");
  EXPECT_EQ(body.at("ticket_event_id"), a.back());
  EXPECT_FALSE(body.contains("first_checked_in_at"));
  EXPECT_EQ(stats(a.back()).at("checked_in"), 0);
  EXPECT_EQ(stats(b.back()).at("checked_in"), 0);

  auto admitted = checkIn(ticket, a.back());
  EXPECT_EQ(admitted.status, 200) << admitted.body;
  EXPECT_EQ(json::parse(admitted.body).at("result"), "admitted");
  EXPECT_EQ(type(checkIn(ticket, b.back())), "/problems/wrong-event");
  EXPECT_EQ(checkIn(ticket, a.back()).status, 409);
}

TEST_F(SellingApiTest, CheckInNeedsAnEventId) {
  auto ids = createEvent(10);
  std::string id(basket(ids[0], 1).at("id").as_string());
  auto paid = checkout(id, "key-no-event");
  ASSERT_EQ(paid.status, 201) << paid.body;
  std::string ticket(
      json::parse(paid.body).at("order").at("tickets").as_array()[0].at("code").as_string());
  for (const auto& body :
       {R"({"code":")" + ticket + R"("})", R"({"code":")" + ticket + R"(","event_id":null})",
        R"({"code":")" + ticket + R"(","event_id":"1"})",
        R"({"code":")" + ticket + R"(","event_id":0})",
        R"({"code":")" + ticket + R"(","event_id":-4})"}) {
    auto r = post("/api/checkin", body, kAdmin);
    EXPECT_EQ(r.status, 422) << body << " -> " << r.body;
    EXPECT_EQ(json::parse(r.body).at("field"), "event_id") << r.body;
  }
  EXPECT_EQ(stats(ids.back()).at("checked_in"), 0);
  EXPECT_EQ(checkIn(ticket, ids.back()).status, 200);
}

TEST_F(SellingApiTest, SoldOutIs409NamingTheTypeAndWhatIsLeft) {
  auto ids = createEvent(3);
  basket(ids[0], 2);
  auto refused = basket(ids[0], 2, 409);
  EXPECT_EQ(refused.at("type"), "/problems/sold-out");
  EXPECT_EQ(refused.at("ticket_type_id"), ids[0]);
  EXPECT_EQ(refused.at("available"), 1);
  EXPECT_EQ(stats(ids.back()).at("held"), 2);
}

TEST_F(SellingApiTest, DeletingABasketReturnsStock) {
  auto ids = createEvent(4);
  std::string id(basket(ids[0], 4).at("id").as_string());
  EXPECT_EQ(httpRequest(port(), "DELETE", "/api/basket/" + id).status, 204);
  EXPECT_EQ(stats(ids.back()).at("held"), 0);
  EXPECT_EQ(httpRequest(port(), "DELETE", "/api/basket/" + id).status, 410);
  EXPECT_EQ(httpRequest(port(), "DELETE", "/api/basket/unknownbasket").status, 404);
  EXPECT_EQ(httpGet(port(), "/api/basket/unknownbasket").status, 404);
}

TEST_F(SellingApiTest, BadBasketsAndCheckoutsAre4xxAndHoldNothing) {
  auto ids = createEvent(10, 4);
  auto draft = createEvent(10, 4, "draft");
  struct Case {
    std::string body;
    int status;
  };
  for (const auto& c : std::vector<Case>{
           {"{", 400},
           {"[]", 422},
           {R"({"items":[]})", 422},
           {R"({"items":"x"})", 422},
           {R"({"items":[{"ticket_type_id":)" + std::to_string(ids[0]) + R"(,"quantity":0}]})",
            422},
           {R"({"items":[{"ticket_type_id":)" + std::to_string(ids[0]) + R"(,"quantity":5}]})",
            422},
           {R"({"items":[{"ticket_type_id":)" + std::to_string(ids[0]) + R"(,"quantity":"2"}]})",
            422},
           {R"({"items":[{"ticket_type_id":99999999,"quantity":1}]})", 422},
           {R"({"items":[{"ticket_type_id":)" + std::to_string(draft[0]) + R"(,"quantity":1}]})",
            422},
           {R"({"items":[{"ticket_type_id":)" + std::to_string(ids[0]) +
                R"(,"quantity":1,"x":1}]})",
            422},
       }) {
    auto r = post("/api/basket", c.body);
    EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
  }
  EXPECT_EQ(post("/api/basket", R"({"items":[]})", {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(stats(ids.back()).at("held"), 0);

  std::string id(basket(ids[0], 1).at("id").as_string());
  EXPECT_EQ(
      post("/api/checkout", R"({"basket_id":")" + id + R"(","email":"a@b.co","name":"A"})").status,
      400)
      << "no Idempotency-Key";
  EXPECT_EQ(checkout(id, "k-bad-email", "not-an-email").status, 422);
  EXPECT_EQ(checkout("unknownbasket", "k-unknown").status, 404);
  EXPECT_EQ(stats(ids.back()).at("sold"), 0);
}

TEST_F(SellingApiTest, AdminApiValidatesEvents) {
  EXPECT_EQ(post("/api/admin/events", "{}", kJson).status, 401);
  auto missing = post("/api/admin/events", R"({"name":"X"})", kAdmin);
  EXPECT_EQ(missing.status, 422);
  auto backwards =
      post("/api/admin/events", R"({"name":"X","venue":"V","starts_at":"2030-01-02T00:00:00Z",
      "ends_at":"2030-01-01T00:00:00Z","timezone":"Europe/London"})",
           kAdmin);
  EXPECT_EQ(backwards.status, 422);
  EXPECT_EQ(json::parse(backwards.body).at("field"), "ends_at");
  EXPECT_EQ(httpRequest(port(), "GET", "/api/admin/events/999999/stats", "", kAdmin).status, 404);
}

TEST_F(SellingApiTest, AdminEditsEventsAndTicketTypes) {
  auto ids = createEvent(10);
  const std::string event = std::to_string(ids.back());
  auto renamed = httpRequest(port(), "PATCH", "/api/admin/events/" + event,
                             R"({"name":"Renamed Night","sale_ends_at":null})", kAdmin);
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(json::parse(renamed.body).at("name"), "Renamed Night");
  EXPECT_TRUE(json::parse(renamed.body).at("sale_ends_at").is_null());
  EXPECT_EQ(httpRequest(port(), "PATCH", "/api/admin/events/" + event,
                        R"({"ends_at":"2000-01-01T00:00:00Z"})", kAdmin)
                .status,
            422);
  EXPECT_EQ(
      httpRequest(port(), "PATCH", "/api/admin/events/" + event, R"({"colour":"red"})", kAdmin)
          .status,
      422);
  EXPECT_EQ(
      httpRequest(port(), "PATCH", "/api/admin/events/999999", R"({"name":"X"})", kAdmin).status,
      404);
  EXPECT_EQ(
      httpRequest(port(), "PATCH", "/api/admin/events/" + event, R"({"name":"X"})", kJson).status,
      401);

  auto added = post("/api/admin/events/" + event + "/ticket-types",
                    R"({"name":"Balcony","price":1500,"currency":"GBP","capacity":20})", kAdmin);
  EXPECT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(json::parse(added.body).at("ticket_types").as_array().size(), 3u);
  EXPECT_EQ(post("/api/admin/events/" + event + "/ticket-types",
                 R"({"name":"Bad","price":-1,"currency":"GBP","capacity":20})", kAdmin)
                .status,
            422);

  const std::string type = std::to_string(ids[0]);
  basket(ids[0], 4);
  auto refused =
      httpRequest(port(), "PATCH", "/api/admin/ticket-types/" + type, R"({"capacity":3})", kAdmin);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("committed"), 4);
  auto resized = httpRequest(port(), "PATCH", "/api/admin/ticket-types/" + type,
                             R"({"capacity":4,"price":3000})", kAdmin);
  EXPECT_EQ(resized.status, 200) << resized.body;
  EXPECT_EQ(json::parse(resized.body).at("available"), 0);
  EXPECT_EQ(json::parse(resized.body).at("price"), 3000);
  EXPECT_EQ(
      httpRequest(port(), "PATCH", "/api/admin/ticket-types/999999", R"({"capacity":1})", kAdmin)
          .status,
      404);
}

TEST_F(SellingApiTest, ManyBuyersRaceForFiftySeats) {
  auto ids = createEvent(50, 4);
  std::atomic<int> sold{0}, sold_out{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        int quantity = 1 + (t + i) % 4;
        auto r = post("/api/basket", R"({"items":[{"ticket_type_id":)" + std::to_string(ids[0]) +
                                         R"(,"quantity":)" + std::to_string(quantity) + "}]}");
        if (r.status == 409) {
          ++sold_out;
          continue;
        }
        if (r.status != 201) {
          ++other;
          continue;
        }
        std::string id(json::parse(r.body).at("id").as_string());
        auto paid = checkout(id, "race-" + id);
        if (paid.status == 201) {
          sold += quantity;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(other, 0);
  EXPECT_GT(sold_out, 0);
  auto figures = stats(ids.back());
  EXPECT_EQ(figures.at("sold").as_int64(), sold.load());
  EXPECT_LE(sold.load(), 50);
  EXPECT_GE(sold.load(), 47) << "only the last few seats can stay unsold to 4-ticket buyers";
  EXPECT_EQ(figures.at("held"), 0);
}

TEST_F(SellingApiTest, SalesMetricsMove) {
  auto before = httpGet(port(), "/metrics").body;
  auto value = [](const std::string& text, const std::string& series) {
    auto pos = text.find("\n" + series + " ");
    return pos == std::string::npos ? -1.0 : std::stod(text.substr(pos + series.size() + 2));
  };
  auto ids = createEvent(10);
  std::string id(basket(ids[0], 3).at("id").as_string());
  auto order = json::parse(checkout(id, "metrics-key").body).at("order");
  std::string ticket(order.at("tickets").as_array()[0].at("code").as_string());
  auto other_event = createEvent(10).back();
  checkIn(ticket, other_event);
  checkIn(ticket, ids.back());
  checkIn(ticket, ids.back());
  auto after = httpGet(port(), "/metrics").body;
  EXPECT_EQ(value(after, "tickets_sold_total") - value(before, "tickets_sold_total"), 3);
  EXPECT_EQ(value(after, R"(orders_total{status="paid"})") -
                value(before, R"(orders_total{status="paid"})"),
            1);
  EXPECT_EQ(value(after, R"(checkins_total{result="admitted"})") -
                value(before, R"(checkins_total{result="admitted"})"),
            1);
  EXPECT_EQ(value(after, R"(checkins_total{result="duplicate"})") -
                value(before, R"(checkins_total{result="duplicate"})"),
            1);
  EXPECT_EQ(value(after, R"(checkins_total{result="wrong_event"})") -
                value(before, R"(checkins_total{result="wrong_event"})"),
            1);
  EXPECT_GE(value(after, "holds_active"), 0);
  EXPECT_GE(value(after, "holds_expired_total"), 0);
}

TEST(SellingExpiry, TheReaperGivesExpiredStockBack) {
  TestServer server(TestServer::Env{{"ADMIN_TOKEN", kToken}, {"HOLD_TTL_SECONDS", "1"}});
  auto r = httpRequest(
      server.port(), "POST", "/api/admin/events",
      R"({"name":"Quick","venue":"Hall","starts_at":"2030-01-01T19:00:00Z","ends_at":"2030-01-01T22:00:00Z",
      "timezone":"Europe/London","status":"on_sale","ticket_types":[{"name":"GA","price":0,"currency":"GBP","capacity":5}]})",
      kAdmin);
  ASSERT_EQ(r.status, 201) << r.body;
  auto event = json::parse(r.body);
  auto type = event.at("ticket_types").as_array()[0].at("id").as_int64();
  auto hold = httpRequest(
      server.port(), "POST", "/api/basket",
      R"({"items":[{"ticket_type_id":)" + std::to_string(type) + R"(,"quantity":5}]})", kJson);
  ASSERT_EQ(hold.status, 201);
  // The reaper runs every 5 s; within 8 s the stock must be back without any request.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  int64_t held = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    auto s = httpRequest(
        server.port(), "GET",
        "/api/admin/events/" + std::to_string(event.at("id").as_int64()) + "/stats", "", kAdmin);
    held = json::parse(s.body).at("held").as_int64();
    if (held == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(held, 0);
  EXPECT_TRUE(server.waitForLog("expired baskets released", std::chrono::seconds(2)));
  auto metrics = httpGet(server.port(), "/metrics").body;
  EXPECT_NE(metrics.find("\nholds_expired_total 1"), std::string::npos);
}

// Hoarding: a client behind the load balancer (TRUSTED_PROXIES=1) holds at most
// HOLD_LIMIT_PER_CLIENT live baskets of an event; what it writes into X-Forwarded-For itself
// does not make it someone else.
TEST(HoardingLimit, AClientHoldsAtMostTheLimitOfLiveBaskets) {
  TestServer server(TestServer::Env{
      {"ADMIN_TOKEN", kToken}, {"HOLD_LIMIT_PER_CLIENT", "2"}, {"TRUSTED_PROXIES", "1"}});
  auto created = httpRequest(server.port(), "POST", "/api/admin/events",
                             R"({"name":"Hoard","venue":"Hall","starts_at":"2030-01-01T19:00:00Z",
        "ends_at":"2030-01-01T22:00:00Z","timezone":"Europe/London","status":"on_sale",
        "ticket_types":[{"name":"GA","price":2500,"currency":"GBP","capacity":100}]})",
                             kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto type = json::parse(created.body).at("ticket_types").at(0).at("id").as_int64();
  const std::string body =
      R"({"items":[{"ticket_type_id":)" + std::to_string(type) + R"(,"quantity":1}]})";
  auto basketFrom = [&](const std::string& forwarded_for) {
    Headers headers = kJson;
    headers.emplace_back("X-Forwarded-For", forwarded_for);
    return httpRequest(server.port(), "POST", "/api/basket", body, headers);
  };
  auto first = basketFrom("203.0.113.5");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(basketFrom("198.51.100.1, 203.0.113.5").status, 201);
  auto refused = basketFrom("198.51.100.2, 203.0.113.5");
  ASSERT_EQ(refused.status, 429) << refused.body;
  auto problem = json::parse(refused.body).as_object();
  EXPECT_EQ(problem.at("type").as_string(), "/problems/too-many-holds");
  EXPECT_EQ(problem.at("limit").as_int64(), 2);
  EXPECT_NE(refused.header("content-type").find("application/problem+json"), std::string::npos);
  EXPECT_EQ(basketFrom("203.0.113.6").status, 201) << "another client";
  // Deleting a basket makes room again.
  const std::string id(json::parse(first.body).at("id").as_string());
  ASSERT_EQ(httpRequest(server.port(), "DELETE", "/api/basket/" + id, "", {}).status, 204);
  EXPECT_EQ(basketFrom("203.0.113.5").status, 201);
  EXPECT_EQ(basketFrom("203.0.113.5").status, 429);

  auto metrics = httpRequest(server.port(), "GET", "/metrics", "", {});
  EXPECT_NE(metrics.body.find("holds_refused_total{reason=\"client_limit\"} 2"), std::string::npos);
  EXPECT_NE(metrics.body.find("tickets_invariant_violations{check=\"oversold\"} 0"),
            std::string::npos);
}

}  // namespace
}  // namespace tickets::test
