// Defects an audit found, each shown against the real binary over HTTP: what an attacker, a
// proxy or an on-call engineer would see.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "common/base64url.h"
#include "support/http_client.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

const std::string kToken = "hardening-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

std::string problemType(const HttpResult& r) {
  return std::string(json::parse(r.body).at("type").as_string());
}

// An event on sale with one ticket type; returns {ticket type id, event id}.
std::pair<int64_t, int64_t> createEvent(uint16_t port, const std::string& starts_at,
                                        const std::string& ends_at, int64_t capacity = 10) {
  auto r = httpRequest(port, "POST", "/api/admin/events",
                       R"({"name":"Late Show","venue":"Hall","starts_at":")" + starts_at +
                           R"(","ends_at":")" + ends_at +
                           R"(","timezone":"Europe/London","status":"on_sale",
                       "ticket_types":[{"name":"GA","price":1500,"currency":"GBP","capacity":)" +
                           std::to_string(capacity) + "}]}",
                       kAdmin);
  EXPECT_EQ(r.status, 201) << r.body;
  auto body = json::parse(r.body);
  return {body.at("ticket_types").at(0).at("id").as_int64(), body.at("id").as_int64()};
}

std::string basket(uint16_t port, int64_t type, int64_t quantity) {
  auto r = httpRequest(port, "POST", "/api/basket",
                       R"({"items":[{"ticket_type_id":)" + std::to_string(type) +
                           R"(,"quantity":)" + std::to_string(quantity) + "}]}",
                       kJson);
  EXPECT_EQ(r.status, 201) << r.body;
  return std::string(json::parse(r.body).at("id").as_string());
}

// Sold at the box office (an admin token): paid at once.
HttpResult checkout(uint16_t port, const std::string& basket_id, const std::string& key) {
  Headers headers = kAdmin;
  headers.emplace_back("Idempotency-Key", key);
  return httpRequest(
      port, "POST", "/api/checkout",
      R"({"basket_id":")" + basket_id + R"(","email":"ann@example.com","name":"Ann"})", headers);
}

json::object stats(uint16_t port, int64_t event) {
  auto r =
      httpRequest(port, "GET", "/api/admin/events/" + std::to_string(event) + "/stats", "", kAdmin);
  EXPECT_EQ(r.status, 200) << r.body;
  return json::parse(r.body).as_object();
}

class HardeningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new TestServer(TestServer::Env{{"ADMIN_TOKEN", kToken}});
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static uint16_t port() { return server->port(); }
  static TestServer* server;
};
TestServer* HardeningTest::server = nullptr;

// Defect 1: an order with an admitted ticket cannot be cancelled (its seat would be sold twice).
TEST_F(HardeningTest, CancelAfterAdmissionIsRefusedAndChangesNothing) {
  auto [type, event] = createEvent(port(), "2030-03-01T19:00:00Z", "2030-03-01T22:00:00Z");
  auto paid = checkout(port(), basket(port(), type, 2), "cancel-after-admission");
  ASSERT_EQ(paid.status, 201) << paid.body;
  auto order = json::parse(paid.body).at("order").as_object();
  std::string code(order.at("code").as_string());
  std::string secret(order.at("secret").as_string());
  std::string first(order.at("tickets").at(0).at("code").as_string());
  std::string second(order.at("tickets").at(1).at("code").as_string());
  auto admitted = httpRequest(
      port(), "POST", "/api/checkin",
      R"({"code":")" + first + R"(","event_id":)" + std::to_string(event) + "}", kAdmin);
  ASSERT_EQ(admitted.status, 200) << admitted.body;

  auto cancel = httpRequest(port(), "POST", "/api/orders/" + code + "/cancel", "",
                            {{"X-Order-Secret", secret}});
  EXPECT_EQ(cancel.status, 409) << cancel.body;
  EXPECT_EQ(problemType(cancel), "/problems/order-admitted");
  auto after = stats(port(), event);
  EXPECT_EQ(after.at("sold"), 2);
  auto read = httpRequest(port(), "GET", "/api/orders/" + code, "", {{"X-Order-Secret", secret}});
  EXPECT_EQ(json::parse(read.body).at("order").at("status"), "paid");
  // The other ticket is still valid.
  auto other = httpRequest(
      port(), "POST", "/api/checkin",
      R"({"code":")" + second + R"(","event_id":)" + std::to_string(event) + "}", kAdmin);
  EXPECT_EQ(other.status, 200) << other.body;
}

