// Scoped API tokens over HTTP against the real binary: who may do what, revocation, and that no
// secret is ever shown twice or stored.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kToken = "access-admin-token-0123456789";

Headers bearer(const std::string& token) {
  return {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
}

const Headers kAdmin = bearer(kToken);

struct Issued {
  int64_t id = 0;
  std::string secret;
};

struct Sold {
  int64_t event = 0;
  int64_t ticket_type = 0;
  std::string ticket;
};

// Helpers that speak to one server as its admin.
class Client {
 public:
  explicit Client(uint16_t port) : port_(port) {}

  HttpResult call(const std::string& method, const std::string& target, const std::string& body,
                  const Headers& headers) const {
    return httpRequest(port_, method, target, body, headers);
  }

  // An on-sale event with one ticket type, and one ticket of it sold.
  Sold eventWithATicket() const {
    auto r = call("POST", "/api/admin/events",
                  R"({"name":"Door Night","venue":"Hall","starts_at":"2030-01-01T19:00:00Z",
        "ends_at":"2030-01-01T22:00:00Z","timezone":"Europe/London","status":"on_sale",
        "ticket_types":[{"name":"GA","price":1000,"currency":"GBP","capacity":10}]})",
                  kAdmin);
    EXPECT_EQ(r.status, 201) << r.body;
    auto event = json::parse(r.body);
    Sold sold{
        event.at("id").as_int64(), event.at("ticket_types").as_array()[0].at("id").as_int64(), {}};
    auto hold = call("POST", "/api/basket",
                     R"({"items":[{"ticket_type_id":)" + std::to_string(sold.ticket_type) +
                         R"(,"quantity":1}]})",
                     {{"Content-Type", "application/json"}});
    EXPECT_EQ(hold.status, 201) << hold.body;
    std::string basket(json::parse(hold.body).at("id").as_string());
    auto paid = call("POST", "/api/checkout",
                     R"({"basket_id":")" + basket + R"(","email":"ann@example.com","name":"Ann"})",
                     {{"Content-Type", "application/json"},
                      {"Idempotency-Key", basket},
                      {"Authorization", "Bearer " + kToken}});
    EXPECT_EQ(paid.status, 201) << paid.body;
    sold.ticket = std::string(
        json::parse(paid.body).at("order").at("tickets").as_array()[0].at("code").as_string());
    return sold;
  }

  Issued issue(const std::string& role, const std::vector<int64_t>& events = {},
               const Headers& as = kAdmin) const {
    json::array ids;
    for (auto id : events) {
      ids.push_back(id);
    }
    json::object body{{"name", role + " token"}, {"role", role}};
    if (!events.empty()) {
      body["event_ids"] = std::move(ids);
    }
    auto r = call("POST", "/api/admin/tokens", json::serialize(body), as);
    EXPECT_EQ(r.status, 201) << r.body;
    auto created = json::parse(r.body);
    return Issued{created.at("id").as_int64(), std::string(created.at("token").as_string())};
  }

  HttpResult checkIn(const std::string& ticket, int64_t event, const Headers& as) const {
    return call("POST", "/api/checkin",
                R"({"code":")" + ticket + R"(","event_id":)" + std::to_string(event) + "}", as);
  }

 private:
  uint16_t port_;
};

std::string problemType(const HttpResult& r) {
  return std::string(json::parse(r.body).at("type").as_string());
}

class AccessApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new TestServer(TestServer::Env{{"ADMIN_TOKEN", kToken}, {"FAULT_INJECTION", "true"}});
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static Client client() { return Client(server->port()); }

  // Every way of editing or reading the admin API, for an event and its ticket type.
  static void expectForbiddenOutsideItsRole(const Headers& as, const Sold& sold,
                                            bool may_read_stats) {
    const std::string event = std::to_string(sold.event);
    struct Case {
      std::string method, target, body;
    };
    std::vector<Case> cases = {
        {"POST", "/api/admin/events", "{}"},
        {"PATCH", "/api/admin/events/" + event, R"({"name":"Hijacked"})"},
        {"POST", "/api/admin/events/" + event + "/ticket-types",
         R"({"name":"Free","price":0,"currency":"GBP","capacity":1000})"},
        {"PATCH", "/api/admin/ticket-types/" + std::to_string(sold.ticket_type), R"({"price":1})"},
        {"POST", "/api/admin/tokens", R"({"name":"mine","role":"admin"})"},
        {"GET", "/api/admin/tokens", ""},
        {"DELETE", "/api/admin/tokens/1", ""},
        {"GET", "/api/admin/faults", ""},
        {"PUT", "/api/admin/faults", R"({"database_latency_ms":1000})"},
        {"DELETE", "/api/admin/faults", ""},
    };
    if (!may_read_stats) {
      cases.push_back({"GET", "/api/admin/events/" + event + "/stats", ""});
      cases.push_back({"GET", "/api/admin/events/" + event + "/sales", ""});
      cases.push_back({"GET", "/api/admin/events/" + event, ""});
      cases.push_back({"GET", "/api/admin/events", ""});
    }
    for (const auto& c : cases) {
      auto r = client().call(c.method, c.target, c.body, as);
      EXPECT_EQ(r.status, 403) << c.method << " " << c.target << " -> " << r.body;
      EXPECT_EQ(problemType(r), "/problems/forbidden") << r.body;
    }
    auto unchanged = httpGet(server->port(), "/api/events/" + event);
    EXPECT_EQ(json::parse(unchanged.body).at("name"), "Door Night");
    EXPECT_EQ(json::parse(unchanged.body).at("ticket_types").as_array().size(), 1u);
    EXPECT_EQ(json::parse(unchanged.body).at("ticket_types").as_array()[0].at("price"), 1000);
  }

  static TestServer* server;
};
TestServer* AccessApiTest::server = nullptr;

