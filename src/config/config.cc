#include "config/config.h"

#include <filesystem>

#include <CLI/CLI.hpp>

#include <charconv>
#include <optional>
#include <ostream>
#include <thread>

#include "tickets/version.h"

namespace tickets {
namespace {

struct Invalid {
  std::string message;
};

template <class T>
std::optional<T> parseInteger(const std::string& text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

template <class T>
T integerSetting(const std::string& name, const std::string& text, T min, T max) {
  auto value = parseInteger<T>(text);
  if (!value || *value < min || *value > max) {
    throw Invalid{"invalid " + name + "=\"" + text + "\": must be an integer from " +
                  std::to_string(min) + " to " + std::to_string(max)};
  }
  return *value;
}

bool booleanSetting(const std::string& name, const std::string& text) {
  if (text == "1" || text == "true" || text == "yes" || text == "on") {
    return true;
  }
  if (text == "0" || text == "false" || text == "no" || text == "off" || text.empty()) {
    return false;
  }
  throw Invalid{"invalid " + name + "=\"" + text + "\": must be true or false"};
}

}  // namespace

ConfigOutcome parseConfig(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  Config config;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());

  std::string port = "8000";
  std::string host = config.host;
  std::string database_url;
  std::string data_dir = config.data_dir;
  std::string pool_size = "20";
  std::string pool_timeout = "1000";
  std::string log_level = config.log_level;
  std::string threads = std::to_string(cores);
  std::string workers = "0";
  std::string drain = "5";
  std::string shutdown_timeout = "10";
  std::string max_connections = "10000";
  std::string cache_ms = "1000";
  std::string cache_bytes = std::to_string(config.catalogue_cache_bytes);
  std::string handler_timeout = "10000";
  std::string hold_ttl = "600";
  std::string hold_limit = "4";
  std::string hold_retention = "30";
  std::string trusted_proxies = "0";
  std::string queue_secret;
  std::string queue_admission = "15";
  std::string seed = "false";
  std::string admin_token;
  std::string fault_injection = "false";
  std::string stripe_secret_key;
  std::string stripe_webhook_secret;
  std::string stripe_api_base = config.stripe_api_base;
  std::string public_base_url;
  std::string reconcile_after = "60";
  std::string smtp_url;
  std::string mail_from;
  std::string smtp_ca_file;

