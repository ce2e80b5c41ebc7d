// Two ticketsd processes selling the same seats from one PostgreSQL, with baskets expiring
// during the race: never oversold, every answer clean, figures equal in /stats and the tables.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <thread>

#include "support/http_client.h"
#include "support/postgres.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kToken = "race-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

TEST(PostgresRace, TwoReplicasNeverOversellWhileBasketsExpire) {
  auto cluster = sharedPostgresUrl();
  ASSERT_FALSE(cluster.empty()) << "no PostgreSQL cluster: run through ctest";
  ScratchDatabase db(cluster);
  TestServer::Env env{{"DATABASE_URL", db.url()},
                      {"ADMIN_TOKEN", kToken},
                      {"HOLD_TTL_SECONDS", "2"},
                      {"DB_POOL_SIZE", "8"}};
  TestServer a(env);
  TestServer b(env);
  auto created =
      httpRequest(a.port(), "POST", "/api/admin/events",
                  R"({"name":"Hot Sale","venue":"Arena","starts_at":"2030-06-01T19:00:00Z",
      "ends_at":"2030-06-01T23:00:00Z","timezone":"Europe/London","status":"on_sale","max_tickets_per_order":4,
      "ticket_types":[{"name":"GA","price":4500,"currency":"GBP","capacity":50}]})",
                  kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  auto event = json::parse(created.body);
  const int64_t type = event.at("ticket_types").as_array()[0].at("id").as_int64();
  const int64_t event_id = event.at("id").as_int64();

  std::atomic<int> sold{0}, sold_out{0}, expired{0}, other{0};
  std::vector<std::thread> buyers;
  for (int t = 0; t < 20; ++t) {
    buyers.emplace_back([&, t] {
      const uint16_t port = t % 2 == 0 ? a.port() : b.port();
      for (int i = 0; i < 15; ++i) {
        int quantity = 1 + (t * 3 + i) % 4;
        auto basket = httpRequest(port, "POST", "/api/basket",
                                  R"({"items":[{"ticket_type_id":)" + std::to_string(type) +
                                      R"(,"quantity":)" + std::to_string(quantity) + "}]}",
                                  kJson);
        if (basket.status == 409) {
          ++sold_out;
          continue;
        }
        if (basket.status != 201) {
          ++other;
          continue;
        }
        std::string id(json::parse(basket.body).at("id").as_string());
        if (t % 5 == 4 && i < 2) {
          // A slow buyer: the basket runs out before checkout.
          std::this_thread::sleep_for(std::chrono::milliseconds(3100));
        }
        Headers headers = kJson;
        headers.emplace_back("Idempotency-Key", "race-" + id);
        // Checkout on the other replica than the basket.
        auto paid = httpRequest(
            port == a.port() ? b.port() : a.port(), "POST", "/api/checkout",
            R"({"basket_id":")" + id + R"(","email":"fan@example.com","name":"Fan"})", headers);
        if (paid.status == 201) {
          sold += quantity;
        } else if (paid.status == 410) {
          ++expired;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : buyers) {
    t.join();
  }
  EXPECT_EQ(other, 0);
  EXPECT_GT(sold_out, 0);
  EXPECT_GE(expired, 4) << "the slow buyers' baskets expired";
  EXPECT_LE(sold.load(), 50);

  // Wait for the reaper (or lazy expiry) to give back every expired basket's stock.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  json::object stats;
  for (int attempt = 0; attempt < 40; ++attempt) {
    auto r = httpRequest(b.port(), "GET",
                         "/api/admin/events/" + std::to_string(event_id) + "/stats", "", kAdmin);
    stats = json::parse(r.body).as_object();
    if (stats.at("held").as_int64() == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(stats.at("sold").as_int64(), sold.load());
  EXPECT_EQ(stats.at("held").as_int64(), 0);
  EXPECT_EQ(
      querySingle(db.url(), "SELECT sold FROM ticket_types WHERE id = " + std::to_string(type)),
      std::to_string(sold.load()));
  EXPECT_EQ(querySingle(db.url(), "SELECT count(*) FROM tickets"), std::to_string(sold.load()));
  EXPECT_EQ(querySingle(db.url(), "SELECT count(*) FROM ticket_types WHERE sold + held > capacity"),
            "0");
}

}  // namespace
}  // namespace tickets::test