TEST_F(AccessApiTest, DoorTokenChecksInAtItsEventsOnly) {
  auto c = client();
  auto a = c.eventWithATicket();
  auto b = c.eventWithATicket();
  auto door = c.issue("door", {a.event});

  auto admitted = c.checkIn(a.ticket, a.event, bearer(door.secret));
  EXPECT_EQ(admitted.status, 200) << admitted.body;

  auto elsewhere = c.checkIn(b.ticket, b.event, bearer(door.secret));
  EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;
  EXPECT_EQ(problemType(elsewhere), "/problems/forbidden");
  EXPECT_EQ(c.checkIn(a.ticket, b.event, bearer(door.secret)).status, 403);
  EXPECT_EQ(c.checkIn(b.ticket, b.event, kAdmin).status, 200) << "the refused scan used nothing";
}

TEST_F(AccessApiTest, DoorTokenReadsItsEventsAdmittedCountButNoMoney) {
  auto c = client();
  auto a = c.eventWithATicket();
  auto b = c.eventWithATicket();
  auto door = c.issue("door", {a.event});
  const std::string figures = "/api/checkin/events/" + std::to_string(a.event);

  auto before = c.call("GET", figures, "", bearer(door.secret));
  ASSERT_EQ(before.status, 200) << before.body;
  auto body = json::parse(before.body).as_object();
  EXPECT_EQ(body.at("event_id"), a.event);
  EXPECT_EQ(body.at("checked_in"), 0);
  EXPECT_EQ(body.at("sold"), 1);
  EXPECT_GE(body.at("capacity").as_int64(), 1);
  EXPECT_FALSE(body.contains("revenue"));

  ASSERT_EQ(c.checkIn(a.ticket, a.event, bearer(door.secret)).status, 200);
  auto after = c.call("GET", figures, "", bearer(door.secret));
  EXPECT_EQ(json::parse(after.body).at("checked_in"), 1);

  auto elsewhere =
      c.call("GET", "/api/checkin/events/" + std::to_string(b.event), "", bearer(door.secret));
  EXPECT_EQ(elsewhere.status, 403) << elsewhere.body;
  EXPECT_EQ(httpGet(server->port(), figures).status, 401);
  EXPECT_EQ(c.call("GET", "/api/checkin/events/999999", "", kAdmin).status, 404);
}

TEST_F(AccessApiTest, DoorTokenMayDoNothingElse) {
  auto c = client();
  auto a = c.eventWithATicket();
  auto door = c.issue("door", {a.event});
  expectForbiddenOutsideItsRole(bearer(door.secret), a, false);
}

TEST_F(AccessApiTest, ReportsTokenReadsEveryEventsFiguresAndChangesNothing) {
  auto c = client();
  auto a = c.eventWithATicket();
  auto b = c.eventWithATicket();
  auto reports = c.issue("reports");
  for (auto event : {a.event, b.event}) {
    auto r = c.call("GET", "/api/admin/events/" + std::to_string(event) + "/stats", "",
                    bearer(reports.secret));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body).at("sold"), 1);
  }
  auto scan = c.checkIn(a.ticket, a.event, bearer(reports.secret));
  EXPECT_EQ(scan.status, 403) << scan.body;
  expectForbiddenOutsideItsRole(bearer(reports.secret), a, true);
}