  CLI::App app{"ticketsd: the tickets event-ticketing service", "ticketsd"};
  app.set_version_flag("--version",
                       std::string("ticketsd ") + kVersion + " (revision " + kRevision + ")");
  app.add_option("--port", port, "TCP port to listen on")->envname("PORT")->capture_default_str();
  app.add_option("--host", host, "Address to listen on")->envname("HOST")->capture_default_str();
  app.add_option("--database-url", database_url,
                 "sqlite:PATH, postgres://... or postgresql://... "
                 "(default: sqlite:DATA_DIR/tickets.db)")
      ->envname("DATABASE_URL");
  app.add_option("--data-dir", data_dir, "Directory for the embedded database")
      ->envname("DATA_DIR")
      ->capture_default_str();
  std::string web_root;
  app.add_option("--web-root", web_root,
                 "The built web app served at / (default: web/dist when it holds an index.html; "
                 "unset and absent: API only)")
      ->envname("WEB_ROOT");
  app.add_option("--db-pool-size", pool_size, "Database connections per process")
      ->envname("DB_POOL_SIZE")
      ->capture_default_str();
  app.add_option("--db-pool-timeout-ms", pool_timeout,
                 "Longest wait for a free connection before answering 503")
      ->envname("DB_POOL_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->envname("LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--threads", threads, "I/O threads (default: the number of cores)")
      ->envname("THREADS")
      ->capture_default_str();
  app.add_option("--workers", workers,
                 "Threads for database work: the most requests at the database at once, "
                 "beyond which requests are shed with 429 (0: the larger of 64 and "
                 "2 x DB_POOL_SIZE + 2); the buyer's routes have as many again of their own")
      ->envname("WORKERS")
      ->capture_default_str();
  app.add_option("--shutdown-drain-seconds", drain,
                 "After SIGTERM, seconds to keep serving while readiness fails")
      ->envname("SHUTDOWN_DRAIN_SECONDS")
      ->capture_default_str();
  app.add_option("--shutdown-timeout-seconds", shutdown_timeout,
                 "After draining, longest wait for in-flight requests")
      ->envname("SHUTDOWN_TIMEOUT_SECONDS")
      ->capture_default_str();
  app.add_option("--max-connections", max_connections, "Open client connections at most")
      ->envname("MAX_CONNECTIONS")
      ->capture_default_str();
  app.add_option("--catalogue-cache-ms", cache_ms,
                 "Longest staleness of cached catalogue responses (0 disables the cache)")
      ->envname("CATALOGUE_CACHE_MS")
      ->capture_default_str();
  app.add_option("--catalogue-cache-bytes", cache_bytes,
                 "Most memory the catalogue response cache may use, in bytes")
      ->envname("CATALOGUE_CACHE_BYTES")
      ->capture_default_str();
  app.add_option("--handler-timeout-ms", handler_timeout,
                 "Longest time a request may take in its handler before it is answered 503")
      ->envname("HANDLER_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--hold-ttl-seconds", hold_ttl, "How long a basket holds its tickets")
      ->envname("HOLD_TTL_SECONDS")
      ->capture_default_str();
  app.add_option("--hold-limit-per-client", hold_limit,
                 "Live baskets of one event a client may hold at once (0: no limit)")
      ->envname("HOLD_LIMIT_PER_CLIENT")
      ->capture_default_str();
  app.add_option("--hold-retention-days", hold_retention,
                 "Days an ended (released or expired) basket is kept before it is deleted "
                 "(0: kept forever)")
      ->envname("HOLD_RETENTION_DAYS")
      ->capture_default_str();
  app.add_option("--trusted-proxies", trusted_proxies,
                 "Proxies in front of ticketsd that append to X-Forwarded-For (e.g. 1 behind "
                 "one load balancer): the client is the address the farthest of them saw "
                 "(0: the peer address)")
      ->envname("TRUSTED_PROXIES")
      ->capture_default_str();
  app.add_option("--queue-secret", queue_secret,
                 "Key that signs waiting-room tokens, the same on every replica, at least 32 "
                 "characters (unset: one generated once and kept in the database)")
      ->envname("QUEUE_SECRET");
  app.add_option("--queue-admission-minutes", queue_admission,
                 "How long a buyer admitted from a waiting room may make their basket")
      ->envname("QUEUE_ADMISSION_MINUTES")
      ->capture_default_str();
  app.add_option("--seed-demo-data", seed, "Load demo events into an empty database")
      ->envname("SEED_DEMO_DATA")
      ->capture_default_str();

  app.add_option("--admin-token", admin_token,
                 "Bootstrap admin bearer token (unset: only scoped API tokens are accepted)")
      ->envname("ADMIN_TOKEN");
  app.add_option("--fault-injection", fault_injection,
                 "Enable the /api/admin/faults drill API (never in normal operation)")
      ->envname("FAULT_INJECTION")
      ->capture_default_str();

  app.add_option("--stripe-secret-key", stripe_secret_key,
                 "Stripe secret API key: priced checkouts are paid through Stripe Checkout "
                 "(unset: priced public checkouts are refused)")
      ->envname("STRIPE_SECRET_KEY");
  app.add_option("--stripe-webhook-secret", stripe_webhook_secret,
                 "Signing secret of the Stripe webhook endpoint /api/payments/stripe/webhook")
      ->envname("STRIPE_WEBHOOK_SECRET");
  app.add_option("--stripe-api-base", stripe_api_base,
                 "Base URL of Stripe's API (https; http only to a loopback address)")
      ->envname("STRIPE_API_BASE")
      ->capture_default_str();
  app.add_option("--public-base-url", public_base_url,
                 "Where buyers reach the shop, for payment return links (default "
                 "http://localhost:PORT)")
      ->envname("PUBLIC_BASE_URL");
  app.add_option("--smtp-url", smtp_url,
                 "SMTP server for emails to buyers: smtp://[user:password@]host[:port] "
                 "(STARTTLS, required unless on loopback) or smtps://... (unset: no emails)")
      ->envname("SMTP_URL");
  app.add_option("--mail-from", mail_from, "The address emails to buyers come from")
      ->envname("MAIL_FROM");
  app.add_option("--smtp-ca-file", smtp_ca_file,
                 "PEM certificates to trust for the SMTP server (unset: the system's)")
      ->envname("SMTP_CA_FILE");
  app.add_option("--payment-reconcile-after-seconds", reconcile_after,
                 "How long a pending payment waits for the provider's webhook before ticketsd "
                 "asks the provider (a lost webhook), and then at most once per this long")
      ->envname("PAYMENT_RECONCILE_AFTER_SECONDS")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "ticketsd: " << e.what() << " (see ticketsd --help)\n";
    return 2;
  }

