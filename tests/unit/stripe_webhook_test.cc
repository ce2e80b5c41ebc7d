// Verifying Stripe's webhook signature (https://docs.stripe.com/webhooks#verify-manually) and
// reading the events ticketsd acts on.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "payments/stripe.h"

namespace tickets::payments {
namespace {

const SystemTime kNow{std::chrono::seconds(1'900'000'000)};
constexpr const char* kSecret = "whsec_test_secret";

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::string sign(const std::string& body, int64_t t, const std::string& secret = kSecret) {
  return "t=" + std::to_string(t) +
         ",v1=" + hex(hmacSha256(secret, std::to_string(t) + "." + body));
}

std::string event(const std::string& type, const std::string& payment_status = "paid") {
  return R"({"id":"evt_1","object":"event","type":")" + type +
         R"(","data":{"object":{"id":"cs_1","object":"checkout.session","client_reference_id":"ORDER1","payment_status":")" +
         payment_status + R"(","payment_intent":"pi_1"}}})";
}

const int64_t kT = 1'900'000'000;

TEST(StripeWebhook, ASignedCompletionIsAPayment) {
  const auto body = event("checkout.session.completed");
  auto verified = verifyWebhook(body, sign(body, kT), kSecret, kNow);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_EQ(verified->kind, PaymentEvent::Kind::kPaid);
  EXPECT_EQ(verified->id, "evt_1");
  EXPECT_EQ(verified->session_id, "cs_1");
  EXPECT_EQ(verified->order_code, "ORDER1");
  EXPECT_EQ(verified->payment_reference, "pi_1");
}

TEST(StripeWebhook, AnySignatureThatDoesNotVerifyIsRefused) {
  const auto body = event("checkout.session.completed");
  auto refused = [&](const std::string& header, const std::string& signed_body) {
    auto r = verifyWebhook(signed_body, header, kSecret, kNow);
    return !r && r.error().code == ErrorCode::kBadSignature;
  };
  EXPECT_TRUE(refused(sign(body, kT, "whsec_other"), body));  // another secret
  EXPECT_TRUE(refused(sign(body, kT), body + " "));           // the body changed
  EXPECT_TRUE(refused(sign(body, kT - 301), body));           // too old
  EXPECT_TRUE(refused(sign(body, kT + 301), body));           // from the future
  EXPECT_TRUE(refused("", body));                             // none
  EXPECT_TRUE(refused("v1=" + sign(body, kT).substr(sign(body, kT).find("v1=") + 3), body));
  EXPECT_TRUE(refused("t=abc,v1=00", body));                    // malformed time
  EXPECT_FALSE(verifyWebhook(body, sign(body, kT), "", kNow));  // no secret configured
  // Stripe may send several v1 signatures while a secret rolls: one that verifies is enough.
  EXPECT_TRUE(verifyWebhook(body, sign(body, kT) + ",v1=deadbeef", kSecret, kNow));
  EXPECT_TRUE(verifyWebhook(body,
                            "t=" + std::to_string(kT) + ",v1=deadbeef," +
                                sign(body, kT).substr(sign(body, kT).find("v1=")),
                            kSecret, kNow));
}

TEST(StripeWebhook, ReadsExpiryAsyncOutcomesAndIgnoresTheRest) {
  auto kind = [](const std::string& body) {
    return verifyWebhook(body, sign(body, kT), kSecret, kNow).value().kind;
  };
  EXPECT_EQ(kind(event("checkout.session.expired", "unpaid")), PaymentEvent::Kind::kExpired);
  // A delayed payment method completes the session unpaid: not paid yet.
  EXPECT_EQ(kind(event("checkout.session.completed", "unpaid")), PaymentEvent::Kind::kIgnored);
  EXPECT_EQ(kind(event("checkout.session.async_payment_succeeded")), PaymentEvent::Kind::kPaid);
  EXPECT_EQ(kind(event("checkout.session.async_payment_failed", "unpaid")),
            PaymentEvent::Kind::kExpired);
  EXPECT_EQ(kind(event("charge.refunded")), PaymentEvent::Kind::kIgnored);
  const std::string not_json = "not json";
  auto bad = verifyWebhook(not_json, sign(not_json, kT), kSecret, kNow);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tickets::payments