TEST_F(AccessApiTest, RevokedTokenIsRefusedWith401) {
  auto c = client();
  auto a = c.eventWithATicket();
  auto door = c.issue("door", {a.event});
  EXPECT_EQ(c.checkIn("nosuchticket", a.event, bearer(door.secret)).status, 404)
      << "authenticated, and now remembered";

  auto revoked = c.call("DELETE", "/api/admin/tokens/" + std::to_string(door.id), "", kAdmin);
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  auto refused = c.checkIn(a.ticket, a.event, bearer(door.secret));
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(problemType(refused), "/problems/unauthorized");
  EXPECT_EQ(refused.header("www-authenticate"), "Bearer");

  auto listed = json::parse(c.call("GET", "/api/admin/tokens", "", kAdmin).body);
  bool found = false;
  for (const auto& t : listed.at("tokens").as_array()) {
    if (t.at("id").as_int64() == door.id) {
      found = true;
      EXPECT_TRUE(t.at("revoked_at").is_string());
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(c.call("DELETE", "/api/admin/tokens/" + std::to_string(door.id), "", kAdmin).status,
            204);
  EXPECT_EQ(c.call("DELETE", "/api/admin/tokens/99999999", "", kAdmin).status, 404);
  EXPECT_EQ(c.call("DELETE", "/api/admin/tokens/abc", "", kAdmin).status, 400);
  EXPECT_EQ(c.checkIn(a.ticket, a.event, kAdmin).status, 200);
}

TEST_F(AccessApiTest, ScopedAdminTokenMayDoWhatTheBootstrapTokenDoes) {
  auto c = client();
  auto admin = c.issue("admin");
  auto as_admin = bearer(admin.secret);
  auto r = c.call("POST", "/api/admin/events",
                  R"({"name":"By Token","venue":"Hall","starts_at":"2030-02-01T19:00:00Z",
      "ends_at":"2030-02-01T22:00:00Z","timezone":"Europe/London"})",
                  as_admin);
  EXPECT_EQ(r.status, 201) << r.body;
  auto event = json::parse(r.body).at("id").as_int64();
  auto door = c.issue("door", {event}, as_admin);
  EXPECT_EQ(c.call("GET", "/api/admin/tokens", "", as_admin).status, 200);
  EXPECT_EQ(c.call("GET", "/api/admin/faults", "", as_admin).status, 200);
  EXPECT_EQ(c.call("DELETE", "/api/admin/tokens/" + std::to_string(door.id), "", as_admin).status,
            204);
  // The scheme is case-insensitive (RFC 9110).
  EXPECT_EQ(
      c.call("GET", "/api/admin/tokens", "", {{"Authorization", "bearer " + admin.secret}}).status,
      200);
}

TEST_F(AccessApiTest, TheSecretIsShownOnceAndNeverListed) {
  auto c = client();
  auto a = c.eventWithATicket();
  auto created =
      c.call("POST", "/api/admin/tokens",
             R"({"name":"North gate","role":"door","event_ids":[)" + std::to_string(a.event) + "]}",
             kAdmin);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("cache-control"), "no-store");
  auto body = json::parse(created.body).as_object();
  std::string secret(body.at("token").as_string());
  EXPECT_EQ(secret.size(), 43u);
  EXPECT_EQ(body.at("name"), "North gate");
  EXPECT_EQ(body.at("role"), "door");
  EXPECT_EQ(body.at("event_ids").as_array().size(), 1u);
  EXPECT_EQ(body.at("hint").as_string(), secret.substr(secret.size() - 4));
  EXPECT_TRUE(body.at("revoked_at").is_null());

  auto listed = c.call("GET", "/api/admin/tokens", "", kAdmin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find(secret), std::string::npos);
  EXPECT_EQ(listed.body.find(sha256Hex(secret)), std::string::npos);
  bool found = false;
  auto tokens = json::parse(listed.body);
  for (const auto& t : tokens.at("tokens").as_array()) {
    EXPECT_FALSE(t.as_object().contains("token"));
    if (t.at("id") == body.at("id")) {
      found = true;
      EXPECT_EQ(t.at("name"), "North gate");
      EXPECT_EQ(t.at("hint"), body.at("hint"));
      EXPECT_EQ(t.at("created_at"), body.at("created_at"));
    }
  }
  EXPECT_TRUE(found);
  ASSERT_TRUE(server->waitForLog("api token issued", std::chrono::seconds(2)));
  for (const auto& line : server->logLines()) {
    EXPECT_EQ(line.find(secret), std::string::npos) << line;
  }
}

