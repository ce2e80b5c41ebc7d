#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <variant>

#include "storage/database_url.h"

namespace tickets {

// Everything ticketsd can be told, from the environment (12-factor) or the same-named flags.
struct Config {
  std::string host = "0.0.0.0";
  uint16_t port = 8000;
  std::string data_dir = "data";
  DatabaseUrl database;  // default: sqlite:<data_dir>/tickets.db
  std::string database_url_for_logs;
  size_t db_pool_size = 20;
  std::chrono::milliseconds db_pool_timeout{1000};
  std::string log_level = "info";
  unsigned threads = 2;
  // Threads that run blocking work (database calls), and so the most requests doing such work
  // at once; beyond that a request is shed with 429. 0: derived from the pool (workerThreads()).
  size_t workers = 0;
  std::chrono::seconds shutdown_drain{5};
  std::chrono::seconds shutdown_timeout{10};
  size_t max_connections = 10000;
  std::chrono::milliseconds catalogue_cache_ttl{1000};
  size_t catalogue_cache_bytes = 64 * 1024 * 1024;
  std::chrono::milliseconds handler_timeout{10000};
  std::chrono::seconds hold_ttl{600};
  int64_t hold_limit_per_client = 4;           // live baskets per client and event; 0: no limit
  std::chrono::hours hold_retention{24 * 30};  // ended baskets deleted after; 0: kept
  unsigned trusted_proxies = 0;  // proxies appending to X-Forwarded-For in front of us
  std::string queue_secret;      // signs waiting-room tokens; empty: kept in the database
  std::chrono::minutes queue_admission{15};
  bool seed_demo_data = false;
  std::string admin_token;  // the bootstrap admin credential; empty: there is none
  bool fault_injection = false;
  // Online payment (Stripe Checkout): both secrets, or neither (then priced public checkouts
  // are refused). The API base is Stripe's unless a test points it at a double on loopback.
  std::string stripe_secret_key;
  std::string stripe_webhook_secret;
  std::string stripe_api_base = "https://api.stripe.com";
  // Where buyers reach the shop (the web app), for the payment provider's return links.
  std::string public_base_url;  // default http://localhost:<port>
  // Emails to buyers: the SMTP server (smtp:// with STARTTLS, or smtps://; credentials in the
  // URL), the sender's address, and certificates to trust for it (empty: the system's). Unset
  // SMTP_URL: no emails are sent.
  std::string smtp_url;
  std::string mail_from;
  std::string smtp_ca_file;
  // How long a pending payment waits for Stripe's webhook before ticketsd asks Stripe.
  std::chrono::seconds payment_reconcile_after{60};
  // The built web app to serve at / (WEB_ROOT); empty: none. Unset, web/dist is used when it
  // holds an index.html.
  std::string web_root;

  // Fixed limits; not settings because no operator should need to change them.
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds idle_timeout{60};
};

// Either a configuration to run with, or the exit code of a run that ends here (--help,
// --version, or invalid settings after one line on `err` naming the variable and the problem).
using ConfigOutcome = std::variant<Config, int>;

ConfigOutcome parseConfig(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tickets
