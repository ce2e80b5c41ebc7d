// Rollback safety: `helm rollback` runs the previous image against a schema that the newer
// image has already migrated. Migrations are expand-only (scripts/check_migrations.py refuses
// the rest), so this binary, playing the previous release, must start and sell on a database
// that carries a later release's expand migration it has never heard of: on SQLite and on
// PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <functional>

#include "support/http_client.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

void executeSqlite(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// What a later release's expand step may do: new tables, nullable or defaulted columns, indexes.
constexpr const char* kLaterExpandSqlite = R"sql(
BEGIN;
CREATE TABLE vouchers (id INTEGER PRIMARY KEY, order_code TEXT NOT NULL, provider TEXT NOT NULL);
CREATE INDEX vouchers_by_order ON vouchers (order_code);
ALTER TABLE orders ADD COLUMN payment_state TEXT;
ALTER TABLE events ADD COLUMN queue_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_types ADD COLUMN taken INTEGER NOT NULL DEFAULT 0;
INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'a later release', 0);
COMMIT;
)sql";

constexpr const char* kLaterExpandPostgres = R"sql(
BEGIN;
CREATE TABLE vouchers (id bigserial PRIMARY KEY, order_code text NOT NULL, provider text NOT NULL);
CREATE INDEX vouchers_by_order ON vouchers (order_code);
ALTER TABLE orders ADD COLUMN payment_state text;
ALTER TABLE events ADD COLUMN queue_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE ticket_types ADD COLUMN taken bigint NOT NULL DEFAULT 0;
INSERT INTO schema_migrations (version, name) VALUES (9999, 'a later release');
COMMIT;
)sql";

// Starts ticketsd on the database (demo data), stops it, lets `expand` migrate the database as a
// later release would, then starts this binary again on it and buys a ticket.
void sellsAfterALaterExpand(TestServer::Env env, const std::function<void()>& expand) {
  {
    TestServer newer(env);
    ASSERT_EQ(httpGet(newer.port(), "/readiness").status, 200);
    newer.signal(SIGTERM);
    ASSERT_EQ(newer.waitForExit(15s), std::optional<int>(0));
  }
  expand();
  env.erase("SEED_DEMO_DATA");
  env["ADMIN_TOKEN"] = "rollback-admin-token-0123456789";
  TestServer rolled_back(env);
  ASSERT_EQ(httpGet(rolled_back.port(), "/readiness").status, 200);
  auto list = httpGet(rolled_back.port(), "/api/events?limit=100");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto events = json::parse(list.body).at("events").as_array();
  ASSERT_FALSE(events.empty());

  // Buy one ticket of the first event that is on sale: basket, checkout, order, ticket.
  bool bought = false;
  for (const auto& event : events) {
    if (event.at("status").as_string() != "on_sale") {
      continue;
    }
    const auto id = std::to_string(event.at("id").as_int64());
    auto detail = httpGet(rolled_back.port(), "/api/events/" + id);
    ASSERT_EQ(detail.status, 200) << detail.body;
    const auto type = json::parse(detail.body).at("ticket_types").as_array().at(0).at("id");
    const Headers headers{{"Content-Type", "application/json"}};
    auto hold = httpRequest(
        rolled_back.port(), "POST", "/api/basket",
        R"({"items":[{"ticket_type_id":)" + json::serialize(type) + R"(,"quantity":1}]})", headers);
    if (hold.status != 201) {
      continue;  // sold out or outside its sale window
    }
    const std::string basket(json::parse(hold.body).at("id").as_string());
    Headers checkout_headers = headers;
    checkout_headers.emplace_back("Idempotency-Key", "rollback-1");
    // A box-office sale: paid at once, as the demo's prices need online payment otherwise.
    checkout_headers.emplace_back("Authorization", "Bearer rollback-admin-token-0123456789");
    auto order =
        httpRequest(rolled_back.port(), "POST", "/api/checkout",
                    R"({"basket_id":")" + basket + R"(","email":"ann@example.com","name":"Ann"})",
                    checkout_headers);
    ASSERT_EQ(order.status, 201) << order.body;
    EXPECT_EQ(json::parse(order.body).at("order").at("tickets").as_array().size(), 1u);
    bought = true;
    break;
  }
  EXPECT_TRUE(bought) << "no demo event could be bought";
  EXPECT_FALSE(rolled_back.waitForLog("\"level\":\"error\"", 100ms));
}

TEST(RollbackSchema, ThisReleaseSellsOnASqliteSchemaALaterReleaseExpanded) {
  TempDir data;
  const std::string path = data.path() + "/tickets.db";
  sellsAfterALaterExpand({{"DATABASE_URL", "sqlite:" + path}, {"SEED_DEMO_DATA", "true"}},
                         [&] { executeSqlite(path, kLaterExpandSqlite); });
}

TEST(RollbackSchema, ThisReleaseSellsOnAPostgresSchemaALaterReleaseExpanded) {
  const std::string cluster = sharedPostgresUrl();
  ASSERT_FALSE(cluster.empty()) << "no PostgreSQL cluster: run through ctest";
  ScratchDatabase db(cluster);
  sellsAfterALaterExpand({{"DATABASE_URL", db.url()}, {"SEED_DEMO_DATA", "true"}},
                         [&] { runSql(db.url(), kLaterExpandPostgres); });
}

}  // namespace
}  // namespace tickets::test
