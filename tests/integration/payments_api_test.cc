// Paying online, end to end: the real binary against the test double of Stripe's Checkout API
// (tests/doubles/stripe_double.py), which sends signed webhooks back to it. Pending orders,
// webhooks in any order, late payments, a lost webhook, the provider down, refunds through the
// outbox, and a crash between a refund's commit and its delivery.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <thread>

#include "support/http_client.h"
#include "support/stripe_double.h"
#include "support/test_server.h"

namespace tickets::test {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono_literals;

const std::string kToken = "payments-admin-token-0123456789";
const Headers kJson = {{"Content-Type", "application/json"}};
const Headers kAdmin = {{"Content-Type", "application/json"},
                        {"Authorization", "Bearer " + kToken}};

// Polls `done` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

class PaymentsApiTest : public ::testing::Test {
 protected:
  // A shop selling online through the double, the double's webhooks pointed at it.
  void start(TestServer::Env extra = {}) {
    TestServer::Env env{{"ADMIN_TOKEN", kToken},
                        {"STRIPE_SECRET_KEY", StripeDouble::kSecretKey},
                        {"STRIPE_WEBHOOK_SECRET", StripeDouble::kWebhookSecret},
                        {"STRIPE_API_BASE", stripe.baseUrl()},
                        {"PUBLIC_BASE_URL", "https://shop.example"},
                        {"PAYMENT_RECONCILE_AFTER_SECONDS", "2"}};
    if (!data_dir.empty()) {
      env["DATA_DIR"] = data_dir;
    }
    for (auto& [k, v] : extra) {
      env[k] = v;
    }
    server = std::make_unique<TestServer>(env);
    stripe.control("POST", "/_double/config",
                   R"({"webhook_url":"http://127.0.0.1:)" + std::to_string(server->port()) +
                       R"(/api/payments/stripe/webhook","webhook_secret":")" +
                       StripeDouble::kWebhookSecret + R"("})");
  }

  uint16_t port() const { return server->port(); }

  // An on-sale event with one ticket type of `capacity` at 25.00; returns its ticket type id.
  int64_t createEvent(int64_t capacity, int64_t price = 2500) {
    auto r = httpRequest(port(), "POST", "/api/admin/events",
                         R"({"name":"Paid Night","venue":"Hall","starts_at":"2030-01-01T19:00:00Z",
        "ends_at":"2030-01-01T22:00:00Z","timezone":"Europe/London","status":"on_sale",
        "ticket_types":[{"name":"GA","price":)" +
                             std::to_string(price) + R"(,"currency":"GBP","capacity":)" +
                             std::to_string(capacity) + "}]}",
                         kAdmin);
    EXPECT_EQ(r.status, 201) << r.body;
    event_id = json::parse(r.body).at("id").as_int64();
    return json::parse(r.body).at("ticket_types").as_array()[0].at("id").as_int64();
  }

  std::string basket(int64_t type, int64_t quantity) {
    auto r = httpRequest(port(), "POST", "/api/basket",
                         R"({"items":[{"ticket_type_id":)" + std::to_string(type) +
                             R"(,"quantity":)" + std::to_string(quantity) + "}]}",
                         kJson);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(json::parse(r.body).at("id").as_string()) : "";
  }

  HttpResult checkout(const std::string& basket_id, const std::string& key,
                      const Headers& headers = kJson) {
    Headers h = headers;
    h.emplace_back("Idempotency-Key", key);
    return httpRequest(
        port(), "POST", "/api/checkout",
        R"({"basket_id":")" + basket_id + R"(","email":"ann@example.com","name":"Ann"})", h);
  }

  json::object order(const std::string& code, const std::string& secret) {
    auto r = httpRequest(port(), "GET", "/api/orders/" + code, "", {{"X-Order-Secret", secret}});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("order").as_object();
  }

  std::string status(const std::string& code, const std::string& secret) {
    return std::string(order(code, secret).at("status").as_string());
  }

  json::object stats() {
    auto r = httpRequest(port(), "GET", "/api/admin/events/" + std::to_string(event_id) + "/stats",
                         "", kAdmin);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }

  // The double's session of a payment_url (…/pay/<id>).
  static std::string sessionOf(const json::object& pending) {
    std::string url(pending.at("payment_url").as_string());
    return url.substr(url.rfind('/') + 1);
  }

  json::array refunds() { return stripe.control("GET", "/_double/refunds").at("data").as_array(); }

  double metric(const std::string& series) {
    auto body = httpGet(port(), "/metrics").body;
    auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + series.size() + 2));
  }

  StripeDouble stripe;
  std::unique_ptr<TestServer> server;
  std::string data_dir;
  int64_t event_id = 0;
};

