// The selling rules through the storage port, against each real database, with an injected
// clock so that expiry is tested without sleeping.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "domain/catalogue_service.h"
#include "domain/ticketing_service.h"
#include "storage/postgres/pg_database.h"
#include "storage/sqlite/sqlite_database.h"
#include "support/manual_clock.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace tickets {
namespace {

// Staff selling at the box office: paid at once, no online payment.
const tickets::Principal kBoxOffice{tickets::Role::kAdmin, {}, std::nullopt};

using namespace std::chrono;

using test::ManualClock;

class TicketingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database = test::openTestDatabase(GetParam(), 8, nullptr, dir, scratch);
    ASSERT_TRUE(database) << "no PostgreSQL cluster: run through ctest";
    catalogue = std::make_unique<CatalogueService>(database->catalogue());
    service = std::make_unique<TicketingService>(database->ticketing(), clock,
                                                 SellingPolicy{.hold_ttl = seconds(600)});
  }
  void TearDown() override {
    service.reset();
    catalogue.reset();
    database.reset();
    scratch.reset();
  }

  // An event on sale now with the given ticket types (capacity, price in GBP unless given).
  EventDetail onSale(std::vector<NewTicketType> types, int64_t per_order = 10,
                     EventStatus status = EventStatus::kOnSale) {
    NewEvent e;
    e.name = "Show";
    e.venue = "Hall";
    auto now = time_point_cast<seconds>(clock.now());
    e.starts_at = now + days(30);
    e.ends_at = e.starts_at + hours(3);
    e.timezone = "Europe/London";
    e.status = status;
    e.sale_starts_at = now - days(1);
    e.sale_ends_at = e.starts_at;
    e.max_tickets_per_order = per_order;
    e.ticket_types = std::move(types);
    auto id = catalogue->createEvent(e).value();
    return catalogue->getEvent(id, true).value();
  }
  static NewTicketType type(int64_t capacity, int64_t price = 2500, std::string currency = "GBP") {
    return NewTicketType{"GA", Money{price, std::move(currency)}, capacity};
  }
  TicketType current(TicketTypeId id) {
    for (const auto& event : catalogue->listEvents({}).value().events) {
      for (const auto& t : catalogue->getEvent(event.event.id, true).value().ticket_types) {
        if (t.id == id) {
          return t;
        }
      }
    }
    ADD_FAILURE() << "no ticket type " << id;
    return {};
  }
  Result<CheckoutResult> buy(const std::string& basket, const std::string& key = "key-1") {
    return service->checkOut({basket, "ann@example.com", "Ann", key, kBoxOffice});
  }

  // Changes the database behind the store's back, as only an operator (or a bug) could: with
  // SQLite's CHECK constraints off, and on PostgreSQL without the stock's CHECK.
  void corrupt(const std::string& sql) {
    if (GetParam() == "sqlite") {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir->path() + "/t.db").c_str(), &db), SQLITE_OK);
      const std::string all = "PRAGMA ignore_check_constraints = ON; " + sql;
      const int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, nullptr);
      sqlite3_close(db);
      ASSERT_EQ(rc, SQLITE_OK);
    } else {
      test::runSql(scratch->url(),
                   "ALTER TABLE ticket_types DROP CONSTRAINT IF EXISTS ticket_types_check; " + sql);
    }
  }

  ManualClock clock;
  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
  std::unique_ptr<Database> database;
  std::unique_ptr<CatalogueService> catalogue;
  std::unique_ptr<TicketingService> service;
};

TEST_P(TicketingTest, BasketHoldsStockUntilItExpires) {
  auto event = onSale({type(10)});
  auto id = event.ticket_types[0].id;
  auto hold = service->createBasket({{id, 4}}).value();
  EXPECT_EQ(hold.id.size(), 22u) << "128 random bits, base64url";
  EXPECT_EQ(hold.expires_at - hold.created_at, seconds(600));
  EXPECT_EQ(hold.total(), (Money{10000, "GBP"}));
  EXPECT_EQ(current(id).held, 4);
  EXPECT_EQ(current(id).available(), 6);
  EXPECT_TRUE(service->getBasket(hold.id));

  clock.advance(seconds(600));
  EXPECT_EQ(service->getBasket(hold.id).error().code, ErrorCode::kGone);
  EXPECT_EQ(service->expireHolds(), 1);
  EXPECT_EQ(current(id).held, 0);
  EXPECT_EQ(service->expireHolds(), 0);
}

