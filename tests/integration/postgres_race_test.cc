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
        Headers headers = kAdmin;  // a box-office sale: paid at once
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

// The waiting room of two replicas on one PostgreSQL: buyers join at either, are admitted by
// the shared watermark (moved by one replica at a time), and a token made at one makes exactly
// one basket, at either, even when both try at once.
TEST(PostgresRace, TwoReplicasShareOneWaitingRoom) {
  auto cluster = sharedPostgresUrl();
  ASSERT_FALSE(cluster.empty()) << "no PostgreSQL cluster: run through ctest";
  ScratchDatabase db(cluster);
  TestServer::Env env{{"DATABASE_URL", db.url()},
                      {"ADMIN_TOKEN", kToken},
                      {"DB_POOL_SIZE", "8"},
                      {"DB_POOL_TIMEOUT_MS", "5000"}};
  TestServer a(env);
  TestServer b(env);
  auto created = httpRequest(a.port(), "POST", "/api/admin/events",
                             R"({"name":"Queued","venue":"Arena","starts_at":"2030-06-01T19:00:00Z",
      "ends_at":"2030-06-01T23:00:00Z","timezone":"Europe/London","status":"on_sale",
      "ticket_types":[{"name":"GA","price":4500,"currency":"GBP","capacity":100}]})",
                             kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto event = json::parse(created.body).at("id").as_int64();
  const auto type = json::parse(created.body).at("ticket_types").at(0).at("id").as_int64();
  const std::string queue = "/api/events/" + std::to_string(event) + "/queue";
  ASSERT_EQ(httpRequest(b.port(), "PUT", "/api/admin/events/" + std::to_string(event) + "/queue",
                        R"({"enabled":true,"admit_per_minute":240})", kAdmin)
                .status,
            200);
  std::vector<std::string> tokens;
  for (int i = 0; i < 8; ++i) {
    auto joined = httpRequest(i % 2 == 0 ? a.port() : b.port(), "POST", queue, "", kJson);
    ASSERT_EQ(joined.status, 201) << joined.body;
    tokens.emplace_back(json::parse(joined.body).at("token").as_string());
  }
  // 4 a second: all eight within a few seconds, seen alike at both replicas.
  auto statusAt = [&](uint16_t port, const std::string& token) {
    return std::string(
        json::parse(httpRequest(port, "GET", "/api/queue/" + token).body).at("status").as_string());
  };
  // Each replica learns the watermark at its own tick: within a second of each other.
  auto allAdmitted = [&] {
    for (const auto& token : tokens) {
      if (statusAt(a.port(), token) != "admitted" || statusAt(b.port(), token) != "admitted") {
        return false;
      }
    }
    return true;
  };
  for (int i = 0; i < 300 && !allAdmitted(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const auto& token : tokens) {
    EXPECT_EQ(statusAt(a.port(), token), "admitted");
    EXPECT_EQ(statusAt(b.port(), token), "admitted");
  }
  auto report =
      json::parse(httpRequest(a.port(), "GET",
                              "/api/admin/events/" + std::to_string(event) + "/queue", "", kAdmin)
                      .body);
  // Each arrival is counted once, whichever replica it joined at (never twice); a replica's
  // count that reaches the database late (a tick delayed past 2 s) may go uncounted.
  EXPECT_LE(report.at("admitted").as_int64(), 8);
  EXPECT_GE(report.at("admitted").as_int64(), 6);
  // Each token at both replicas at once: exactly one basket each.
  const std::string basket =
      R"({"items":[{"ticket_type_id":)" + std::to_string(type) + R"(,"quantity":1}]})";
  std::atomic<int> made{0}, refused{0}, other{0};
  std::vector<std::thread> racers;
  for (const auto& token : tokens) {
    for (uint16_t port : {a.port(), b.port()}) {
      racers.emplace_back([&, port, token] {
        Headers headers = kJson;
        headers.emplace_back("X-Queue-Token", token);
        auto r = httpRequest(port, "POST", "/api/basket", basket, headers);
        (r.status == 201 ? made : r.status == 403 ? refused : other)++;
      });
    }
  }
  for (auto& t : racers) {
    t.join();
  }
  EXPECT_EQ(made.load(), 8);
  EXPECT_EQ(refused.load(), 8);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(
      querySingle(db.url(), "SELECT held FROM ticket_types WHERE id = " + std::to_string(type)),
      "8");
}

}  // namespace
}  // namespace tickets::test