TEST_F(PaymentsApiTest, APaidSessionTurnsThePendingOrderIntoTickets) {
  start();
  const int64_t type = createEvent(10);
  const std::string id = basket(type, 2);
  auto created = checkout(id, "pay-1");
  ASSERT_EQ(created.status, 201) << created.body;
  auto pending = json::parse(created.body).at("order").as_object();
  const std::string code(pending.at("code").as_string());
  const std::string secret(pending.at("secret").as_string());
  EXPECT_EQ(pending.at("status").as_string(), "pending_payment");
  EXPECT_EQ(pending.at("payment_provider").as_string(), "stripe");
  EXPECT_TRUE(pending.at("tickets").as_array().empty());
  EXPECT_EQ(std::string(pending.at("payment_url").as_string()).rfind(stripe.baseUrl() + "/pay/", 0),
            0u);
  // The basket's stock stays held while the buyer pays, and the basket cannot be deleted.
  EXPECT_EQ(stats().at("held").as_int64(), 2);
  EXPECT_EQ(httpRequest(port(), "DELETE", "/api/basket/" + id).status, 409);

  // What Stripe was asked: the amount, the order as reference, return links, an idempotency key.
  auto requests = stripe.control("GET", "/_double/requests").at("data").as_array();
  ASSERT_EQ(requests.size(), 1u);
  const auto& params = requests[0].at("params").as_object();
  EXPECT_EQ(params.at("client_reference_id").as_string(), code);
  EXPECT_EQ(params.at("success_url").as_string(),
            "https://shop.example/orders/" + code + "?payment=done");
  EXPECT_EQ(requests[0].at("idempotency_key").as_string(), "tickets-session-" + code);
  const std::string session = sessionOf(pending);
  auto stored = stripe.control("GET", "/_double/sessions/" + session).as_object();
  EXPECT_EQ(stored.at("amount_total").as_int64(), 5000);
  EXPECT_EQ(stored.at("currency").as_string(), "gbp");

  // The buyer pays; Stripe's signed webhook settles the order.
  auto done = stripe.control("POST", "/_double/sessions/" + session + "/complete");
  ASSERT_EQ(done.at("delivery").at("status").as_int64(), 200) << json::serialize(done);
  auto paid = order(code, secret);
  EXPECT_EQ(paid.at("status").as_string(), "paid");
  EXPECT_EQ(paid.at("tickets").as_array().size(), 2u);
  EXPECT_FALSE(paid.contains("payment_url"));
  EXPECT_EQ(stats().at("sold").as_int64(), 2);
  EXPECT_EQ(stats().at("held").as_int64(), 0);
  EXPECT_EQ(metric(R"(payments_total{provider="stripe",result="paid"})"), 1);

  // The same checkout again answers the paid order; a replayed webhook changes nothing.
  auto replay = checkout(id, "pay-1");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(json::parse(replay.body).at("order").at("status").as_string(), "paid");
  const std::string event_id_text(done.at("event").at("id").as_string());
  auto again = stripe.control("POST", "/_double/events/" + event_id_text + "/resend");
  EXPECT_EQ(again.at("delivery").at("status").as_int64(), 200);
  EXPECT_NE(std::string(again.at("delivery").at("body").as_string()).find("duplicate"),
            std::string::npos);
  EXPECT_EQ(order(code, secret).at("tickets").as_array().size(), 2u);
  EXPECT_EQ(stats().at("sold").as_int64(), 2);
}