// Defect 1: once the event has started a buyer can no longer cancel.
TEST_F(HardeningTest, CancelAfterTheEventStartedIsRefused) {
  auto [type, event] = createEvent(port(), "2020-01-01T19:00:00Z", "2099-01-01T22:00:00Z");
  auto paid = checkout(port(), basket(port(), type, 1), "cancel-after-start");
  ASSERT_EQ(paid.status, 201) << paid.body;
  auto order = json::parse(paid.body).at("order").as_object();
  auto cancel = httpRequest(port(), "POST",
                            "/api/orders/" + std::string(order.at("code").as_string()) + "/cancel",
                            "", {{"X-Order-Secret", std::string(order.at("secret").as_string())}});
  EXPECT_EQ(cancel.status, 409) << cancel.body;
  EXPECT_EQ(problemType(cancel), "/problems/event-started");
  EXPECT_EQ(stats(port(), event).at("sold"), 1);
}

// Defect 10: a basket of an event cancelled meanwhile does not check out; its stock goes back.
TEST_F(HardeningTest, CheckoutOfACancelledEventIsRefusedAndReleasesTheBasket) {
  auto [type, event] = createEvent(port(), "2030-04-01T19:00:00Z", "2030-04-01T22:00:00Z");
  auto held = basket(port(), type, 3);
  EXPECT_EQ(stats(port(), event).at("held"), 3);
  auto patched = httpRequest(port(), "PATCH", "/api/admin/events/" + std::to_string(event),
                             R"({"status":"cancelled"})", kAdmin);
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto refused = checkout(port(), held, "checkout-cancelled-event");
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(problemType(refused), "/problems/not-on-sale");
  auto after = stats(port(), event);
  EXPECT_EQ(after.at("held"), 0);
  EXPECT_EQ(after.at("sold"), 0);
}

// Defect 2: HEAD answers like GET without a body, so the next answer on the connection is intact.
TEST_F(HardeningTest, HeadThenGetOnOneConnection) {
  auto get = httpGet(port(), "/api/events");
  ASSERT_EQ(get.status, 200);
  for (const std::string target : {"/api/events", "/no/such/route", "/api/checkout"}) {
    auto reply =
        rawExchange(port(), "HEAD " + target +
                                " HTTP/1.1\r\nHost: t\r\n\r\n"
                                "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    auto second = reply.find("HTTP/1.1 200 OK\r\n", 1);
    auto first_head = reply.substr(0, reply.find("\r\n\r\n") + 4);
    ASSERT_NE(second, std::string::npos) << target << ":\n" << reply;
    // Nothing between the HEAD answer's headers and the next answer: no body.
    EXPECT_EQ(second, first_head.size()) << target << ":\n" << reply;
    EXPECT_NE(reply.find(R"({"status":"ok"})"), std::string::npos) << reply;
    if (target == "/api/events") {
      EXPECT_TRUE(first_head.starts_with("HTTP/1.1 200")) << first_head;
      EXPECT_NE(first_head.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n"),
                std::string::npos)
          << first_head;
    }
  }
}

TEST_F(HardeningTest, OptionsAnswers204WithAllow) {
  auto events = httpRequest(port(), "OPTIONS", "/api/events");
  EXPECT_EQ(events.status, 204);
  EXPECT_EQ(events.header("allow"), "GET, HEAD, OPTIONS");
  EXPECT_TRUE(events.body.empty());
  auto basket = httpRequest(port(), "OPTIONS", "/api/basket/abc");
  EXPECT_EQ(basket.status, 204);
  EXPECT_EQ(basket.header("allow"), "GET, HEAD, DELETE, OPTIONS");
  EXPECT_EQ(httpRequest(port(), "OPTIONS", "/nowhere").status, 404);
  auto method_not_allowed = httpRequest(port(), "PUT", "/api/events");
  EXPECT_EQ(method_not_allowed.status, 405);
  EXPECT_EQ(method_not_allowed.header("allow"), "GET, HEAD, OPTIONS");
}

// Defect 9: a transfer coding that does not end in chunked is refused; its body is never read
// as a second request.
TEST_F(HardeningTest, TransferEncodingThatDoesNotEndInChunkedIsRefused) {
  for (const std::string coding : {"gzip", "chunked, gzip", "identity"}) {
    auto reply = rawExchange(port(),
                             "POST /api/basket HTTP/1.1\r\nHost: t\r\n"
                             "Content-Type: application/json\r\nTransfer-Encoding: " +
                                 coding + "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << coding << ":\n" << reply;
    EXPECT_EQ(reply.find("HTTP/1.1 200"), std::string::npos) << coding << ":\n" << reply;
  }
}

// Sends `bytes` in three parts, a moment apart, as a client still uploading would; returns
// whether every part was accepted (no reset) and what the server answered.
std::pair<bool, std::string> slowExchange(uint16_t port, const std::string& bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  bool accepted = true;
  const size_t part = bytes.size() / 3 + 1;
  for (size_t at = 0; at < bytes.size(); at += part) {
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes.substr(at, part)), ec);
    accepted = accepted && !ec;
    std::this_thread::sleep_for(150ms);
  }
  boost::system::error_code ec;
  socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  std::string reply;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);
  return {accepted && (!ec || ec == boost::asio::error::eof), reply};
}