  try {
    config.port = integerSetting<uint16_t>("PORT", port, 0, 65535);
    if (host.empty()) {
      throw Invalid{"invalid HOST: must not be empty"};
    }
    config.host = host;
    if (data_dir.empty()) {
      throw Invalid{"invalid DATA_DIR: must not be empty"};
    }
    config.data_dir = data_dir;
    if (!web_root.empty()) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(std::filesystem::path(web_root) / "index.html", ec)) {
        throw Invalid{"invalid WEB_ROOT: " + web_root +
                      " has no index.html (build the web app: cd web && npm ci && npm run build)"};
      }
      config.web_root = web_root;
    } else if (std::error_code ec; std::filesystem::is_regular_file("web/dist/index.html", ec)) {
      config.web_root = "web/dist";
    }
    if (database_url.empty()) {
      database_url = "sqlite:" + data_dir + "/tickets.db";
    }
    std::string url_error;
    auto url = parseDatabaseUrl(database_url, url_error);
    if (!url) {
      throw Invalid{"invalid DATABASE_URL: " + url_error};
    }
    config.database = *url;
    config.database_url_for_logs = redactDatabaseUrl(database_url);
    config.db_pool_size = integerSetting<size_t>("DB_POOL_SIZE", pool_size, 1, 1000);
    config.db_pool_timeout = std::chrono::milliseconds(
        integerSetting<int64_t>("DB_POOL_TIMEOUT_MS", pool_timeout, 1, 60000));
    static const std::array<std::string_view, 6> levels = {"trace", "debug", "info",
                                                           "warn",  "error", "off"};
    if (std::find(levels.begin(), levels.end(), log_level) == levels.end()) {
      throw Invalid{"invalid LOG_LEVEL=\"" + log_level +
                    "\": must be trace, debug, info, warn, error or off"};
    }
    config.log_level = log_level;
    config.threads = integerSetting<unsigned>("THREADS", threads, 1, 256);
    config.workers = integerSetting<size_t>("WORKERS", workers, 0, 4096);
    config.shutdown_drain =
        std::chrono::seconds(integerSetting<int64_t>("SHUTDOWN_DRAIN_SECONDS", drain, 0, 300));
    config.shutdown_timeout = std::chrono::seconds(
        integerSetting<int64_t>("SHUTDOWN_TIMEOUT_SECONDS", shutdown_timeout, 1, 300));
    config.max_connections =
        integerSetting<size_t>("MAX_CONNECTIONS", max_connections, 1, 1'000'000);
    config.catalogue_cache_ttl =
        std::chrono::milliseconds(integerSetting<int64_t>("CATALOGUE_CACHE_MS", cache_ms, 0, 1000));
    config.catalogue_cache_bytes =
        integerSetting<size_t>("CATALOGUE_CACHE_BYTES", cache_bytes, 1024 * 1024, size_t{1} << 40);
    config.handler_timeout = std::chrono::milliseconds(
        integerSetting<int64_t>("HANDLER_TIMEOUT_MS", handler_timeout, 100, 600000));
    config.hold_ttl =
        std::chrono::seconds(integerSetting<int64_t>("HOLD_TTL_SECONDS", hold_ttl, 1, 86400));
    config.hold_limit_per_client =
        integerSetting<int64_t>("HOLD_LIMIT_PER_CLIENT", hold_limit, 0, 1000);
    config.hold_retention = std::chrono::hours(
        24 * integerSetting<int64_t>("HOLD_RETENTION_DAYS", hold_retention, 0, 3650));
    config.trusted_proxies = integerSetting<unsigned>("TRUSTED_PROXIES", trusted_proxies, 0, 10);
    if (!queue_secret.empty() && queue_secret.size() < 32) {
      throw Invalid{"invalid QUEUE_SECRET: must be at least 32 characters"};
    }
    config.queue_secret = queue_secret;
    config.queue_admission = std::chrono::minutes(
        integerSetting<int64_t>("QUEUE_ADMISSION_MINUTES", queue_admission, 1, 1440));
    config.seed_demo_data = booleanSetting("SEED_DEMO_DATA", seed);
    config.fault_injection = booleanSetting("FAULT_INJECTION", fault_injection);
    if (!admin_token.empty() && admin_token.size() < 16) {
      throw Invalid{"invalid ADMIN_TOKEN: must be at least 16 characters"};
    }
    config.admin_token = admin_token;
    if (stripe_secret_key.empty() != stripe_webhook_secret.empty()) {
      throw Invalid{
          "invalid STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET: set both (online payment) or "
          "neither"};
    }
    config.stripe_secret_key = stripe_secret_key;
    config.stripe_webhook_secret = stripe_webhook_secret;
    while (!stripe_api_base.empty() && stripe_api_base.back() == '/') {
      stripe_api_base.pop_back();
    }
    auto loopback = [](const std::string& url) {
      for (const char* host : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
        const std::string prefix(host);
        if (url.starts_with(prefix) && (url.size() == prefix.size() || url[prefix.size()] == ':' ||
                                        url[prefix.size()] == '/')) {
          return true;
        }
      }
      return false;
    };
    if (!stripe_api_base.starts_with("https://") && !loopback(stripe_api_base)) {
      throw Invalid{
          "invalid STRIPE_API_BASE: must be an https:// URL (http:// only to a "
          "loopback address)"};
    }
    config.stripe_api_base = stripe_api_base;
    while (!public_base_url.empty() && public_base_url.back() == '/') {
      public_base_url.pop_back();
    }
    if (public_base_url.empty()) {
      public_base_url = "http://localhost:" + std::to_string(config.port);
    }
    if ((!public_base_url.starts_with("https://") && !public_base_url.starts_with("http://")) ||
        public_base_url.size() > 200 ||
        public_base_url.find_first_of(" \"<>?#") != std::string::npos) {
      throw Invalid{
          "invalid PUBLIC_BASE_URL: must be an http:// or https:// URL without a "
          "query"};
    }
    config.public_base_url = public_base_url;
    if (!smtp_url.empty()) {
      const auto host_start = smtp_url.find("://");
      const bool scheme = smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://");
      if (!scheme || host_start == std::string::npos || host_start + 3 >= smtp_url.size() ||
          smtp_url.find_first_of(" \r\n") != std::string::npos) {
        throw Invalid{
            "invalid SMTP_URL: must be smtp://[user:password@]host[:port] or smtps://..."};
      }
      const auto at = mail_from.find('@');
      if (mail_from.empty() || at == std::string::npos || at == 0 || at + 1 == mail_from.size() ||
          mail_from.find_first_of(" <>\r\n,") != std::string::npos) {
        throw Invalid{"invalid MAIL_FROM: an email address is needed with SMTP_URL"};
      }
      if (!smtp_ca_file.empty() && !std::filesystem::is_regular_file(smtp_ca_file)) {
        throw Invalid{"invalid SMTP_CA_FILE: " + smtp_ca_file + " is not a file"};
      }
    }
    config.smtp_url = smtp_url;
    config.mail_from = mail_from;
    config.smtp_ca_file = smtp_ca_file;
    config.payment_reconcile_after = std::chrono::seconds(
        integerSetting<int64_t>("PAYMENT_RECONCILE_AFTER_SECONDS", reconcile_after, 1, 3600));
  } catch (const Invalid& e) {
    err << "ticketsd: " << e.message << "\n";
    return 2;
  }
  return config;
}

}  // namespace tickets
