// The web app's serving (WEB_ROOT), the organiser's reads (drafts, sales over time), tickets as
// a PDF and the API document, against the real binary.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "support/http_client.h"
#include "support/temp_dir.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kToken = "organiser-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

void writeFile(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

// A built app in miniature: an index, a hashed asset with its precompressed form, an icon.
class WebAppTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root = new TempDir();
    const fs::path dist(root->path());
    writeFile(dist / "index.html", kIndex);
    writeFile(dist / "assets" / "index-3f2a9c.js", kScript);
    writeFile(dist / "assets" / "index-3f2a9c.js.gz", kScriptGzipped);
    writeFile(dist / "favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    writeFile(dist / ".secret", "never served");
    server = new TestServer(TestServer::Env{{"WEB_ROOT", dist.string()}});
  }
  static void TearDownTestSuite() {
    delete server;
    delete root;
  }
  static uint16_t port() { return server->port(); }

  static inline const std::string kIndex =
      "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-3f2a9c.js\">"
      "</script></head><body><div id=\"app\"></div></body></html>";
  static inline const std::string kScript = "console.log('tickets');\n";
  // Not real gzip: the server sends the file as it is, so the test can tell which one came.
  static inline const std::string kScriptGzipped = "\x1f\x8b-precompressed";
  static inline TempDir* root = nullptr;
  static inline TestServer* server = nullptr;
};