TEST_F(AccessApiTest, TheDatabaseStoresOnlyTheSecretsHash) {
  auto c = client();
  auto door = c.issue("door", {c.eventWithATicket().event});
  EXPECT_EQ(c.call("GET", "/api/admin/tokens", "", kAdmin).status, 200);

  std::string stored;
  for (const auto& entry : std::filesystem::directory_iterator(server->dataDir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    stored += bytes.str();
  }
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.find(door.secret), std::string::npos);

  sqlite3* db = nullptr;
  sqlite3_open_v2(server->databasePath().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT secret_hash, hint FROM api_tokens WHERE id = ?1", -1, &stmt,
                     nullptr);
  sqlite3_bind_int64(stmt, 1, door.id);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), sha256Hex(door.secret));
  EXPECT_EQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)), door.secret.substr(39));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(AccessApiTest, InvalidTokenRequestsAre4xxAndIssueNothing) {
  auto c = client();
  auto a = c.eventWithATicket();
  const std::string event = std::to_string(a.event);
  auto before = c.call("GET", "/api/admin/tokens", "", kAdmin).body;
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  for (const auto& k : std::vector<Case>{
           {"{", 400, ""},
           {R"({"role":"admin"})", 422, "name"},
           {R"({"name":"x"})", 422, "role"},
           {R"({"name":"x","role":"root"})", 422, "role"},
           {R"({"name":"","role":"admin"})", 422, "name"},
           {R"({"name":"x","role":"door"})", 422, "event_ids"},
           {R"({"name":"x","role":"door","event_ids":[]})", 422, "event_ids"},
           {R"({"name":"x","role":"door","event_ids":"1"})", 422, "event_ids"},
           {R"({"name":"x","role":"door","event_ids":["1"]})", 422, "event_ids"},
           {R"({"name":"x","role":"door","event_ids":[99999999]})", 422, "event_ids"},
           {R"({"name":"x","role":"door","event_ids":[)" + event + "," + event + "]}", 422,
            "event_ids"},
           {R"({"name":"x","role":"reports","event_ids":[)" + event + "]}", 422, "event_ids"},
           {R"({"name":"x","role":"admin","secret":"mine"})", 422, "secret"},
       }) {
    auto r = c.call("POST", "/api/admin/tokens", k.body, kAdmin);
    EXPECT_EQ(r.status, k.status) << k.body << " -> " << r.body;
    if (!k.field.empty()) {
      EXPECT_EQ(json::parse(r.body).at("field").as_string(), k.field) << r.body;
    }
  }
  EXPECT_EQ(c.call("POST", "/api/admin/tokens", R"({"name":"x","role":"admin"})",
                   {{"Content-Type", "text/plain"}, {"Authorization", "Bearer " + kToken}})
                .status,
            415);
  EXPECT_EQ(c.call("GET", "/api/admin/tokens", "", kAdmin).body, before);
}

TEST_F(AccessApiTest, NoTokenOrAWrongOneIs401) {
  auto c = client();
  for (const Headers& as : {Headers{{"Content-Type", "application/json"}}, bearer("wrong"),
                            bearer(std::string(43, 'x')), bearer(kToken + "x")}) {
    for (auto [method, target] :
         std::vector<std::pair<std::string, std::string>>{{"GET", "/api/admin/tokens"},
                                                          {"POST", "/api/checkin"},
                                                          {"GET", "/api/admin/events/1/stats"},
                                                          {"GET", "/api/admin/faults"}}) {
      auto r = c.call(method, target, "{}", as);
      EXPECT_EQ(r.status, 401) << method << " " << target << " -> " << r.body;
      EXPECT_EQ(r.header("www-authenticate"), "Bearer");
    }
  }
}

// With ADMIN_TOKEN unset there is no bootstrap admin, but the scoped tokens in the database still
// work: a second ticketsd without it shares the first one's SQLite file.
TEST(AccessWithoutAdminToken, ScopedTokensStillWorkAndEverythingElseIs403) {
  TestServer first(TestServer::Env{{"ADMIN_TOKEN", kToken}});
  Client bootstrap(first.port());
  auto a = bootstrap.eventWithATicket();
  auto door = bootstrap.issue("door", {a.event});
  auto admin = bootstrap.issue("admin");

  TestServer second(TestServer::Env{{"DATABASE_URL", "sqlite:" + first.databasePath()}});
  Client c(second.port());
  for (const Headers& as :
       {Headers{{"Content-Type", "application/json"}}, bearer(kToken), bearer("anything")}) {
    auto r = c.checkIn(a.ticket, a.event, as);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(problemType(r), "/problems/admin-disabled");
  }
  EXPECT_EQ(c.checkIn(a.ticket, a.event, bearer(door.secret)).status, 200);
  EXPECT_EQ(c.call("GET", "/api/admin/tokens", "", bearer(admin.secret)).status, 200);
  EXPECT_EQ(
      c.call("DELETE", "/api/admin/tokens/" + std::to_string(door.id), "", bearer(admin.secret))
          .status,
      204);
  EXPECT_EQ(problemType(c.checkIn(a.ticket, a.event, bearer(door.secret))),
            "/problems/admin-disabled");
}

}  // namespace
}  // namespace tickets::test
