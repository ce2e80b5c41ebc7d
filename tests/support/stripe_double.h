#pragma once

#include <cstdint>
#include <string>

#include <boost/json/value.hpp>

#include "support/temp_dir.h"

namespace tickets::test {

// The test double of Stripe's Checkout API (tests/doubles/stripe_double.py), started on a free
// loopback port and stopped when destroyed. Its control API (/_double/...) drives payments.
class StripeDouble {
 public:
  static constexpr const char* kSecretKey = "sk_test_double";
  static constexpr const char* kWebhookSecret = "whsec_test_double";

  StripeDouble();
  ~StripeDouble();
  StripeDouble(const StripeDouble&) = delete;
  StripeDouble& operator=(const StripeDouble&) = delete;

  uint16_t port() const { return port_; }
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // A call of the control API; fails the test unless it answers 2xx. Returns the JSON answer.
  boost::json::value control(const std::string& method, const std::string& path,
                             const std::string& body = "{}");

 private:
  TempDir dir_;
  int pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace tickets::test