TEST_F(PaymentsApiTest, AWebhookThatDoesNotVerifyChangesNothing) {
  start();
  const int64_t type = createEvent(10);
  auto pending = json::parse(checkout(basket(type, 1), "sig-1").body).at("order").as_object();
  const std::string code(pending.at("code").as_string());
  const std::string secret(pending.at("secret").as_string());
  auto session = stripe.control("GET", "/_double/sessions/" + sessionOf(pending));
  // A completed session's event, signed with another secret, then with a stale timestamp.
  json::object event{{"id", "evt_forged"},
                     {"object", "event"},
                     {"type", "checkout.session.completed"},
                     {"data", {{"object", session}}}};
  event["data"].as_object()["object"].as_object()["status"] = "complete";
  event["data"].as_object()["object"].as_object()["payment_status"] = "paid";
  event["data"].as_object()["object"].as_object()["payment_intent"] = "pi_forged";
  for (const char* signature : {"bad", "stale"}) {
    auto sent =
        stripe.control("POST", "/_double/send",
                       json::serialize(json::object{{"event", event}, {"signature", signature}}));
    EXPECT_EQ(sent.at("delivery").at("status").as_int64(), 401) << signature;
  }
  auto unsigned_post =
      httpRequest(port(), "POST", "/api/payments/stripe/webhook", json::serialize(event), kJson);
  EXPECT_EQ(unsigned_post.status, 401);
  EXPECT_EQ(unsigned_post.header("content-type"), "application/problem+json");
  EXPECT_EQ(status(code, secret), "pending_payment");
  EXPECT_EQ(stats().at("sold").as_int64(), 0);
}

TEST_F(PaymentsApiTest, ALatePaymentGetsTheStockIfLeftAndIsRefundedIfNot) {
  start();
  const int64_t type = createEvent(2);
  // Left: the session expires (stock back), then the money comes after all.
  auto first = json::parse(checkout(basket(type, 1), "late-1").body).at("order").as_object();
  const std::string first_session = sessionOf(first);
  stripe.control("POST", "/_double/sessions/" + first_session + "/expire");
  EXPECT_EQ(status(std::string(first.at("code").as_string()),
                   std::string(first.at("secret").as_string())),
            "expired");
  EXPECT_EQ(stats().at("held").as_int64(), 0);
  auto late = stripe.control("POST", "/_double/sessions/" + first_session + "/complete",
                             R"({"force":true})");
  EXPECT_EQ(late.at("delivery").at("status").as_int64(), 200);
  EXPECT_EQ(status(std::string(first.at("code").as_string()),
                   std::string(first.at("secret").as_string())),
            "paid");

  // Gone: this session expires, a box-office sale takes the last ticket, then the money comes.
  auto second = json::parse(checkout(basket(type, 1), "late-2").body).at("order").as_object();
  const std::string code(second.at("code").as_string());
  const std::string secret(second.at("secret").as_string());
  stripe.control("POST", "/_double/sessions/" + sessionOf(second) + "/expire");
  ASSERT_EQ(checkout(basket(type, 1), "box-office-1", kAdmin).status, 201);
  auto after_all = stripe.control("POST", "/_double/sessions/" + sessionOf(second) + "/complete",
                                  R"({"force":true})");
  EXPECT_EQ(after_all.at("delivery").at("status").as_int64(), 200);
  auto refunded = order(code, secret);
  EXPECT_EQ(refunded.at("status").as_string(), "refunded");
  EXPECT_TRUE(refunded.at("tickets").as_array().empty());
  EXPECT_NE(std::string(refunded.at("status_reason").as_string()).find("sold out"),
            std::string::npos);
  EXPECT_EQ(stats().at("sold").as_int64(), 2);  // never oversold
  // The money goes back, through the outbox, in full and once.
  ASSERT_TRUE(eventually([&] { return refunds().size() == 1; })) << json::serialize(refunds());
  const auto all = refunds();
  const auto& refund = all[0].as_object();
  EXPECT_EQ(refund.at("amount").as_int64(), 2500);
  EXPECT_EQ(refund.at("payment_intent"),
            after_all.at("event").at("data").at("object").at("payment_intent"));
  EXPECT_EQ(metric(R"(refunds_total{reason="late_payment"})"), 1);
  EXPECT_EQ(metric(R"(payments_total{provider="stripe",result="refunded_late"})"), 1);
}

TEST_F(PaymentsApiTest, ALostWebhookIsSettledByAskingStripe) {
  start();
  const int64_t type = createEvent(10);
  auto pending = json::parse(checkout(basket(type, 1), "lost-1").body).at("order").as_object();
  const std::string code(pending.at("code").as_string());
  const std::string secret(pending.at("secret").as_string());
  auto done = stripe.control("POST", "/_double/sessions/" + sessionOf(pending) + "/complete",
                             R"({"send_webhook":false})");
  EXPECT_TRUE(done.at("delivery").is_null());
  ASSERT_TRUE(eventually([&] { return status(code, secret) == "paid"; }, 20s))
      << status(code, secret);
  EXPECT_EQ(order(code, secret).at("tickets").as_array().size(), 1u);
  ASSERT_TRUE(server->waitForLog("payments settled by reconciliation", 1s));
}

