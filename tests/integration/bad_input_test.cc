// Bad input of every kind gets the right 4xx as application/problem+json and changes nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new TestServer(TestServer::Env{{"SEED_DEMO_DATA", "true"},
                                            {"FAULT_INJECTION", "true"},
                                            {"ADMIN_TOKEN", "test-admin-token-0123456789"}});
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static uint16_t port() { return server->port(); }

  // A fingerprint of everything stored, to show that bad requests change nothing.
  static std::string databaseFingerprint() {
    sqlite3* db = nullptr;
    sqlite3_open_v2(server->databasePath().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    std::string out;
    for (const char* sql :
         {"SELECT group_concat(id || name || status || starts_at) FROM events",
          "SELECT group_concat(id || capacity || sold || held) FROM ticket_types"}) {
      sqlite3_stmt* stmt = nullptr;
      sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
      if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
        out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
      out += "|";
    }
    sqlite3_close(db);
    return out;
  }

  static void expectProblem(const HttpResult& r, int status, const std::string& type,
                            const std::string& field = {}) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    auto body = json::parse(r.body).as_object();
    EXPECT_EQ(std::string(body.at("type").as_string()), "/problems/" + type) << r.body;
    EXPECT_EQ(body.at("status"), status);
    EXPECT_TRUE(body.contains("title"));
    if (!field.empty()) {
      EXPECT_EQ(std::string(body.at("field").as_string()), field) << r.body;
    }
  }

  static TestServer* server;
};
TestServer* BadInputTest::server = nullptr;

