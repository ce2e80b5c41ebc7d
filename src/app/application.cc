#include "app/application.h"

#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <filesystem>
#include <thread>

#include "api/access_guard.h"
#include "api/access_handler.h"
#include "api/admin_catalogue_handler.h"
#include "api/errors.h"
#include "api/events_handler.h"
#include "api/faults_handler.h"
#include "api/operations_handler.h"
#include "api/response_cache.h"
#include "api/worker_pool.h"
#include "app/demo_catalogue.h"
#include "app/descriptor_limit.h"
#include "app/housekeeper.h"
#include "app/logging.h"
#include "app/routes.h"
#include "app/shutdown.h"
#include "common/database_errors.h"
#include "common/fault_injector.h"
#include "common/json_log.h"
#include "domain/access_service.h"
#include "domain/catalogue_service.h"
#include "domain/payment.h"
#include "domain/ticketing_service.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_site.h"
#include "mail/ticket_emails.h"
#include "metrics/build_info.h"
#include "metrics/http_metrics.h"
#include "metrics/outbox_metrics.h"
#include "metrics/pool_metrics.h"
#include "metrics/process_collector.h"
#include "metrics/queue_metrics.h"
#include "metrics/sales_metrics.h"
#include "metrics/shedding_metrics.h"
#include "payments/refund_deliverer.h"
#include "payments/stripe.h"
#include "storage/postgres/pg_database.h"
#include "storage/sqlite/sqlite_database.h"
#include "tickets/version.h"

namespace tickets {
namespace asio = boost::asio;
using http::beast_http::verb;

namespace {

// Descriptors kept for other uses than client connections: the listener, logs, the readiness
// probe, and a few per database connection (SQLite keeps the database and its WAL open).
constexpr size_t kReservedDescriptors = 64;
constexpr size_t kDescriptorsPerDatabaseConnection = 3;

std::unique_ptr<Database> openDatabase(const Config& config, PoolObserver& observer,
                                       const FaultInjector& faults) {
  if (config.database.kind == DatabaseUrl::Kind::kPostgres) {
    PostgresSettings settings;
    settings.url = config.database.target;
    settings.pool_size = config.db_pool_size;
    settings.pool_timeout = config.db_pool_timeout;
    settings.faults = &faults;
    return std::make_unique<PostgresDatabase>(std::move(settings), &observer);
  }
  std::filesystem::path path(config.database.target);
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path());
  }
  SqliteSettings settings;
  settings.path = config.database.target;
  settings.pool_size = config.db_pool_size;
  settings.pool_timeout = config.db_pool_timeout;
  settings.faults = &faults;
  return std::make_unique<SqliteDatabase>(std::move(settings), &observer);
}

}  // namespace