TEST_F(PaymentsApiTest, WithTheProviderDownCheckoutIs503AndNothingIsHeldForever) {
  start({{"HOLD_TTL_SECONDS", "2"}});
  const int64_t type = createEvent(10);
  const std::string id = basket(type, 1);
  stripe.control("POST", "/_double/config", R"({"down":true})");
  auto refused = checkout(id, "down-1");
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("type").as_string(),
            "/problems/payment-provider-unavailable");
  EXPECT_FALSE(refused.header("retry-after").empty());
  EXPECT_EQ(metric(R"(payments_total{provider="stripe",result="failed"})"), 1);
  // The basket's hold runs out as any other; the stock comes back.
  ASSERT_TRUE(eventually([&] { return stats().at("held").as_int64() == 0; }, 20s));
  EXPECT_EQ(stats().at("sold").as_int64(), 0);
}

TEST_F(PaymentsApiTest, ADoubleClickMakesOneSession) {
  start();
  const int64_t type = createEvent(10);
  const std::string id = basket(type, 1);
  auto a = std::async(std::launch::async, [&] { return checkout(id, "double-click"); });
  auto b = std::async(std::launch::async, [&] { return checkout(id, "double-click"); });
  auto ra = a.get();
  auto rb = b.get();
  ASSERT_LT(ra.status, 300) << ra.body;
  ASSERT_LT(rb.status, 300) << rb.body;
  EXPECT_EQ(json::parse(ra.body).at("order").at("code"),
            json::parse(rb.body).at("order").at("code"));
  EXPECT_EQ(json::parse(ra.body).at("order").at("payment_url"),
            json::parse(rb.body).at("order").at("payment_url"));
  EXPECT_EQ(stripe.control("GET", "/_double/sessions").at("data").as_array().size(), 1u);
  // Another checkout of the same basket is refused while it is being paid for.
  EXPECT_EQ(checkout(id, "another-key").status, 409);
}

TEST_F(PaymentsApiTest, PublicPricedCheckoutNeedsAProviderFreeAndStaffCheckoutsDoNot) {
  // This shop has no online payment configured.
  server = std::make_unique<TestServer>(TestServer::Env{{"ADMIN_TOKEN", kToken}});
  const int64_t priced = createEvent(10);
  auto refused = checkout(basket(priced, 1), "no-provider");
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(json::parse(refused.body).at("type").as_string(), "/problems/payments-not-configured");
  EXPECT_EQ(stats().at("sold").as_int64(), 0);
  auto staff = checkout(basket(priced, 1), "box-office", kAdmin);
  ASSERT_EQ(staff.status, 201) << staff.body;
  EXPECT_EQ(json::parse(staff.body).at("order").at("status").as_string(), "paid");
  EXPECT_EQ(json::parse(staff.body).at("order").at("payment_provider").as_string(), "box_office");
  const int64_t free_type = createEvent(10, 0);
  auto free_order = checkout(basket(free_type, 1), "free");
  ASSERT_EQ(free_order.status, 201) << free_order.body;
  EXPECT_EQ(json::parse(free_order.body).at("order").at("tickets").as_array().size(), 1u);
  // A credential that does not verify is refused, never taken for a buyer.
  EXPECT_EQ(
      checkout(basket(priced, 1), "bad-token",
               {{"Content-Type", "application/json"}, {"Authorization", "Bearer wrong-token-0000"}})
          .status,
      401);
  // Webhooks without a provider: 503.
  EXPECT_EQ(httpRequest(port(), "POST", "/api/payments/stripe/webhook", "{}", kJson).status, 503);
}

