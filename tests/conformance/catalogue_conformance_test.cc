#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

// The catalogue's rules through the storage port, run against each real database: SQLite in a
// temporary file and PostgreSQL in a scratch database of the test run's cluster.
#include "domain/catalogue_service.h"
#include "domain/cursor.h"
#include "storage/postgres/pg_database.h"
#include "storage/sqlite/sqlite_database.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace tickets {
namespace {

using namespace std::chrono;

SystemTime at(int64_t day, int hour = 19) {
  return SystemTime{seconds{1'800'000'000 + day * 86400 + hour * 3600}};
}

NewEvent event(std::string name, int64_t day, EventStatus status = EventStatus::kOnSale) {
  NewEvent e;
  e.name = std::move(name);
  e.venue = "Hall " + e.name;
  e.starts_at = at(day);
  e.ends_at = at(day, 22);
  e.timezone = "Europe/London";
  e.status = status;
  e.ticket_types = {NewTicketType{"GA", Money{2500, "GBP"}, 100},
                    NewTicketType{"Cheap", Money{900, "GBP"}, 10}};
  return e;
}

class CatalogueTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database = test::openTestDatabase(GetParam(), 4, nullptr, dir, scratch);
    ASSERT_TRUE(database) << "no PostgreSQL cluster: run through ctest";
    catalogue = std::make_unique<CatalogueService>(database->catalogue());
  }
  void TearDown() override {
    catalogue.reset();
    database.reset();
    scratch.reset();
  }
  EventId add(NewEvent e) { return catalogue->createEvent(e).value(); }

  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
  std::unique_ptr<Database> database;
  std::unique_ptr<CatalogueService> catalogue;
};

TEST_P(CatalogueTest, MigrationsAreIdempotent) {
  EXPECT_NO_THROW(database->migrate());
  EXPECT_NO_THROW(database->ping(milliseconds(100)));
}

TEST_P(CatalogueTest, ListsInStartOrderWithAvailabilityAndCheapestPrice) {
  add(event("Later", 5));
  add(event("Sooner", 1));
  auto listing = catalogue->listEvents({}).value();
  ASSERT_EQ(listing.events.size(), 2u);
  EXPECT_EQ(listing.events[0].event.name, "Sooner");
  EXPECT_EQ(listing.events[0].available_tickets, 110);
  EXPECT_EQ(listing.events[0].price_from, (Money{900, "GBP"}));
  EXPECT_FALSE(listing.next_cursor);
}

TEST_P(CatalogueTest, PagesWithCursorsWithoutGapsOrRepeats) {
  for (int i = 0; i < 7; ++i) {
    add(event("E" + std::to_string(i), i % 3));  // several share a start time
  }
  std::vector<std::string> seen;
  EventListRequest request;
  request.limit = 3;
  for (int page = 0; page < 5; ++page) {
    auto listing = catalogue->listEvents(request).value();
    for (const auto& e : listing.events) {
      seen.push_back(e.event.name);
    }
    if (!listing.next_cursor) {
      break;
    }
    request.cursor = listing.next_cursor;
  }
  ASSERT_EQ(seen.size(), 7u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST_P(CatalogueTest, FiltersByStatusTimeAndText) {
  add(event("Jazz Night", 1));
  add(event("Rock 100% Loud", 2, EventStatus::kCancelled));
  add(event("Secret Draft", 3, EventStatus::kDraft));
  EventListRequest r;
  r.status = EventStatus::kCancelled;
  EXPECT_EQ(catalogue->listEvents(r).value().events.size(), 1u);

  EventListRequest range;
  range.from = at(2, 0);
  range.to = at(3, 0);
  auto in_range = catalogue->listEvents(range).value();
  ASSERT_EQ(in_range.events.size(), 1u);
  EXPECT_EQ(in_range.events[0].event.name, "Rock 100% Loud");

  EventListRequest text;
  text.text = "jAzZ";
  EXPECT_EQ(catalogue->listEvents(text).value().events.size(), 1u);
  text.text = "100%";
  EXPECT_EQ(catalogue->listEvents(text).value().events.size(), 1u);
  text.text = "%";  // a literal percent sign, not a wildcard
  EXPECT_EQ(catalogue->listEvents(text).value().events.size(), 1u);
  text.text = "_";
  EXPECT_EQ(catalogue->listEvents(text).value().events.size(), 0u);
}

TEST_P(CatalogueTest, DraftsAreNotPublic) {
  auto id = add(event("Secret Draft", 3, EventStatus::kDraft));
  EXPECT_TRUE(catalogue->listEvents({}).value().events.empty());
  auto detail = catalogue->getEvent(id);
  ASSERT_FALSE(detail);
  EXPECT_EQ(detail.error().code, ErrorCode::kNotFound);
}

TEST_P(CatalogueTest, DetailHasTicketTypesCheapestFirst) {
  auto id = add(event("Show", 1));
  auto detail = catalogue->getEvent(id).value();
  ASSERT_EQ(detail.ticket_types.size(), 2u);
  EXPECT_EQ(detail.ticket_types[0].name, "Cheap");
  EXPECT_EQ(detail.ticket_types[0].available(), 10);
  EXPECT_EQ(catalogue->getEvent(id + 100).error().code, ErrorCode::kNotFound);
}

TEST_P(CatalogueTest, RejectsInvalidRequests) {
  EventListRequest r;
  r.limit = 0;
  EXPECT_EQ(catalogue->listEvents(r).error().field, "limit");
  r.limit = 101;
  EXPECT_EQ(catalogue->listEvents(r).error().field, "limit");
  EventListRequest c;
  c.cursor = "not-a-cursor";
  EXPECT_EQ(catalogue->listEvents(c).error().field, "cursor");
  EventListRequest t;
  t.text = std::string(101, 'x');
  EXPECT_EQ(catalogue->listEvents(t).error().field, "q");
  EventListRequest range;
  range.from = at(3);
  range.to = at(2);
  EXPECT_EQ(catalogue->listEvents(range).error().field, "to");
}

TEST_P(CatalogueTest, RejectsInvalidEventsAndStoresNothing) {
  auto bad_time = event("X", 1);
  bad_time.ends_at = bad_time.starts_at;
  auto bad_currency = event("X", 1);
  bad_currency.ticket_types[0].price.currency = "gbp";
  auto bad_tz = event("X", 1);
  bad_tz.timezone = "../etc/passwd";
  auto bad_capacity = event("X", 1);
  bad_capacity.ticket_types[0].capacity = -1;
  for (const auto& e : {bad_time, bad_currency, bad_tz, bad_capacity}) {
    auto result = catalogue->createEvent(e);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(database->catalogue().countEvents(), 0);
  EXPECT_EQ(catalogue->generation(), 0u);
  add(event("Y", 1));
  EXPECT_EQ(catalogue->generation(), 1u);
}

TEST_P(CatalogueTest, ConcurrentReadersAndWritersSeeConsistentPages) {
  for (int i = 0; i < 5; ++i) {
    add(event("Seed" + std::to_string(i), i));
  }
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        if (t == 0) {
          add(event("W" + std::to_string(i), 10 + i));
        } else {
          auto listing = catalogue->listEvents({});
          if (!listing || listing->events.size() < 5) {
            failed = true;
          }
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_FALSE(failed);
  EXPECT_EQ(database->catalogue().countEvents(), 25);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogueTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tickets
