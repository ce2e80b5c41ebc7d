// kill -9 of ticketsd while buyers' writes are being group-committed, on SQLite and on
// PostgreSQL: after a restart every purchase that was acknowledged (201) is there, whole, and
// nothing was oversold. An answer is only ever given after the batch's commit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "support/http_client.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using Scalar = std::function<std::string(const std::string&)>;

const std::string kToken = "crash-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

struct Acknowledged {
  std::string code;
  std::string secret;
  int64_t quantity;
};

void crashWhileSelling(const TestServer::Env& env, const Scalar& scalar) {
  auto first = std::make_unique<TestServer>(env);
  auto created =
      httpRequest(first->port(), "POST", "/api/admin/events",
                  R"({"name":"Crash Sale","venue":"Arena","starts_at":"2030-06-01T19:00:00Z",
      "ends_at":"2030-06-01T23:00:00Z","timezone":"Europe/London","status":"on_sale","max_tickets_per_order":4,
      "ticket_types":[{"name":"GA","price":4500,"currency":"GBP","capacity":100000},
                      {"name":"VIP","price":9000,"currency":"GBP","capacity":100000}]})",
                  kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  auto event = json::parse(created.body);
  const auto& types = event.at("ticket_types").as_array();
  const std::vector<int64_t> type_ids{types[0].at("id").as_int64(), types[1].at("id").as_int64()};
  const uint16_t port = first->port();

  std::mutex mutex;
  std::vector<Acknowledged> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> buyers;
  for (int t = 0; t < 16; ++t) {
    buyers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const int64_t quantity = 1 + (t + i) % 3;
        // Some baskets hold both ticket types: batches then lock several rows.
        std::string items = R"({"ticket_type_id":)" + std::to_string(type_ids[t % 2]) +
                            R"(,"quantity":)" + std::to_string(quantity) + "}";
        int64_t total = quantity;
        if (i % 4 == 0) {
          items += R"(,{"ticket_type_id":)" + std::to_string(type_ids[(t + 1) % 2]) +
                   R"(,"quantity":1})";
          total += 1;
        }
        try {
          auto basket =
              httpRequest(port, "POST", "/api/basket", R"({"items":[)" + items + "]}", kJson);
          if (basket.status != 201) {
            continue;  // refused: try again until stopped
          }
          std::string id(json::parse(basket.body).at("id").as_string());
          Headers headers = kAdmin;  // a box-office sale: paid at once
          headers.emplace_back("Idempotency-Key", "crash-" + id);
          auto paid = httpRequest(
              port, "POST", "/api/checkout",
              R"({"basket_id":")" + id + R"(","email":"fan@example.com","name":"Fan"})", headers);
          if (paid.status == 201) {
            auto order = json::parse(paid.body).at("order");
            std::lock_guard lock(mutex);
            acknowledged.push_back(Acknowledged{std::string(order.at("code").as_string()),
                                                std::string(order.at("secret").as_string()),
                                                total});
          }
        } catch (const std::exception&) {
          // The server is gone: the connection was refused or reset.
        }
      }
    });
  }
  // Let purchases flow, then kill the process in the middle of them.
  for (int waited = 0; waited < 200; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::lock_guard lock(mutex);
    if (acknowledged.size() >= 150) {
      break;
    }
  }
  first->signal(SIGKILL);
  first->waitForExit(std::chrono::seconds(10));
  stop = true;
  for (auto& b : buyers) {
    b.join();
  }
  ASSERT_GE(acknowledged.size(), 20u) << "too few purchases before the crash to prove anything";

  TestServer second(env);
  for (const auto& order : acknowledged) {
    auto found = httpRequest(second.port(), "GET", "/api/orders/" + order.code, "",
                             {{"X-Order-Secret", order.secret}});
    ASSERT_EQ(found.status, 200) << "acknowledged order " << order.code << " lost";
    auto parsed = json::parse(found.body);
    const auto& body = parsed.at("order");
    EXPECT_EQ(body.at("status").as_string(), "paid");
    EXPECT_EQ(static_cast<int64_t>(body.at("tickets").as_array().size()), order.quantity)
        << order.code;
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM ticket_types WHERE sold + held > capacity"), "0");
  EXPECT_EQ(scalar("SELECT count(*) FROM ticket_types t WHERE sold <> (SELECT count(*) FROM "
                   "tickets k WHERE k.ticket_type_id = t.id)"),
            "0")
      << "sold must equal the tickets issued";
  EXPECT_EQ(scalar("SELECT count(*) FROM ticket_types t WHERE held <> (SELECT "
                   "COALESCE(sum(i.quantity), 0) FROM hold_items i JOIN holds h ON h.id = "
                   "i.hold_id WHERE h.status = 'active' AND i.ticket_type_id = t.id)"),
            "0")
      << "held must equal the live baskets";
  EXPECT_EQ(scalar("SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM tickets k "
                   "WHERE k.order_code = o.code)"),
            "0");
}

std::string sqliteScalar(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  std::string value = "(error)";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

TEST(CrashRecovery, SqliteKeepsEveryAcknowledgedPurchaseAfterKill9) {
  TempDir data;
  crashWhileSelling(
      {{"DATA_DIR", data.path()}, {"ADMIN_TOKEN", kToken}},
      [&](const std::string& sql) { return sqliteScalar(data.path() + "/tickets.db", sql); });
}

TEST(CrashRecovery, PostgresKeepsEveryAcknowledgedPurchaseAfterKill9) {
  auto cluster = sharedPostgresUrl();
  ASSERT_FALSE(cluster.empty()) << "no PostgreSQL cluster: run through ctest";
  ScratchDatabase db(cluster);
  crashWhileSelling({{"DATABASE_URL", db.url()}, {"ADMIN_TOKEN", kToken}, {"DB_POOL_SIZE", "8"}},
                    [&](const std::string& sql) { return querySingle(db.url(), sql); });
}

}  // namespace
}  // namespace tickets::test