// Defect 9: after 431 or 413 the client reads the answer; the connection is not reset while
// the client is still sending (the lingering read once threw on a full buffer).
TEST_F(HardeningTest, OversizedRequestsGetTheirAnswerNotAReset) {
  std::string big_header =
      "GET /api/events HTTP/1.1\r\nHost: t\r\nX-Padding: " + std::string(30000, 'a') + "\r\n\r\n";
  auto [accepted, reply] = slowExchange(port(), big_header);
  EXPECT_TRUE(accepted) << "the connection was reset";
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 431")) << reply.substr(0, 200);
  std::string big_body =
      "POST /api/basket HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
      "Content-Length: 200000\r\n\r\n" +
      std::string(200000, ' ');
  auto [body_accepted, body_reply] = slowExchange(port(), big_body);
  EXPECT_TRUE(body_accepted) << "the connection was reset";
  EXPECT_TRUE(body_reply.starts_with("HTTP/1.1 413")) << body_reply.substr(0, 200);
}

// Defect 4: no number an anonymous buyer sends overflows or becomes a server error.
TEST_F(HardeningTest, HugeQuantitiesAreRefusedNotSummed) {
  auto [type, event] = createEvent(port(), "2030-05-01T19:00:00Z", "2030-05-01T22:00:00Z");
  auto second_type =
      httpRequest(port(), "POST", "/api/admin/events/" + std::to_string(event) + "/ticket-types",
                  R"({"name":"VIP","price":5000,"currency":"GBP","capacity":5})", kAdmin);
  ASSERT_EQ(second_type.status, 201) << second_type.body;
  int64_t vip = 0;
  const auto updated = json::parse(second_type.body);
  for (const auto& t : updated.at("ticket_types").as_array()) {
    if (t.at("name") == "VIP") {
      vip = t.at("id").as_int64();
    }
  }
  for (const std::string quantity : {"9223372036854775807", "101", "4294967297"}) {
    auto r = httpRequest(port(), "POST", "/api/basket",
                         R"({"items":[{"ticket_type_id":)" + std::to_string(type) +
                             R"(,"quantity":1},{"ticket_type_id":)" + std::to_string(vip) +
                             R"(,"quantity":)" + quantity + "}]}",
                         kJson);
    EXPECT_EQ(r.status, 422) << quantity << ": " << r.body;
    EXPECT_EQ(json::parse(r.body).at("field"), "items.quantity") << r.body;
  }
  EXPECT_EQ(stats(port(), event).at("held"), 0);
}

// Defect 4: an admin number is validated before it is narrowed (4294967297 is not 1).
TEST_F(HardeningTest, PerOrderLimitIsValidatedBeforeItIsNarrowed) {
  auto r = httpRequest(port(), "POST", "/api/admin/events",
                       R"({"name":"N","venue":"V","starts_at":"2030-01-01T19:00:00Z",
                       "ends_at":"2030-01-01T22:00:00Z","timezone":"UTC",
                       "max_tickets_per_order":4294967297})",
                       kAdmin);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(json::parse(r.body).at("field"), "max_tickets_per_order");
}