TEST_F(WebAppTest, IndexIsServedWithStrictHeadersAndRevalidated) {
  auto r = httpGet(port(), "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, kIndex);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_FALSE(r.header("etag").empty());
  const std::string csp = r.header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("style-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
}

TEST_F(WebAppTest, TheAppsOwnRoutesGetTheIndex) {
  for (const char* route : {"/events/12", "/orders/ABC123", "/door", "/admin/events/3"}) {
    auto r = httpGet(port(), route);
    EXPECT_EQ(r.status, 200) << route;
    EXPECT_EQ(r.body, kIndex) << route;
  }
}

TEST_F(WebAppTest, HashedAssetsAreImmutableAndGzippedForClientsThatAcceptIt) {
  auto plain = httpGet(port(), "/assets/index-3f2a9c.js");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.body, kScript);
  EXPECT_EQ(plain.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(plain.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(plain.header("vary"), "Accept-Encoding");
  EXPECT_TRUE(plain.header("content-encoding").empty());

  auto gzipped = httpRequest(port(), "GET", "/assets/index-3f2a9c.js", "",
                             {{"Accept-Encoding", "br, gzip;q=0.8"}});
  ASSERT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.body, kScriptGzipped);
  EXPECT_EQ(gzipped.header("content-encoding"), "gzip");
  EXPECT_NE(gzipped.header("etag"), plain.header("etag"));

  auto refused =
      httpRequest(port(), "GET", "/assets/index-3f2a9c.js", "", {{"Accept-Encoding", "gzip;q=0"}});
  EXPECT_EQ(refused.body, kScript);
}

TEST_F(WebAppTest, AKnownEtagGets304WithoutABody) {
  auto first = httpGet(port(), "/");
  auto again =
      httpRequest(port(), "GET", "/", "", {{"If-None-Match", "\"x\", " + first.header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), first.header("etag"));
  auto changed = httpRequest(port(), "GET", "/", "", {{"If-None-Match", "\"other\""}});
  EXPECT_EQ(changed.status, 200);
}

TEST_F(WebAppTest, MissingFilesAndTheApiStayProblems) {
  for (const char* path : {"/assets/index-000000.js", "/logo.png", "/.secret", "/api/nothing"}) {
    auto r = httpGet(port(), path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << path;
  }
  auto post = httpRequest(port(), "POST", "/", "{}", kJson);
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(httpGet(port(), "/healthz").status, 200);
  EXPECT_EQ(httpGet(port(), "/api/events").status, 200);
}

TEST_F(WebAppTest, HeadHasTheLengthButNoBody) {
  // Raw, since a client must know it sent HEAD to stop reading after the headers.
  const std::string answer =
      rawExchange(port(), "HEAD /favicon.svg HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_NE(answer.find("Content-Type: image/svg+xml\r\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Content-Length: 41\r\n"), std::string::npos) << answer;
  EXPECT_TRUE(answer.ends_with("\r\n\r\n")) << answer;
}

TEST(WebAppConfig, AWebRootWithoutAnIndexIsRefusedAtStart) {
  TempDir empty;
  auto [code, output] = runTicketsd({}, {{"WEB_ROOT", empty.path()}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("WEB_ROOT"), std::string::npos) << output;
}

TEST(WebAppConfig, WithoutAWebRootTheRootIsAProblem) {
  TestServer server;
  auto r = httpGet(server.port(), "/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
}

class OrganiserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new TestServer(TestServer::Env{{"ADMIN_TOKEN", kToken}});
  }
  static void TearDownTestSuite() { delete server; }
  static uint16_t port() { return server->port(); }

  static json::object createEvent(const std::string& status, int64_t price = 2500) {
    auto r =
        httpRequest(port(), "POST", "/api/admin/events",
                    R"({"name":"Organiser Night","venue":"Hall","starts_at":"2030-01-01T19:00:00Z",
          "ends_at":"2030-01-01T22:00:00Z","timezone":"Europe/Berlin","status":")" +
                        status + R"(","ticket_types":[{"name":"Stehplatz","price":)" +
                        std::to_string(price) + R"(,"currency":"EUR","capacity":50}]})",
                    kAdmin);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body).as_object();
  }

  // Buys `quantity` tickets of the event's first type; returns the order.
  static json::object buy(const json::object& event, int quantity, const std::string& key) {
    const auto type = event.at("ticket_types").as_array().at(0).at("id").as_int64();
    auto hold = httpRequest(port(), "POST", "/api/basket",
                            R"({"items":[{"ticket_type_id":)" + std::to_string(type) +
                                R"(,"quantity":)" + std::to_string(quantity) + "}]}",
                            kJson);
    EXPECT_EQ(hold.status, 201) << hold.body;
    Headers headers = kAdmin;  // a box-office sale: paid at once
    headers.emplace_back("Idempotency-Key", key);
    auto order =
        httpRequest(port(), "POST", "/api/checkout",
                    R"({"basket_id":")" + std::string(json::parse(hold.body).at("id").as_string()) +
                        R"(","email":"zoe@example.com","name":"Zoë Müller"})",
                    headers);
    EXPECT_EQ(order.status, 201) << order.body;
    return json::parse(order.body).at("order").as_object();
  }

  static inline TestServer* server = nullptr;
};

TEST_F(OrganiserTest, DraftsAreListedAndReadOnlyThroughTheAdminApi) {
  const auto draft = createEvent("draft");
  const auto id = std::to_string(draft.at("id").as_int64());
  auto listed = httpRequest(port(), "GET", "/api/admin/events?status=draft&limit=100", "", kAdmin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  bool found = false;
  const auto listing = json::parse(listed.body);
  for (const auto& e : listing.at("events").as_array()) {
    found = found || e.at("id").as_int64() == draft.at("id").as_int64();
    EXPECT_EQ(e.at("status"), "draft");
  }
  EXPECT_TRUE(found);
  auto detail = httpRequest(port(), "GET", "/api/admin/events/" + id, "", kAdmin);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(json::parse(detail.body).at("ticket_types").as_array().size(), 1u);
  EXPECT_EQ(detail.header("cache-control"), "no-store");

  EXPECT_EQ(httpGet(port(), "/api/events/" + id).status, 404);
  EXPECT_EQ(httpGet(port(), "/api/events?status=draft").status, 400);
  EXPECT_EQ(httpGet(port(), "/api/admin/events").status, 401);
  EXPECT_EQ(httpGet(port(), "/api/admin/events/" + id).status, 401);
  EXPECT_EQ(httpRequest(port(), "GET", "/api/admin/events?status=sideways", "", kAdmin).status,
            400);
  EXPECT_EQ(httpRequest(port(), "GET", "/api/admin/events/999999", "", kAdmin).status, 404);
}

TEST_F(OrganiserTest, SalesOverTimeCountPaidOrdersOnly) {
  const auto event = createEvent("on_sale", 1250);
  const auto id = std::to_string(event.at("id").as_int64());
  const auto first = buy(event, 2, "organiser-sales-1");
  buy(event, 1, "organiser-sales-2");

  for (const char* bucket : {"hour", "day"}) {
    auto r = httpRequest(port(), "GET", "/api/admin/events/" + id + "/sales?bucket=" + bucket, "",
                         kAdmin);
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = json::parse(r.body).as_object();
    EXPECT_EQ(body.at("bucket"), bucket);
    EXPECT_EQ(body.at("currency"), "EUR");
    const auto& points = body.at("points").as_array();
    ASSERT_EQ(points.size(), 1u) << r.body;
    EXPECT_EQ(points[0].at("tickets").as_int64(), 3);
    EXPECT_EQ(points[0].at("orders").as_int64(), 2);
    EXPECT_EQ(points[0].at("revenue").as_int64(), 3 * 1250);
    EXPECT_TRUE(std::regex_match(
        std::string(points[0].at("at").as_string()),
        std::regex(bucket == std::string("hour") ? R"(\d{4}-\d\d-\d\dT\d\d:00:00Z)"
                                                 : R"(\d{4}-\d\d-\d\dT00:00:00Z)")))
        << points[0].at("at");
  }

  // A cancelled order is no sale any more.
  auto cancelled = httpRequest(
      port(), "POST", "/api/orders/" + std::string(first.at("code").as_string()) + "/cancel", "",
      {{"X-Order-Secret", std::string(first.at("secret").as_string())}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  auto after = httpRequest(port(), "GET", "/api/admin/events/" + id + "/sales", "", kAdmin);
  ASSERT_EQ(after.status, 200);
  const auto points = json::parse(after.body).at("points").as_array();
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].at("tickets").as_int64(), 1);

  EXPECT_EQ(httpRequest(port(), "GET", "/api/admin/events/" + id + "/sales?bucket=week", "", kAdmin)
                .status,
            400);
  EXPECT_EQ(
      httpRequest(port(), "GET", "/api/admin/events/" + id + "/sales?from=x", "", kAdmin).status,
      400);
  EXPECT_EQ(httpRequest(port(), "GET", "/api/admin/events/999999/sales", "", kAdmin).status, 404);
  EXPECT_EQ(httpGet(port(), "/api/admin/events/" + id + "/sales").status, 401);
}

TEST_F(OrganiserTest, TicketsComeAsAPdfWithAPagePerTicket) {
  const auto event = createEvent("on_sale");
  const auto order = buy(event, 3, "organiser-pdf-1");
  const std::string code(order.at("code").as_string());
  const std::string secret(order.at("secret").as_string());

  auto pdf = httpRequest(port(), "GET", "/api/orders/" + code + "/tickets.pdf", "",
                         {{"X-Order-Secret", secret}});
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("content-type"), "application/pdf");
  EXPECT_EQ(pdf.header("content-disposition"), "attachment; filename=\"tickets-" + code + ".pdf\"");
  EXPECT_EQ(pdf.header("cache-control"), "private, no-store");
  ASSERT_TRUE(pdf.body.starts_with("%PDF-1.")) << pdf.body.substr(0, 16);
  EXPECT_NE(pdf.body.find("%%EOF"), std::string::npos);
  // One page object per ticket (the page tree's own /Type /Pages does not match).
  const std::regex page(R"(/Type /Page[^s])");
  EXPECT_EQ(std::distance(std::sregex_iterator(pdf.body.begin(), pdf.body.end(), page),
                          std::sregex_iterator()),
            3);

  EXPECT_EQ(httpRequest(port(), "GET", "/api/orders/" + code + "/tickets.pdf", "",
                        {{"X-Order-Secret", "wrong"}})
                .status,
            404);
  EXPECT_EQ(httpGet(port(), "/api/orders/" + code + "/tickets.pdf").status, 404);
  EXPECT_EQ(httpGet(port(), "/api/orders/NOSUCH/tickets.pdf").status, 404);
}

TEST_F(OrganiserTest, TheApiDocumentIsServed) {
  auto r = httpGet(port(), "/api/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto document = json::parse(r.body).as_object();
  EXPECT_EQ(document.at("openapi"), "3.1.0");
  const auto& paths = document.at("paths").as_object();
  for (const char* path : {"/api/events", "/api/admin/events/{id}/sales",
                           "/api/orders/{code}/tickets.pdf", "/api/openapi.json"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
}

}  // namespace
}  // namespace tickets::test