TEST_F(PaymentsApiTest, CancellingRefundsThroughTheOutboxAndStaffRefundOneTicket) {
  start();
  const int64_t type = createEvent(10);
  auto pending = json::parse(checkout(basket(type, 3), "refund-1").body).at("order").as_object();
  const std::string code(pending.at("code").as_string());
  const std::string secret(pending.at("secret").as_string());
  auto done = stripe.control("POST", "/_double/sessions/" + sessionOf(pending) + "/complete");
  const auto intent = done.at("event").at("data").at("object").at("payment_intent");
  auto paid = order(code, secret);
  ASSERT_EQ(paid.at("tickets").as_array().size(), 3u);
  const std::string ticket(paid.at("tickets").as_array()[0].at("code").as_string());

  // Staff cancel one ticket: 25.00 back, its stock too.
  auto partial = httpRequest(
      port(), "POST", "/api/admin/orders/" + code + "/tickets/" + ticket + "/cancel", "", kAdmin);
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(json::parse(partial.body).at("order").at("status").as_string(), "partially_refunded");
  EXPECT_EQ(json::parse(partial.body).at("order").at("refunded").as_int64(), 2500);
  EXPECT_EQ(httpRequest(port(), "POST",
                        "/api/admin/orders/" + code + "/tickets/" + ticket + "/cancel", "", kAdmin)
                .status,
            410);
  EXPECT_EQ(httpRequest(port(), "POST",
                        "/api/admin/orders/" + code + "/tickets/" + ticket + "/cancel", "", kJson)
                .status,
            401);
  EXPECT_EQ(stats().at("sold").as_int64(), 2);

  // The buyer cancels the rest: 50.00 back.
  auto cancelled = httpRequest(port(), "POST", "/api/orders/" + code + "/cancel", "",
                               {{"X-Order-Secret", secret}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(json::parse(cancelled.body).at("order").at("status").as_string(), "refunded");
  EXPECT_EQ(stats().at("sold").as_int64(), 0);
  ASSERT_TRUE(eventually([&] { return refunds().size() == 2; })) << json::serialize(refunds());
  int64_t total = 0;
  for (const auto& refund : refunds()) {
    EXPECT_EQ(refund.at("payment_intent"), intent);
    total += refund.at("amount").as_int64();
  }
  EXPECT_EQ(total, 7500);
  EXPECT_EQ(metric(R"(refunds_total{reason="ticket_cancelled"})"), 1);
  EXPECT_EQ(metric(R"(refunds_total{reason="order_cancelled"})"), 1);
  ASSERT_TRUE(eventually([&] {
    return metric(R"(outbox_deliveries_total{kind="payment.refund",result="delivered"})") == 2;
  }));
  auto delivered = httpRequest(port(), "GET", "/api/admin/outbox?state=delivered", "", kAdmin);
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  EXPECT_EQ(json::parse(delivered.body).at("messages").as_array().size(), 2u);
}

TEST_F(PaymentsApiTest, ARefundCommittedBeforeACrashIsDeliveredOnceAfterTheRestart) {
  TempDir data;
  data_dir = data.path();
  start();
  const int64_t type = createEvent(10);
  auto pending = json::parse(checkout(basket(type, 1), "crash-1").body).at("order").as_object();
  const std::string code(pending.at("code").as_string());
  const std::string secret(pending.at("secret").as_string());
  stripe.control("POST", "/_double/sessions/" + sessionOf(pending) + "/complete");
  ASSERT_EQ(status(code, secret), "paid");
  // The provider is down when the order is cancelled: the refund waits in the outbox.
  stripe.control("POST", "/_double/config", R"({"down":true})");
  ASSERT_EQ(httpRequest(port(), "POST", "/api/orders/" + code + "/cancel", "",
                        {{"X-Order-Secret", secret}})
                .status,
            200);
  ASSERT_TRUE(server->waitForLog("outbox delivery failed", 10s));
  auto waiting = httpRequest(port(), "GET", "/api/admin/outbox", "", kAdmin);
  ASSERT_EQ(json::parse(waiting.body).at("messages").as_array().size(), 1u) << waiting.body;
  server->signal(SIGKILL);
  server->waitForExit(10s);
  server.reset();
  stripe.control("POST", "/_double/config", R"({"down":false})");
  start();
  // Due again after its backoff (5 s): delivered once, with the idempotency key of its message.
  ASSERT_TRUE(eventually([&] { return refunds().size() == 1; }, 20s));
  std::this_thread::sleep_for(2s);
  ASSERT_EQ(refunds().size(), 1u);
  EXPECT_EQ(refunds()[0].at("amount").as_int64(), 2500);
}

}  // namespace
}  // namespace tickets::test