TEST_F(BadInputTest, MalformedQueryParametersAre400WithTheField) {
  auto before = databaseFingerprint();
  struct Case {
    const char* target;
    const char* field;
  };
  for (auto c :
       {Case{"/api/events?limit=abc", "limit"}, Case{"/api/events?limit=0", "limit"},
        Case{"/api/events?limit=101", "limit"}, Case{"/api/events?limit=-5", "limit"},
        Case{"/api/events?limit=99999999999999999999", "limit"},
        Case{"/api/events?status=draft", "status"}, Case{"/api/events?status=ON_SALE", "status"},
        Case{"/api/events?from=yesterday", "from"},
        Case{"/api/events?to=2026-02-30T00:00:00Z", "to"},
        Case{"/api/events?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
        Case{"/api/events?cursor=garbage", "cursor"}, Case{"/api/events?cursor=", "cursor"},
        Case{"/api/events?colour=red", "colour"}}) {
    expectProblem(httpGet(port(), c.target), 400, "invalid-parameter", c.field);
  }
  for (const char* target : {"/api/events?q=%zz", "/api/events?limit=1&limit=2"}) {
    expectProblem(httpGet(port(), target), 400, "invalid-request");
  }
  expectProblem(httpGet(port(), "/api/events?q=" + std::string(101, 'x')), 400, "invalid-parameter",
                "q");
  EXPECT_EQ(databaseFingerprint(), before);
}

TEST_F(BadInputTest, MalformedIdsAre400UnknownAre404) {
  for (const char* id : {"abc", "0", "-1", "1.5", "1e3", "%31", "99999999999999999999", "+1"}) {
    expectProblem(httpGet(port(), std::string("/api/events/") + id), 400, "invalid-parameter",
                  "id");
  }
  expectProblem(httpGet(port(), "/api/events/424242"), 404, "not-found");
}

TEST_F(BadInputTest, UnknownRoutesAre404WrongMethods405WithAllow) {
  expectProblem(httpGet(port(), "/api/nothing"), 404, "not-found");
  expectProblem(httpGet(port(), "/"), 404, "not-found");
  auto r = httpRequest(port(), "DELETE", "/api/events");
  expectProblem(r, 405, "method-not-allowed");
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
  auto admin = httpRequest(port(), "POST", "/api/admin/faults", "{}");
  expectProblem(admin, 405, "method-not-allowed");
  EXPECT_EQ(admin.header("allow"), "GET, HEAD, PUT, DELETE, OPTIONS");
}

TEST_F(BadInputTest, OversizedHeaderIs431AndBodyIs413) {
  auto header = rawExchange(
      port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(header.rfind("HTTP/1.1 431", 0), 0u) << header.substr(0, 200);
  EXPECT_NE(header.find("application/problem+json"), std::string::npos);

  auto before = databaseFingerprint();
  auto body = rawExchange(port(),
                          "PUT /api/admin/faults HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nContent-Length: 200000\r\n\r\n" +
                              std::string(200000, '{'));
  EXPECT_EQ(body.rfind("HTTP/1.1 413", 0), 0u) << body.substr(0, 200);
  EXPECT_NE(body.find("/problems/payload-too-large"), std::string::npos);
  EXPECT_EQ(databaseFingerprint(), before);
}

TEST_F(BadInputTest, GarbageIs400AndTheServerStaysUp) {
  for (std::string garbage :
       {std::string("\x00\x01\x02garbage\r\n\r\n", 14), std::string("GET\r\n\r\n"),
        std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"),
        std::string("POST /api/events HTTP/1.1\r\nContent-Length: -3\r\n\r\n"),
        std::string("POST /api/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    auto out = rawExchange(port(), garbage);
    EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out.substr(0, 200);
  }
  EXPECT_EQ(httpGet(port(), "/healthz").status, 200);
}

TEST_F(BadInputTest, AbsoluteFormTargetIs400) {
  auto out = rawExchange(port(), "GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out.substr(0, 200);
}

TEST_F(BadInputTest, AdminApiNeedsTheBearerToken) {
  expectProblem(httpGet(port(), "/api/admin/faults"), 401, "unauthorized");
  auto wrong = httpRequest(port(), "GET", "/api/admin/faults", "",
                           {{"Authorization", "Bearer test-admin-token-0123456780"}});
  expectProblem(wrong, 401, "unauthorized");
  EXPECT_EQ(wrong.header("www-authenticate"), "Bearer");
  auto ok = httpRequest(port(), "GET", "/api/admin/faults", "",
                        {{"Authorization", "Bearer test-admin-token-0123456789"}});
  EXPECT_EQ(ok.status, 200);
}

TEST_F(BadInputTest, MalformedJsonIs400InvalidJson422WrongTypeIs415AndNothingChanges) {
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer test-admin-token-0123456789"},
      {"Content-Type", "application/json"}};
  auto get = [&] { return httpRequest(port(), "GET", "/api/admin/faults", "", {auth[0]}).body; };
  auto before = get();
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults", "{\"routes\": {", auth), 400,
                "invalid-request");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults", "{} trailing", auth), 400,
                "invalid-request");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults",
                            std::string(100, '[') + std::string(100, ']'), auth),
                400, "invalid-request");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults", "[1,2]", auth), 422,
                "validation-failed");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults",
                            R"({"routes":{"/api/nope":{"latency_ms":1}}})", auth),
                422, "validation-failed", "routes");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults",
                            R"({"routes":{"/api/events":{"error_ratio":1.5}}})", auth),
                422, "validation-failed", "error_ratio");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults", R"({"surprise":true})", auth), 422,
                "validation-failed", "surprise");
  expectProblem(httpRequest(port(), "PUT", "/api/admin/faults", "{}",
                            {auth[0], {"Content-Type", "text/plain"}}),
                415, "unsupported-media-type");
  EXPECT_EQ(get(), before);
}

std::string normalised(std::string body) {
  return std::regex_replace(body, std::regex(R"("request_id":"[^"]*")"), R"("request_id":"*")");
}

TEST_F(BadInputTest, ProblemBodiesMatchGoldenFiles) {
  struct Case {
    std::string target;
    std::string method;
    std::string golden;
  };
  for (const auto& c : {Case{"/api/events/999999", "GET", "not_found.json"},
                        Case{"/api/events?limit=0", "GET", "invalid_limit.json"},
                        Case{"/api/events", "DELETE", "method_not_allowed.json"},
                        Case{"/nowhere", "GET", "unknown_route.json"}}) {
    auto r = httpRequest(port(), c.method, c.target);
    const std::string path = std::string(GOLDEN_DIR) + "/" + c.golden;
    if (std::getenv("UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << normalised(r.body) << "\n";
    }
    EXPECT_EQ(normalised(r.body) + "\n", readFile(path)) << c.golden;
  }
}

}  // namespace
}  // namespace tickets::test