TEST_P(TicketingTest, AHoldIsReadWithTheEventsOfItsItemsInIdOrder) {
  auto first = onSale({type(10), type(10, 3000)});
  auto second = onSale({type(10, 1000)});
  auto hold = service
                  ->createBasket({{second.ticket_types[0].id, 1},
                                  {first.ticket_types[1].id, 2},
                                  {first.ticket_types[0].id, 1}})
                  .value();
  auto found = database->ticketing().findHoldWithEvents(hold.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->hold.id, hold.id);
  EXPECT_EQ(found->hold.status, HoldStatus::kActive);
  ASSERT_EQ(found->hold.items.size(), 3u);
  EXPECT_EQ(found->hold.total(), (Money{2500 + 6000 + 1000, "GBP"}));
  ASSERT_EQ(found->events.size(), 2u) << "one entry per event";
  EXPECT_EQ(found->events[0].id, first.event.id);
  EXPECT_EQ(found->events[1].id, second.event.id);
  EXPECT_EQ(found->events[0].name, "Show");
  EXPECT_EQ(found->events[0].status, EventStatus::kOnSale);
  EXPECT_EQ(found->events[1].starts_at, second.event.starts_at);
  EXPECT_FALSE(database->ticketing().findHoldWithEvents("no-such-hold"));
  // Three rows of stock changed by one write (on PostgreSQL written as four, one of them padding).
  EXPECT_EQ(current(first.ticket_types[0].id).held, 1);
  EXPECT_EQ(current(first.ticket_types[1].id).held, 2);
  EXPECT_EQ(current(second.ticket_types[0].id).held, 1);
}