int Application::run(const Listening& on_listening) {
  const auto started = std::chrono::steady_clock::now();
  auto log = makeJsonLogger(config_.log_level);
  log->info(
      R"("msg":"starting","version":"{}","revision":"{}","database":"{}","threads":{},"db_pool_size":{})",
      kVersion, kRevision, JsonEscaped{config_.database_url_for_logs}, config_.threads,
      config_.db_pool_size);

  prometheus::Registry registry;
  registerBuildInfo(registry);
  ProcessCollector process_metrics;
  PoolMetrics pool_metrics(registry, config_.db_pool_size);
  SystemClock clock;
  FaultInjector faults;

  std::unique_ptr<Database> database;
  try {
    database = openDatabase(config_, pool_metrics, faults);
    database->migrate();
  } catch (const std::exception& e) {
    log->critical(
        R"("msg":"cannot open the database","error":"{}","action":"check DATABASE_URL and that the database is reachable and writable")",
        JsonEscaped{e.what()});
    log->flush();
    return 1;
  }

  CatalogueService catalogue(database->catalogue());
  if (config_.seed_demo_data && database->catalogue().countEvents() == 0) {
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
    for (const auto& event : demoCatalogue(now)) {
      auto created = catalogue.createEvent(event);
      if (!created) {
        log->error(R"("msg":"demo event rejected","error":"{}")",
                   JsonEscaped{created.error().detail});
      }
    }
    log->info(R"("msg":"demo events loaded into the new database")");
  }

  // Enough threads that every checkout waiting for a connection has its own, so waits are
  // bounded by DB_POOL_TIMEOUT_MS and not by a queue; and at least 64, so that as many buyers
  // can wait in a batch of group-committed writes (storage/group_commit.h), which needs no
  // connection while it waits.
  WorkerPool workers(config_.workers != 0 ? config_.workers
                                          : std::max<size_t>(64, config_.db_pool_size * 2 + 2));
  api::ResponseCache cache(clock, config_.catalogue_cache_ttl, config_.catalogue_cache_bytes);
  std::atomic<bool> draining{false};

  SalesMetrics sales_metrics(registry);
  TicketingService ticketing(database->ticketing(), clock,
                             SellingPolicy{.hold_ttl = config_.hold_ttl,
                                           .holds_per_client = config_.hold_limit_per_client,
                                           .hold_retention = config_.hold_retention},
                             &sales_metrics);

  // Searches that miss the cache may take a quarter of the database connections at most.
  api::EventsHandler events(catalogue, workers, cache,
                            std::max<size_t>(1, config_.db_pool_size / 4));
  api::OperationsHandler operations(
      [&database](std::chrono::milliseconds timeout) { database->ping(timeout); }, workers,
      {&registry, &process_metrics}, draining, log);

  // The selling path has workers of its own and an adaptive concurrency limit over them
  // (http/concurrency_limit.h): a flood of purchases is shed with 429 before its latency
  // nears the SLO, and never takes the workers the catalogue, the door and the probes need.
  const size_t selling_threads =
      config_.workers != 0 ? config_.workers : std::max<size_t>(64, config_.db_pool_size * 2 + 2);
  WorkerPool selling_workers(selling_threads);
  SheddingMetrics shedding_metrics(registry, "selling",
                                   {{"POST", "/api/basket"}, {"POST", "/api/checkout"}});
  http::AdaptiveConcurrencyLimit selling_limit({.initial = static_cast<double>(selling_threads),
                                                .min = 2,
                                                .max = static_cast<double>(selling_threads),
                                                .target = std::chrono::milliseconds(250)},
                                               &shedding_metrics);

  // Online payment: Stripe Checkout when configured. Its refunds, like every side effect, are
  // delivered from the outbox (domain/outbox.h).
  std::unique_ptr<payments::StripeProvider> stripe;
  if (!config_.stripe_secret_key.empty()) {
    stripe = std::make_unique<payments::StripeProvider>(
        payments::StripeSettings{.secret_key = config_.stripe_secret_key,
                                 .webhook_secret = config_.stripe_webhook_secret,
                                 .api_base = config_.stripe_api_base});
    log->info(
        R"("msg":"online payment through Stripe Checkout","api_base":"{}","public_base_url":"{}")",
        JsonEscaped{config_.stripe_api_base}, JsonEscaped{config_.public_base_url});
  } else {
    log->warn(
        R"("msg":"online payment is not configured: priced baskets can be checked out only by staff at the box office","action":"set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET to sell online")");
  }
  ticketing.setPaymentProvider(
      stripe.get(), PaymentSettings{config_.public_base_url, config_.payment_reconcile_after});
  OutboxMetrics outbox_metrics(registry);
  OutboxDispatcher outbox(
      database->outbox(), clock, &outbox_metrics,
      [&log](const OutboxMessage& m, const std::string& error, bool dead) {
        if (dead) {
          log->error(
              R"("msg":"outbox message dead-lettered","kind":"{}","id":{},"order":"{}","attempts":{},"error":"{}","action":"see runbook Outbox stuck; after fixing the cause, POST /api/admin/outbox/{}/retry")",
              JsonEscaped{m.kind}, m.id, JsonEscaped{m.aggregate}, m.attempts, JsonEscaped{error},
              m.id);
        } else {
          log->warn(
              R"("msg":"outbox delivery failed","kind":"{}","id":{},"order":"{}","attempt":{},"error":"{}")",
              JsonEscaped{m.kind}, m.id, JsonEscaped{m.aggregate}, m.attempts, JsonEscaped{error});
        }
      });
  std::unique_ptr<payments::RefundDeliverer> refunds;
  std::unique_ptr<payments::SessionCloser> session_closer;
  if (stripe) {
    refunds = std::make_unique<payments::RefundDeliverer>(*stripe);
    outbox.addDeliverer(outbox_kind::kRefund, *refunds);
    session_closer = std::make_unique<payments::SessionCloser>(*stripe);
    outbox.addDeliverer(outbox_kind::kExpireSession, *session_closer);
  }
  // Emails to buyers, when an SMTP server is configured: written to the outbox with the change
  // that causes them, composed from the order as it is when sent.
  std::unique_ptr<mail::SmtpSender> smtp;
  std::unique_ptr<mail::EmailDeliverer> emails;
  if (!config_.smtp_url.empty()) {
    smtp = std::make_unique<mail::SmtpSender>(mail::SmtpSettings{
        .url = config_.smtp_url, .from = config_.mail_from, .ca_file = config_.smtp_ca_file});
    auto& repository = database->ticketing();
    emails = std::make_unique<mail::EmailDeliverer>(
        *smtp,
        [&repository](const std::string& code) -> std::optional<Order> {
          if (auto order = repository.findOrder(code)) {
            return order;
          }
          if (auto payment = repository.findPayment(code)) {
            return orderOf(*payment);
          }
          return std::nullopt;
        },
        [&catalogue](EventId id) -> std::optional<Event> {
          auto detail = catalogue.getEvent(id, true);
          return detail ? std::optional<Event>(detail->event) : std::nullopt;
        },
        config_.public_base_url, &outbox_metrics);
    for (auto kind : {outbox_kind::kOrderConfirmation, outbox_kind::kRefundNotice,
                      outbox_kind::kCancellationNotice}) {
      outbox.addDeliverer(kind, *emails);
    }
    ticketing.setNotifications(true);
    log->info(R"("msg":"emails to buyers through SMTP","smtp":"{}","from":"{}")",
              JsonEscaped{mail::redactedSmtpUrl(config_.smtp_url)}, JsonEscaped{config_.mail_from});
  } else {
    log->warn(
        R"("msg":"no SMTP server: buyers get no emails","action":"set SMTP_URL and MAIL_FROM to email confirmations and refunds")");
  }

  // The housekeeper's chores have threads of their own (one per loop of chores): a flood that
  // fills the request workers must not stall the waiting room's tick, the expiry of baskets or
  // the outbox.
  WorkerPool housekeeping(3);

  AccessService access(database->access(), clock, config_.admin_token);
  api::AccessGuard guard(access, workers);
  QueueMetrics queue_metrics(registry);
  WaitingRoom waiting_room(
      database->queues(), database->catalogue(), clock, config_.queue_secret,
      WaitingRoom::Options{.admission_lasts = std::chrono::duration_cast<std::chrono::seconds>(
                               config_.queue_admission)},
      &queue_metrics);
  ticketing.setWaitingRoom(&waiting_room);
  api::BuyerHandler buyer(ticketing, catalogue, selling_workers, guard, config_.trusted_proxies);
  api::PaymentsHandler::VerifyWebhook verify_webhook;
  if (stripe) {
    verify_webhook = [&clock, secret = config_.stripe_webhook_secret](std::string_view body,
                                                                      std::string_view signature) {
      return payments::verifyWebhook(
          body, signature, secret, std::chrono::time_point_cast<std::chrono::seconds>(clock.now()));
    };
  }
  api::PaymentsHandler payments_handler(ticketing, database->outbox(), workers, guard, clock,
                                        std::move(verify_webhook));
  api::QueueHandler queue(waiting_room, workers, guard, config_.trusted_proxies);
  api::DoorHandler door(ticketing, workers, guard);
  api::AccessHandler tokens(access, guard, workers, log);
  api::AdminCatalogueHandler organiser(catalogue, ticketing, workers, guard);

  http::Router router;
  addRoutes(router, {operations, events, buyer, door, organiser, tokens, queue, payments_handler},
            log, config_.fault_injection ? &faults : nullptr, selling_limit);

  // The web app: every GET outside /api/ that no route takes (its files and its own routes).
  std::shared_ptr<const http::StaticSite> site;
  if (!config_.web_root.empty()) {
    try {
      site = http::StaticSite::load(config_.web_root, {});
    } catch (const std::exception& e) {
      log->critical(
          R"("msg":"cannot load the web app","error":"{}","action":"build it (cd web && npm ci && npm run build) or point WEB_ROOT at a built one")",
          JsonEscaped{e.what()});
      log->flush();
      return 1;
    }
    log->info(R"("msg":"serving the web app","web_root":"{}","files":{},"bytes":{})",
              JsonEscaped{config_.web_root}, site->fileCount(), site->byteCount());
    router.setFallback(
        "/*",
        [site](const http::Request& r, http::RequestContext& c) -> asio::awaitable<http::Response> {
          co_return site->serve(r, c);
        });
  }

  std::unique_ptr<api::FaultsHandler> faults_handler;
  if (config_.fault_injection) {
    faults_handler = std::make_unique<api::FaultsHandler>(faults, guard, router.endpoints(), log);
    auto& h = *faults_handler;
    // Guarded (the token may need a database read) but never faulted: drills must stay stoppable.
    auto drill = [&](verb method, http::Handler handler) {
      router.add(method, "/api/admin/faults", api::withErrorBoundary(std::move(handler), log));
    };
    drill(verb::get, [&h](const auto& r, auto& c) { return h.get(r, c); });
    drill(verb::put, [&h](const auto& r, auto& c) { return h.put(r, c); });
    drill(verb::delete_, [&h](const auto& r, auto& c) { return h.clear(r, c); });
    log->warn(R"("msg":"fault injection is enabled: /api/admin/faults can slow or fail requests")");
  }

  HttpMetrics http_metrics(registry, router.endpoints());

  // One event loop per I/O thread (THREADS). The first also runs the signal handling, the
  // shutdown sequence and the hold reaper, on this thread.
  asio::io_context io(1);
  std::vector<std::unique_ptr<asio::io_context>> more_loops;
  std::vector<asio::io_context*> loops{&io};
  for (unsigned i = 1; i < config_.threads; ++i) {
    more_loops.push_back(std::make_unique<asio::io_context>(1));
    loops.push_back(more_loops.back().get());
  }
  http::ServerOptions options;
  options.host = config_.host;
  options.port = config_.port;
  const uint64_t descriptor_limit = raiseDescriptorLimit();
  options.max_connections = connectionsWithin(
      config_.max_connections, descriptor_limit,
      kReservedDescriptors + kDescriptorsPerDatabaseConnection * (config_.db_pool_size + 1));
  if (options.max_connections < config_.max_connections) {
    log->warn(
        R"("msg":"MAX_CONNECTIONS lowered to fit the open file limit","max_connections":{},"configured":{},"open_file_limit":{},"action":"raise the container's nofile limit to allow more connections")",
        options.max_connections, config_.max_connections, descriptor_limit);
  }
  options.max_header_bytes = config_.max_header_bytes;
  options.max_body_bytes = config_.max_body_bytes;
  options.read_timeout = config_.read_timeout;
  options.idle_timeout = config_.idle_timeout;
  options.handler_timeout = config_.handler_timeout;
  http::Server server(loops, router, http_metrics, log, options);
  uint16_t port = 0;
  try {
    port = server.listen();
  } catch (const std::exception& e) {
    log->critical(
        R"("msg":"cannot listen","host":"{}","port":{},"error":"{}","action":"check HOST and PORT and that no other process uses the port")",
        JsonEscaped{config_.host}, config_.port, JsonEscaped{e.what()});
    log->flush();
    return 1;
  }
  server.start();
  Shutdown shutdown(io, server, draining, config_, *log);
  shutdown.arm();
  Housekeeper housekeeper(io, housekeeping, ticketing, waiting_room, outbox, *log);
  housekeeper.start();

  const double startup_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log->info(R"("msg":"listening","host":"{}","port":{},"startup_ms":{:.1f})",
            JsonEscaped{config_.host}, port, startup_ms);
  log->flush();
  if (on_listening) {
    on_listening(port);
  }

  // The other loops run until the first one ends (the shutdown sequence stops it).
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::vector<std::thread> threads;
  for (auto& loop : more_loops) {
    keep_running.push_back(asio::make_work_guard(*loop));
    threads.emplace_back([&loop = *loop] { loop.run(); });
  }
  io.run();
  for (auto& loop : more_loops) {
    loop->stop();
  }
  for (auto& t : threads) {
    t.join();
  }
  // Before the loops are destroyed (they are declared after the pools): see WorkerPool::drain.
  workers.drain();
  selling_workers.drain();
  housekeeping.drain();
  log->info(R"("msg":"stopped")");
  log->flush();
  return 0;
}

}  // namespace tickets