// Defect 12: time zones are checked against the zone database, not only their spelling.
TEST_F(HardeningTest, UnknownTimeZonesAreRefused) {
  for (const std::string zone : {"Mars/Olympus", "Europe", "Europe/../../etc/passwd", "UTC/"}) {
    auto r = httpRequest(port(), "POST", "/api/admin/events",
                         R"({"name":"N","venue":"V","starts_at":"2030-01-01T19:00:00Z",
                         "ends_at":"2030-01-01T22:00:00Z","timezone":")" +
                             zone + R"("})",
                         kAdmin);
    EXPECT_EQ(r.status, 422) << zone << ": " << r.body;
  }
  auto known = httpRequest(port(), "POST", "/api/admin/events",
                           R"({"name":"N","venue":"V","starts_at":"2030-01-01T19:00:00Z",
                           "ends_at":"2030-01-01T22:00:00Z","timezone":"America/Argentina/Salta"})",
                           kAdmin);
  EXPECT_EQ(known.status, 201) << known.body;
}

// Defect 4: a cursor with an impossible start time is bad input (PostgreSQL gave 500).
TEST_F(HardeningTest, CursorOutOfRangeIsBadInput) {
  for (const std::string plain : {"e1:99999999999999:1", "e1:-99999999999:1"}) {
    auto r = httpGet(port(), "/api/events?cursor=" + base64urlEncode(plain));
    EXPECT_EQ(r.status, 400) << plain << ": " << r.body;
  }
}