TEST_P(TicketingTest, SalesOverTimeCountPaidTicketsPerBucket) {
  auto event = onSale({type(10, 1000), NewTicketType{"VIP", Money{5000, "GBP"}, 5}});
  auto ga = event.ticket_types[0].id;
  auto vip = event.ticket_types[1].id;
  auto first = buy(service->createBasket({{ga, 2}, {vip, 1}}).value().id, "sales-1").value();
  clock.advance(hours(2));
  buy(service->createBasket({{ga, 1}}).value().id, "sales-2").value();
  service->createBasket({{ga, 3}}).value();  // held, not sold: not a sale

  auto hourly = service->salesOverTime(event.event.id, hours(1)).value();
  EXPECT_EQ(hourly.currency, "GBP");
  EXPECT_EQ(hourly.bucket, hours(1));
  ASSERT_EQ(hourly.points.size(), 2u);
  EXPECT_EQ(hourly.points[0].tickets, 3);
  EXPECT_EQ(hourly.points[0].orders, 1);
  EXPECT_EQ(hourly.points[0].revenue, 2 * 1000 + 5000);
  EXPECT_EQ(hourly.points[1].tickets, 1);
  EXPECT_EQ(hourly.points[1].revenue, 1000);
  EXPECT_EQ(hourly.points[1].at - hourly.points[0].at, hours(2));
  for (const auto& point : hourly.points) {
    EXPECT_EQ(point.at.time_since_epoch().count() % 3600, 0) << "buckets align to the hour";
  }

  auto daily = service->salesOverTime(event.event.id, hours(24)).value();
  int64_t tickets = 0;
  for (const auto& point : daily.points) {
    EXPECT_EQ(point.at.time_since_epoch().count() % 86400, 0) << "buckets align to UTC days";
    tickets += point.tickets;
  }
  EXPECT_EQ(tickets, 4);

  ASSERT_TRUE(service->cancelOrder(first.order.code, first.order.secret));
  auto after = service->salesOverTime(event.event.id, hours(1)).value();
  ASSERT_EQ(after.points.size(), 1u) << "a cancelled order is no sale";
  EXPECT_EQ(after.points[0].tickets, 1);

  EXPECT_EQ(service->salesOverTime(event.event.id + 1000, hours(1)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(service->salesOverTime(event.event.id, hours(7)).error().code,
            ErrorCode::kUnprocessable);
  auto empty = onSale({});
  auto none = service->salesOverTime(empty.event.id, hours(1)).value();
  EXPECT_TRUE(none.points.empty());
  EXPECT_EQ(none.currency, "");
}

TEST_P(TicketingTest, SoldOutSaysWhichTypeAndHowManyAreLeftAndHoldsNothing) {
  auto event = onSale({type(5), NewTicketType{"VIP", Money{9000, "GBP"}, 2}});
  auto ga = event.ticket_types[0].id;
  auto vip = event.ticket_types[1].id;
  service->createBasket({{vip, 1}}).value();
  auto refused = service->createBasket({{ga, 2}, {vip, 2}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kSoldOut);
  std::map<std::string, std::variant<int64_t, std::string>> ext;
  for (const auto& e : refused.error().extensions) {
    ext[e.name] = e.value;
  }
  EXPECT_EQ(std::get<int64_t>(ext["ticket_type_id"]), vip);
  EXPECT_EQ(std::get<int64_t>(ext["available"]), 1);
  EXPECT_EQ(current(ga).held, 0) << "nothing held when a basket is refused";
  EXPECT_EQ(current(vip).held, 1);
}

TEST_P(TicketingTest, ExpiredHoldsMakeRoomWithoutTheReaper) {
  auto event = onSale({type(3)});
  auto id = event.ticket_types[0].id;
  service->createBasket({{id, 3}}).value();
  EXPECT_EQ(service->createBasket({{id, 1}}).error().code, ErrorCode::kSoldOut);
  clock.advance(seconds(601));
  auto hold = service->createBasket({{id, 2}});
  ASSERT_TRUE(hold);
  EXPECT_EQ(current(id).held, 2);
}

TEST_P(TicketingTest, RefusesInvalidBaskets) {
  auto event = onSale({type(100), type(100, 10, "EUR")}, 4);
  auto gbp = event.ticket_types[0].id;
  auto eur = event.ticket_types[1].id;
  auto draft = onSale({type(10)}, 4, EventStatus::kDraft).ticket_types[0].id;
  auto cancelled = onSale({type(10)}, 4, EventStatus::kCancelled).ticket_types[0].id;
  EXPECT_EQ(service->createBasket({}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{gbp, 0}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{gbp, -1}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{gbp, 5}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{gbp, 1}, {gbp, 1}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{gbp, 1}, {eur, 1}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{999999, 1}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{draft, 1}}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service->createBasket({{cancelled, 1}}).error().code, ErrorCode::kNotOnSale);
  clock.advance(days(31));  // past the end of the sale window
  EXPECT_EQ(service->createBasket({{gbp, 1}}).error().code, ErrorCode::kNotOnSale);
  EXPECT_EQ(current(gbp).held, 0);
  EXPECT_EQ(current(eur).held, 0);
}

TEST_P(TicketingTest, CapacityCannotDropBelowWhatIsSoldAndHeld) {
  auto id = onSale({type(10)}).ticket_types[0].id;
  buy(service->createBasket({{id, 3}}).value().id).value();
  service->createBasket({{id, 2}}).value();
  auto refused = catalogue->updateTicketType(id, {std::nullopt, std::nullopt, 4});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(current(id).capacity, 10);
  auto resized = catalogue->updateTicketType(id, {"Standing", std::nullopt, 5}).value();
  EXPECT_EQ(resized.capacity, 5);
  EXPECT_EQ(resized.name, "Standing");
  EXPECT_EQ(resized.available(), 0);
  EXPECT_EQ(service->createBasket({{id, 1}}).error().code, ErrorCode::kSoldOut);
  EXPECT_EQ(catalogue->updateTicketType(999999, {std::nullopt, std::nullopt, 1}).error().code,
            ErrorCode::kNotFound);
}

TEST_P(TicketingTest, DeletingABasketGivesStockBackAtOnce) {
  auto id = onSale({type(10)}).ticket_types[0].id;
  auto hold = service->createBasket({{id, 6}}).value();
  EXPECT_TRUE(service->deleteBasket(hold.id));
  EXPECT_EQ(current(id).held, 0);
  EXPECT_EQ(service->deleteBasket(hold.id).error().code, ErrorCode::kGone);
  EXPECT_EQ(service->deleteBasket("nope").error().code, ErrorCode::kNotFound);
}

TEST_P(TicketingTest, CheckoutMakesAPaidOrderWithOneTicketEach) {
  auto event = onSale({type(10), NewTicketType{"VIP", Money{9000, "GBP"}, 5}});
  auto ga = event.ticket_types[0].id;
  auto vip = event.ticket_types[1].id;
  auto hold = service->createBasket({{ga, 2}, {vip, 1}}).value();
  auto result = buy(hold.id).value();
  EXPECT_TRUE(result.created);
  const Order& order = result.order;
  EXPECT_EQ(order.status, OrderStatus::kPaid);
  EXPECT_EQ(order.total, (Money{2 * 2500 + 9000, "GBP"}));
  EXPECT_EQ(order.code.size(), 10u);
  EXPECT_EQ(order.secret.size(), 22u);
  ASSERT_EQ(order.tickets.size(), 3u);
  std::set<std::string> codes;
  for (const auto& t : order.tickets) {
    EXPECT_EQ(t.code.size(), 22u);
    codes.insert(t.code);
  }
  EXPECT_EQ(codes.size(), 3u);
  EXPECT_EQ(current(ga).sold, 2);
  EXPECT_EQ(current(ga).held, 0);
  EXPECT_EQ(current(vip).sold, 1);
  EXPECT_EQ(service->getBasket(hold.id).error().code, ErrorCode::kGone);
  auto fetched = service->getOrder(order.code, order.secret).value();
  EXPECT_EQ(fetched.tickets.size(), 3u);
  EXPECT_EQ(service->getOrder(order.code, "wrong").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service->getOrder(order.code, "").error().code, ErrorCode::kNotFound);
}

TEST_P(TicketingTest, CheckoutIsIdempotentPerKey) {
  auto id = onSale({type(10)}).ticket_types[0].id;
  auto hold = service->createBasket({{id, 2}}).value();
  auto first = buy(hold.id, "retry-key").value();
  auto again = buy(hold.id, "retry-key").value();
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.order.code, first.order.code);
  EXPECT_EQ(again.order.tickets.size(), 2u);
  auto other_body = service->checkOut({hold.id, "bob@example.com", "Bob", "retry-key", kBoxOffice});
  EXPECT_EQ(other_body.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(buy(hold.id, "another-key").error().code, ErrorCode::kConflict);
  EXPECT_EQ(current(id).sold, 2);
}

TEST_P(TicketingTest, ConcurrentRetriesOfOneKeyMakeOneOrder) {
  auto id = onSale({type(10)}).ticket_types[0].id;
  auto hold = service->createBasket({{id, 1}}).value();
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> codes;
  std::atomic<int> created{0}, failed{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto result = buy(hold.id, "same-key");
      if (!result) {
        ++failed;
        return;
      }
      created += result->created ? 1 : 0;
      std::lock_guard lock(mutex);
      codes.insert(result->order.code);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(created, 1);
  EXPECT_EQ(codes.size(), 1u);
  EXPECT_EQ(current(id).sold, 1);
}

TEST_P(TicketingTest, ExpiredBasketCannotBeCheckedOut) {
  auto id = onSale({type(10)}).ticket_types[0].id;
  auto hold = service->createBasket({{id, 2}}).value();
  clock.advance(seconds(600));
  EXPECT_EQ(buy(hold.id).error().code, ErrorCode::kGone);
  EXPECT_EQ(current(id).held, 0);
  EXPECT_EQ(current(id).sold, 0);
  EXPECT_EQ(buy("no-such-basket").error().code, ErrorCode::kNotFound);
}

TEST_P(TicketingTest, CancellingVoidsTicketsAndReturnsStock) {
  auto event = onSale({type(10)});
  auto id = event.ticket_types[0].id;
  auto order = buy(service->createBasket({{id, 3}}).value().id).value().order;
  EXPECT_EQ(service->cancelOrder(order.code, "wrong").error().code, ErrorCode::kNotFound);
  auto cancelled = service->cancelOrder(order.code, order.secret).value();
  EXPECT_EQ(cancelled.status, OrderStatus::kCancelled);
  for (const auto& t : cancelled.tickets) {
    EXPECT_TRUE(t.void_);
  }
  EXPECT_EQ(current(id).sold, 0);
  EXPECT_EQ(service->cancelOrder(order.code, order.secret).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service->checkIn(order.tickets[0].code, event.event.id).error().code, ErrorCode::kGone);
}

TEST_P(TicketingTest, CheckInAdmitsOnceAndRemembersWhen) {
  auto event = onSale({type(10)});
  auto order = buy(service->createBasket({{event.ticket_types[0].id, 2}}).value().id).value().order;
  auto first = service->checkIn(order.tickets[0].code, event.event.id).value();
  ASSERT_TRUE(first.checked_in_at);
  clock.advance(seconds(90));
  auto second = service->checkIn(order.tickets[0].code, event.event.id);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  ASSERT_EQ(second.error().extensions.size(), 1u);
  EXPECT_EQ(std::get<std::string>(second.error().extensions[0].value),
            formatRfc3339(*first.checked_in_at));
  EXPECT_EQ(service->checkIn("unknown-code", event.event.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service->checkIn(order.tickets[1].code, 0).error().code, ErrorCode::kUnprocessable);
  auto stats = service->stats(event.event.id).value();
  EXPECT_EQ(stats.sold, 2);
  EXPECT_EQ(stats.checked_in, 1);
  EXPECT_EQ(stats.revenue, 5000);
  EXPECT_EQ(stats.available, 8);
  EXPECT_EQ(stats.currency, "GBP");
}

TEST_P(TicketingTest, CheckInAtAnotherEventsDoorIsRefusedAndConsumesNothing) {
  auto a = onSale({type(10)});
  auto b = onSale({type(10)});
  auto order = buy(service->createBasket({{a.ticket_types[0].id, 1}}).value().id).value().order;
  auto refused = service->checkIn(order.tickets[0].code, b.event.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kWrongEvent);
  ASSERT_EQ(refused.error().extensions.size(), 1u);
  EXPECT_EQ(refused.error().extensions[0].name, "ticket_event_id");
  EXPECT_EQ(std::get<int64_t>(refused.error().extensions[0].value), a.event.id);
  EXPECT_FALSE(service->getTicket(order.tickets[0].code).value().checked_in_at);
  EXPECT_EQ(service->stats(b.event.id).value().checked_in, 0);

  EXPECT_TRUE(service->checkIn(order.tickets[0].code, a.event.id));
  // Admitted or void, a ticket of another event says only that at this door.
  EXPECT_EQ(service->checkIn(order.tickets[0].code, b.event.id).error().code,
            ErrorCode::kWrongEvent);
  auto cancelled =
      buy(service->createBasket({{a.ticket_types[0].id, 1}}).value().id, "key-2").value().order;
  ASSERT_TRUE(service->cancelOrder(cancelled.code, cancelled.secret));
  EXPECT_EQ(service->checkIn(cancelled.tickets[0].code, b.event.id).error().code,
            ErrorCode::kWrongEvent);
  EXPECT_EQ(service->checkIn(cancelled.tickets[0].code, a.event.id).error().code, ErrorCode::kGone);
}

TEST_P(TicketingTest, ConcurrentCheckInsOfOneTicketAdmitOnce) {
  auto event = onSale({type(10)});
  auto order = buy(service->createBasket({{event.ticket_types[0].id, 1}}).value().id).value().order;
  std::atomic<int> admitted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = service->checkIn(order.tickets[0].code, event.event.id);
      (r ? admitted : refused)++;
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(admitted, 1);
  EXPECT_EQ(refused, 7);
}

TEST_P(TicketingTest, OrderWithAnAdmittedTicketCannotBeCancelled) {
  auto id = onSale({type(10)}).ticket_types[0].id;
  auto order = buy(service->createBasket({{id, 2}}).value().id).value().order;
  ASSERT_TRUE(service->checkIn(order.tickets[0].code, order.tickets[0].event_id));
  auto refused = service->cancelOrder(order.code, order.secret);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kOrderAdmitted);
  EXPECT_EQ(current(id).sold, 2);
  EXPECT_EQ(service->getOrder(order.code, order.secret).value().status, OrderStatus::kPaid);
  EXPECT_TRUE(service->checkIn(order.tickets[1].code, order.tickets[1].event_id));
}

TEST_P(TicketingTest, OrderCannotBeCancelledOnceTheEventStarted) {
  auto event = onSale({type(10)});
  auto id = event.ticket_types[0].id;
  auto order = buy(service->createBasket({{id, 1}}).value().id).value().order;
  clock.advance(duration_cast<seconds>(event.event.starts_at - clock.now()));
  auto refused = service->cancelOrder(order.code, order.secret);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kEventStarted);
  EXPECT_EQ(current(id).sold, 1);
}

// A check-in and a cancellation of the same order at once: either the ticket is admitted and
// the order stays paid, or the order is cancelled and the ticket refused, never both.
TEST_P(TicketingTest, CheckInRacingACancellationNeverAdmitsAVoidTicket) {
  auto id = onSale({type(100)}).ticket_types[0].id;
  for (int round = 0; round < 20; ++round) {
    auto order = buy(service->createBasket({{id, 1}}).value().id, "race-" + std::to_string(round))
                     .value()
                     .order;
    std::atomic<bool> admitted{false}, cancelled{false};
    std::thread door([&] {
      admitted =
          static_cast<bool>(service->checkIn(order.tickets[0].code, order.tickets[0].event_id));
    });
    std::thread buyer(
        [&] { cancelled = static_cast<bool>(service->cancelOrder(order.code, order.secret)); });
    door.join();
    buyer.join();
    EXPECT_NE(admitted.load(), cancelled.load()) << "round " << round;
  }
  EXPECT_EQ(current(id).sold, static_cast<int64_t>(service->stats(current(id).event_id)->sold));
}

TEST_P(TicketingTest, BasketOfAnEventCancelledMeanwhileIsReleasedAtCheckout) {
  auto event = onSale({type(10)});
  auto id = event.ticket_types[0].id;
  auto hold = service->createBasket({{id, 3}}).value();
  ASSERT_TRUE(catalogue->updateEvent(event.event.id,
                                     [](NewEvent& e) { e.status = EventStatus::kCancelled; }));
  auto refused = buy(hold.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotOnSale);
  EXPECT_EQ(current(id).held, 0);
  EXPECT_EQ(current(id).sold, 0);
  EXPECT_EQ(service->getBasket(hold.id).error().code, ErrorCode::kGone);
}

TEST_P(TicketingTest, QuantitiesAreBoundedBeforeTheyAreAdded) {
  auto event = onSale({type(10), type(10)}, 100);
  auto a = event.ticket_types[0].id;
  auto b = event.ticket_types[1].id;
  for (int64_t q : {int64_t{101}, INT64_MAX}) {
    auto refused = service->createBasket({{a, 1}, {b, q}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(refused.error().field, "items.quantity");
  }
  EXPECT_EQ(current(b).held, 0);
}

// A basket short of stock expires the holds in its way for good, even when it is still short.
TEST_P(TicketingTest, LazyExpiryKeepsItsWorkWhenTheBasketIsStillShort) {
  auto id = onSale({type(5)}).ticket_types[0].id;
  ASSERT_TRUE(service->createBasket({{id, 3}}));
  clock.advance(seconds(540));
  ASSERT_TRUE(service->createBasket({{id, 2}}));
  clock.advance(seconds(120));  // the first basket expired, the second is live
  auto refused = service->createBasket({{id, 4}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kSoldOut);
  EXPECT_EQ(current(id).held, 2);
  EXPECT_TRUE(service->createBasket({{id, 3}}));
}

// Buyers of overlapping ticket types, lazy expiry and the reaper all at once: rows are locked
// in one order, so PostgreSQL never has to break a deadlock.
TEST_P(TicketingTest, ExpiryAndBuyersNeverDeadlock) {
  if (GetParam() != "postgres") {
    GTEST_SKIP() << "SQLite has one writer at a time";
  }
  auto event = onSale({type(6), type(6), type(6), type(6)}, 100);
  std::vector<TicketTypeId> ids;
  for (const auto& t : event.ticket_types) {
    ids.push_back(t.id);
  }
  std::atomic<bool> stop{false};
  std::thread reaper([&] {
    while (!stop) {
      service->expireHolds();
    }
  });
  std::thread time([&] {
    while (!stop) {
      clock.advance(seconds(300));
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  std::vector<std::thread> buyers;
  for (int b = 0; b < 8; ++b) {
    buyers.emplace_back([&, b] {
      std::mt19937 random(static_cast<unsigned>(b));
      for (int i = 0; i < 120; ++i) {
        std::vector<BasketLine> lines;
        auto picked = ids;
        std::shuffle(picked.begin(), picked.end(), random);
        picked.resize(2 + random() % 3);
        for (auto id : picked) {
          lines.push_back({id, static_cast<int64_t>(1 + random() % 3)});
        }
        (void)service->createBasket(lines);
      }
    });
  }
  for (auto& t : buyers) {
    t.join();
  }
  stop = true;
  reaper.join();
  time.join();
  const std::string url = scratch->url();
  service.reset();
  catalogue.reset();
  database.reset();  // the backends exit and report their statistics
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(test::querySingle(url,
                              "SELECT deadlocks FROM pg_stat_database WHERE datname = "
                              "current_database()"),
            "0");
}

// Many buyers race for the last tickets: exactly the capacity is sold, everyone else gets a
// clean sold-out, and the counters equal what the orders say.
TEST_P(TicketingTest, RaceForTheLastTicketsNeverOversells) {
  for (int round = 0; round < 3; ++round) {
    auto event = onSale({type(50)});
    auto id = event.ticket_types[0].id;
    std::atomic<int64_t> bought{0};
    std::atomic<int> sold_out{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 12; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(static_cast<unsigned>(t * 7919 + round));
        for (int i = 0; i < 25; ++i) {
          int64_t quantity = 1 + static_cast<int64_t>(rng() % 4);
          auto hold = service->createBasket({{id, quantity}});
          if (!hold) {
            (hold.error().code == ErrorCode::kSoldOut ? sold_out : other)++;
            continue;
          }
          if (rng() % 5 == 0) {  // some buyers give up
            service->deleteBasket(hold->id);
            continue;
          }
          auto order = buy(hold->id, "k-" + hold->id);
          if (order) {
            bought += quantity;
          } else {
            ++other;
          }
        }
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    EXPECT_EQ(other, 0);
    EXPECT_GT(sold_out, 0);
    // Whatever single tickets are left are sold one by one; then it is sold out exactly.
    for (;;) {
      auto hold = service->createBasket({{id, 1}});
      if (!hold) {
        EXPECT_EQ(hold.error().code, ErrorCode::kSoldOut);
        break;
      }
      ASSERT_TRUE(buy(hold->id, "k-" + hold->id));
      ++bought;
    }
    auto after = current(id);
    EXPECT_EQ(after.sold, 50);
    EXPECT_EQ(after.sold, bought.load());
    EXPECT_EQ(after.held, 0);
    EXPECT_EQ(service->stats(event.event.id).value().sold, 50);
  }
}

TEST_P(TicketingTest, InvariantCheckCountsTheTicketTypesThatBreakIt) {
  auto event = onSale({type(10), type(10), type(10)});
  const auto a = event.ticket_types[0].id, b = event.ticket_types[1].id,
             c = event.ticket_types[2].id;
  ASSERT_TRUE(buy(service->createBasket({{a, 2}}).value().id, "k-a"));
  auto cancelled = buy(service->createBasket({{b, 3}}).value().id, "k-b").value();
  ASSERT_TRUE(service->cancelOrder(cancelled.order.code, cancelled.order.secret));
  ASSERT_TRUE(service->createBasket({{c, 4}}));
  auto clean = service->checkInvariant();
  EXPECT_EQ(clean.oversold, 0);
  EXPECT_EQ(clean.sold_vs_tickets, 0) << "void tickets of a cancelled order do not count";

  corrupt("UPDATE ticket_types SET held = capacity WHERE id = " + std::to_string(a));
  corrupt("UPDATE ticket_types SET sold = sold + 1 WHERE id = " + std::to_string(b));
  auto broken = service->checkInvariant();
  EXPECT_EQ(broken.oversold, 1);
  EXPECT_EQ(broken.sold_vs_tickets, 1);
}

TEST_P(TicketingTest, AClientHoldsAtMostTheLimitOfLiveBasketsOfAnEvent) {
  TicketingService limited(database->ticketing(), clock,
                           SellingPolicy{.hold_ttl = seconds(600), .holds_per_client = 2});
  auto first = onSale({type(100), type(100)});
  auto second = onSale({type(100)});
  const auto a = first.ticket_types[0].id, b = first.ticket_types[1].id,
             c = second.ticket_types[0].id;
  auto kept = limited.createBasket({{a, 1}}, "198.51.100.7").value();
  ASSERT_TRUE(limited.createBasket({{b, 1}}, "198.51.100.7"));
  auto refused = limited.createBasket({{a, 1}, {b, 1}}, "198.51.100.7");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyHolds);
  EXPECT_EQ(current(a).held, 1) << "a refused basket takes nothing";
  EXPECT_TRUE(limited.createBasket({{c, 1}}, "198.51.100.7")) << "another event";
  EXPECT_TRUE(limited.createBasket({{a, 1}}, "198.51.100.8")) << "another client";
  EXPECT_TRUE(limited.createBasket({{a, 1}})) << "an unknown client";
  // A basket checked out or deleted no longer counts.
  ASSERT_TRUE(limited.checkOut({kept.id, "ann@example.com", "Ann", "k-kept", kBoxOffice}));
  EXPECT_TRUE(limited.createBasket({{a, 1}}, "198.51.100.7"));
  EXPECT_FALSE(limited.createBasket({{a, 1}}, "198.51.100.7"));
}

TEST_P(TicketingTest, EndedBasketsAreDeletedAfterTheRetention) {
  TicketingService retained(database->ticketing(), clock,
                            SellingPolicy{.hold_ttl = seconds(600), .hold_retention = hours(48)});
  auto event = onSale({type(100)});
  const auto id = event.ticket_types[0].id;
  auto released = retained.createBasket({{id, 1}}).value();
  ASSERT_TRUE(retained.deleteBasket(released.id));
  auto expired = retained.createBasket({{id, 1}}).value();
  auto paid = retained.createBasket({{id, 1}}).value();
  auto order = retained.checkOut({paid.id, "ann@example.com", "Ann", "k-paid", kBoxOffice}).value();
  clock.advance(seconds(601));
  ASSERT_EQ(retained.expireHolds(), 1);
  auto live = retained.createBasket({{id, 1}}).value();
  EXPECT_EQ(retained.purgeEndedHolds(), 0) << "not yet past the retention";

  clock.advance(hours(48));
  EXPECT_EQ(retained.purgeEndedHolds(), 2);
  EXPECT_EQ(retained.getBasket(released.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(retained.getBasket(expired.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(retained.getBasket(paid.id).error().code, ErrorCode::kGone) << "its order needs it";
  auto kept = retained.getOrder(order.order.code, order.order.secret).value();
  EXPECT_EQ(kept.items.size(), 1u);
  EXPECT_EQ(retained.getBasket(live.id).error().code, ErrorCode::kGone) << "lapsed, not purged";
  EXPECT_EQ(retained.purgeEndedHolds(), 0);
  EXPECT_EQ(service->purgeEndedHolds(), 0) << "no retention: nothing is ever deleted";
}

INSTANTIATE_TEST_SUITE_P(Backends, TicketingTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tickets