// Found by fuzzing: what a problem body echoes of the request is valid UTF-8, so the body is
// valid JSON, and media types compare without regard to case.
TEST_F(HardeningTest, ProblemBodiesStayValidJsonWhateverIsEchoed) {
  std::string name = std::string(63, 'x') + "\xC3\xA9";  // the 64-byte cut falls inside the é
  auto member = httpRequest(port(), "POST", "/api/basket", "{\"" + name + "\":1}", kJson);
  EXPECT_EQ(member.status, 422);
  EXPECT_NO_THROW(json::parse(member.body)) << member.body;
  auto query = httpGet(port(), "/api/events?%FF=1");
  EXPECT_EQ(query.status, 400);
  EXPECT_NO_THROW(json::parse(query.body)) << query.body;
  auto upper = httpRequest(port(), "POST", "/api/basket", R"({"items":[]})",
                           {{"Content-Type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(upper.status, 422) << upper.body;  // parsed, then refused for being empty
}

// Defect 5: the access log names the route and hides codes and basket ids.
TEST_F(HardeningTest, AccessLogCarriesNoCredentials) {
  auto [type, event] = createEvent(port(), "2030-06-01T19:00:00Z", "2030-06-01T22:00:00Z");
  auto held = basket(port(), type, 1);
  auto paid = checkout(port(), held, "log-redaction");
  ASSERT_EQ(paid.status, 201);
  auto order = json::parse(paid.body).at("order").as_object();
  std::string ticket(order.at("tickets").at(0).at("code").as_string());
  std::string code(order.at("code").as_string());
  EXPECT_EQ(httpGet(port(), "/api/tickets/" + ticket + "/qr.svg").status, 200);
  EXPECT_EQ(httpGet(port(), "/api/basket/" + held).status, 410);
  EXPECT_EQ(httpGet(port(), "/api/tickets/" + ticket + "/qr.png").status, 404);
  httpRequest(port(), "GET", "/api/orders/" + code, "", {{"X-Order-Secret", "wrong"}});
  ASSERT_TRUE(server->waitForLog(R"("route":"/api/orders/{code}")", 5s));
  for (const auto& line : server->logLines()) {
    EXPECT_EQ(line.find(ticket), std::string::npos) << line;
    EXPECT_EQ(line.find(held), std::string::npos) << line;
    EXPECT_EQ(line.find(code), std::string::npos) << line;
  }
  EXPECT_TRUE(server->waitForLog(
      R"("route":"/api/tickets/{code}/qr.svg","path":"/api/tickets/***/qr.svg")", 1s));
}

// Defect 6: past the open file limit the accept loop neither spins nor floods the log.
TEST(AcceptUnderDescriptorExhaustion, NeitherSpinsNorFloods) {
  TestServer server(TestServer::Env{{"DB_POOL_SIZE", "2"}}, {}, {"prlimit", "--nofile=256:256"});
  auto clamped = server.waitForLog("MAX_CONNECTIONS lowered", 2s);
  ASSERT_TRUE(clamped) << "the limit was not fitted to the open file limit";
  EXPECT_NE(clamped->find(R"("open_file_limit":256)"), std::string::npos) << *clamped;

  auto cpu_seconds = [&] {
    std::ifstream stat("/proc/" + std::to_string(server.pid()) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // utime and stime are fields 14 and 15, counted after the command in parentheses.
    std::istringstream fields(all.substr(all.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) {
      fields >> skip;
    }
    long utime = 0, stime = 0;
    fields >> utime >> stime;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  };

  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> clients;
  const auto endpoint =
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port());
  for (int i = 0; i < 400; ++i) {
    clients.emplace_back(io);
    boost::system::error_code ec;
    clients.back().connect(endpoint, ec);
  }
  std::this_thread::sleep_for(300ms);
  const double before = cpu_seconds();
  std::this_thread::sleep_for(2s);
  const double used = cpu_seconds() - before;
  EXPECT_LT(used, 0.5) << "the server burnt CPU while its descriptors were used up";
  size_t refusals = 0;
  for (const auto& line : server.logLines()) {
    refusals += line.find("accept failed") != std::string::npos ||
                line.find("connection refused") != std::string::npos;
  }
  EXPECT_LE(refusals, 10u) << "refusals are logged at most once a second";
  clients.clear();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
}

// Defect 7: a pool busy with slow requests is a degraded service, not an unready pod.
TEST(ReadinessUnderABusyPool, StaysReady) {
  TestServer server(TestServer::Env{{"ADMIN_TOKEN", kToken},
                                    {"FAULT_INJECTION", "true"},
                                    {"DB_POOL_SIZE", "2"},
                                    {"DB_POOL_TIMEOUT_MS", "200"}});
  auto set = httpRequest(server.port(), "PUT", "/api/admin/faults",
                         R"({"database_latency_ms":1500})", kAdmin);
  ASSERT_EQ(set.status, 200) << set.body;
  std::vector<std::future<int>> busy;
  for (int i = 0; i < 6; ++i) {
    busy.push_back(std::async(std::launch::async, [&server, i] {
      return httpGet(server.port(), "/api/events/" + std::to_string(1000 + i)).status;
    }));
  }
  std::this_thread::sleep_for(300ms);
  auto ready = httpGet(server.port(), "/readiness");
  EXPECT_EQ(ready.status, 200) << ready.body;
  for (auto& f : busy) {
    f.get();
  }
  EXPECT_TRUE(server.waitForLog("connection pool exhausted", 1s)) << "the pool was not busy";
}

// Found by fuzzing: a ratio that is not a number (Boost.JSON reads 0e800 as NaN) is refused.
TEST(FaultSettings, RefuseARatioThatIsNotANumber) {
  TestServer server(TestServer::Env{{"ADMIN_TOKEN", kToken}, {"FAULT_INJECTION", "true"}});
  auto r = httpRequest(server.port(), "PUT", "/api/admin/faults",
                       R"({"routes":{"/api/events":{"error_ratio":0e800}}})", kAdmin);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NO_THROW(
      json::parse(httpRequest(server.port(), "GET", "/api/admin/faults", "", kAdmin).body));
}

// Defect 12: every handler has a deadline; past it the client gets 503 with a problem body.
TEST(HandlerDeadline, AnswersInTimeWith503) {
  TestServer server(TestServer::Env{
      {"ADMIN_TOKEN", kToken}, {"FAULT_INJECTION", "true"}, {"HANDLER_TIMEOUT_MS", "300"}});
  auto set = httpRequest(server.port(), "PUT", "/api/admin/faults",
                         R"({"routes":{"/api/events":{"latency_ms":3000}}})", kAdmin);
  ASSERT_EQ(set.status, 200) << set.body;
  const auto started = std::chrono::steady_clock::now();
  auto slow = httpGet(server.port(), "/api/events");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(slow.status, 503) << slow.body;
  EXPECT_EQ(problemType(slow), "/problems/timeout");
  EXPECT_EQ(slow.header("retry-after"), "1");
  EXPECT_LT(took, 2500ms) << "the client waited for the slow handler";
  EXPECT_TRUE(server.waitForLog("handler deadline passed", 1s));
  ASSERT_EQ(httpRequest(server.port(), "DELETE", "/api/admin/faults", "", kAdmin).status, 204);
  EXPECT_EQ(httpGet(server.port(), "/api/events").status, 200);
}

// Defect 8: a flood of distinct searches cannot take the workers a basket needs.
TEST(SearchFlood, LeavesWorkersForBaskets) {
  TestServer server(TestServer::Env{{"ADMIN_TOKEN", kToken},
                                    {"FAULT_INJECTION", "true"},
                                    {"DB_POOL_SIZE", "4"},
                                    {"DB_POOL_TIMEOUT_MS", "5000"}});
  auto [type, event] = createEvent(server.port(), "2030-07-01T19:00:00Z", "2030-07-01T22:00:00Z");
  auto set = httpRequest(server.port(), "PUT", "/api/admin/faults",
                         R"({"database_latency_ms":700})", kAdmin);
  ASSERT_EQ(set.status, 200) << set.body;
  std::vector<std::future<int>> searches;
  for (int i = 0; i < 16; ++i) {
    searches.push_back(std::async(std::launch::async, [&server, i] {
      return httpGet(server.port(), "/api/events?q=flood" + std::to_string(i)).status;
    }));
  }
  std::this_thread::sleep_for(200ms);
  auto held = httpRequest(
      server.port(), "POST", "/api/basket",
      R"({"items":[{"ticket_type_id":)" + std::to_string(type) + R"(,"quantity":1}]})", kJson);
  EXPECT_EQ(held.status, 201) << held.body;
  int shed = 0;
  for (auto& f : searches) {
    shed += f.get() == 429 ? 1 : 0;
  }
  EXPECT_GT(shed, 0) << "searches beyond their share were not shed";
  (void)event;
}

// Adaptive shedding: buyers keep the selling path busy while the database turns slow. Fewer
// buyers than the limit starts at, so nothing is shed until the latency rises; then the limit
// shrinks, the excess is shed with 429 and Retry-After, and no buyer gets a 5xx: without the
// adaptation all of them would queue for the three connections past the pool's timeout (503).
// The catalogue and the probes, which have workers of their own, keep answering.
TEST(SellingFlood, IsShedWith429BeforeTheDatabaseFails) {
  TestServer server(TestServer::Env{{"ADMIN_TOKEN", kToken},
                                    {"FAULT_INJECTION", "true"},
                                    {"DB_POOL_SIZE", "3"},
                                    {"WORKERS", "32"}});
  auto [type, event] =
      createEvent(server.port(), "2030-08-01T19:00:00Z", "2030-08-01T22:00:00Z", 1000000);
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<int, int> statuses;
  std::vector<std::string> retry_after;
  std::vector<std::thread> buyers;
  const std::string body =
      R"({"items":[{"ticket_type_id":)" + std::to_string(type) + R"(,"quantity":1}]})";
  for (int i = 0; i < 24; ++i) {
    buyers.emplace_back([&] {
      while (!stop) {
        auto r = httpRequest(server.port(), "POST", "/api/basket", body, kJson);
        std::lock_guard lock(mutex);
        ++statuses[r.status];
        if (r.status == 429) {
          retry_after.push_back(r.header("retry-after"));
        }
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  for (int latency : {20, 50, 100}) {
    auto set = httpRequest(server.port(), "PUT", "/api/admin/faults",
                           R"({"database_latency_ms":)" + std::to_string(latency) + "}", kAdmin);
    EXPECT_EQ(set.status, 200) << set.body;
    std::this_thread::sleep_for(600ms);
  }
  int catalogue_failures = 0;
  for (int i = 0; i < 12; ++i) {
    std::this_thread::sleep_for(150ms);
    catalogue_failures += httpGet(server.port(), "/api/events").status != 200;
    catalogue_failures += httpGet(server.port(), "/readiness").status != 200;
  }
  stop = true;
  for (auto& t : buyers) {
    t.join();
  }
  int server_errors = 0;
  for (const auto& [status, count] : statuses) {
    server_errors += status >= 500 ? count : 0;
  }
  EXPECT_EQ(server_errors, 0) << "buyers got 5xx (" << statuses[503] << " 503)";
  EXPECT_GT(statuses[429], 0) << "nothing was shed";
  EXPECT_GT(statuses[201], 0);
  EXPECT_EQ(catalogue_failures, 0);
  for (const auto& value : retry_after) {
    ASSERT_EQ(value, "1");
  }
  auto metrics = httpGet(server.port(), "/metrics").body;
  auto limit_at = metrics.find("http_concurrency_limit{budget=\"selling\"} ");
  ASSERT_NE(limit_at, std::string::npos);
  EXPECT_LT(std::stod(metrics.substr(limit_at + 41, 8)), 32) << "the limit never shrank";
  EXPECT_NE(metrics.find("http_requests_shed_total{endpoint=\"/api/basket\",method=\"POST\"}"),
            std::string::npos);
  (void)event;
}

}  // namespace
}  // namespace tickets::test
