// The selling rules through real batches on both databases: a second connection holds the
// write gate (SQLite's write lock; on PostgreSQL the ticket type's row lock, which a batch takes
// first) while buyers, sold-out refusals, releases, checkouts (and their retries) and
// cancellations queue in a known order; released, they run as one group-committed batch. Each
// answer, and the stock after each batch, must be what a sequential model of the same arrivals
// says: a batch changes nothing about who gets what. On PostgreSQL this also checks the batch's
// stock ledger: the table's sold and held after each batch are the model's.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "domain/catalogue_service.h"
#include "domain/payment.h"
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

constexpr int64_t kCapacity = 12;

class BatchSizes final : public PoolObserver {
 public:
  void onAcquired(steady_clock::duration) override {}
  void onReleased() override {}
  void onExhausted(steady_clock::duration) override {}
  void onWriteBatch(size_t units) override {
    std::lock_guard lock(mutex_);
    sizes_.push_back(units);
  }
  std::vector<size_t> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(sizes_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<size_t> sizes_;
};

// What the model keeps of a basket and an order.
struct Basket {
  int64_t quantity;
  std::string status;  // active, released, checked_out
  std::string key;     // the Idempotency-Key that paid it
};
struct PlacedOrder {
  std::string basket;
  std::string status;  // paid, cancelled
  std::string secret;
};

struct Op {
  enum Kind { kCreate, kRelease, kCheckout, kCancel } kind;
  int64_t quantity = 0;
  std::string basket;  // kRelease, kCheckout
  std::string key;     // kCheckout
  std::string order;   // kCancel
};

class BatchedSellingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database = test::openTestDatabase(GetParam(), 8, &sizes, dir, scratch);
    ASSERT_TRUE(database) << "no PostgreSQL cluster: run through ctest";
    catalogue = std::make_unique<CatalogueService>(database->catalogue());
    service = std::make_unique<TicketingService>(database->ticketing(), clock,
                                                 SellingPolicy{.hold_ttl = seconds(600)});
    NewEvent e;
    e.name = "Show";
    e.venue = "Hall";
    auto now = time_point_cast<seconds>(clock.now());
    e.starts_at = now + days(30);
    e.ends_at = e.starts_at + hours(3);
    e.timezone = "Europe/London";
    e.status = EventStatus::kOnSale;
    e.sale_starts_at = now - days(1);
    e.sale_ends_at = e.starts_at;
    e.max_tickets_per_order = 4;
    e.ticket_types = {NewTicketType{"GA", Money{2500, "GBP"}, kCapacity}};
    event = catalogue->createEvent(e).value();
    type = catalogue->getEvent(event, true).value().ticket_types[0].id;
    sizes.take();
  }

  // The model's answer to one operation, applied in arrival order.
  std::string model(const Op& op) {
    switch (op.kind) {
      case Op::kCreate:
        if (held + sold + op.quantity > kCapacity) {
          return "sold_out";
        }
        held += op.quantity;
        return "ok";
      case Op::kRelease: {
        auto& b = baskets.at(op.basket);
        if (b.status == "checked_out") {
          return "conflict";
        }
        if (b.status != "active") {
          return "gone";
        }
        b.status = "released";
        held -= b.quantity;
        return "ok";
      }
      case Op::kCheckout: {
        auto& b = baskets.at(op.basket);
        if (b.status == "checked_out") {
          return b.key == op.key ? "replayed" : "conflict";
        }
        if (b.status != "active") {
          return "gone";
        }
        b.status = "checked_out";
        b.key = op.key;
        held -= b.quantity;
        sold += b.quantity;
        return "ok";
      }
      case Op::kCancel: {
        auto& o = orders.at(op.order);
        if (o.status != "paid") {
          return "conflict";
        }
        o.status = "cancelled";
        sold -= baskets.at(o.basket).quantity;
        return "ok";
      }
    }
    return "?";
  }

  static std::string outcome(const DomainError& e) {
    switch (e.code) {
      case ErrorCode::kSoldOut:
        return "sold_out";
      case ErrorCode::kConflict:
        return "conflict";
      case ErrorCode::kGone:
        return "gone";
      default:
        return "error " + e.detail;
    }
  }

  // Runs one operation through the service; records what it made (for later rounds).
  std::string run(const Op& op, std::string& made) {
    switch (op.kind) {
      case Op::kCreate: {
        auto hold = service->createBasket({{type, op.quantity}});
        if (!hold) {
          return outcome(hold.error());
        }
        made = hold->id;
        return "ok";
      }
      case Op::kRelease: {
        auto released = service->deleteBasket(op.basket);
        return released ? "ok" : outcome(released.error());
      }
      case Op::kCheckout: {
        auto paid = service->checkOut({op.basket, "ann@example.com", "Ann", op.key, kBoxOffice});
        if (!paid) {
          return outcome(paid.error());
        }
        made = paid->order.code + " " + paid->order.secret;
        return paid->created ? "ok" : "replayed";
      }
      case Op::kCancel: {
        auto cancelled = service->cancelOrder(op.order, orders.at(op.order).secret);
        return cancelled ? "ok" : outcome(cancelled.error());
      }
    }
    return "?";
  }

  // Closes the gate every write of the ticket type waits at, from a connection of its own.
  void closeGate() {
    if (GetParam() == "sqlite") {
      ASSERT_EQ(sqlite3_open((dir->path() + "/t.db").c_str(), &sqlite_gate), SQLITE_OK);
      ASSERT_EQ(sqlite3_exec(sqlite_gate, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
      return;
    }
    pg_gate = PQconnectdb(scratch->url().c_str());
    ASSERT_EQ(PQstatus(pg_gate), CONNECTION_OK);
    for (const std::string& sql :
         {std::string("BEGIN"),
          "SELECT id FROM ticket_types WHERE id = " + std::to_string(type) + " FOR UPDATE"}) {
      PGresult* r = PQexec(pg_gate, sql.c_str());
      const auto status = PQresultStatus(r);
      PQclear(r);
      ASSERT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK);
    }
  }

  void openGate() {
    if (sqlite_gate != nullptr) {
      ASSERT_EQ(sqlite3_exec(sqlite_gate, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
      sqlite3_close(sqlite_gate);
      sqlite_gate = nullptr;
    }
    if (pg_gate != nullptr) {
      PQclear(PQexec(pg_gate, "ROLLBACK"));
      PQfinish(pg_gate);
      pg_gate = nullptr;
    }
  }

  TicketType current() {
    for (const auto& t : catalogue->getEvent(event, true).value().ticket_types) {
      if (t.id == type) {
        return t;
      }
    }
    return {};
  }

  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
  sqlite3* sqlite_gate = nullptr;
  PGconn* pg_gate = nullptr;
  BatchSizes sizes;
  test::ManualClock clock;
  std::unique_ptr<Database> database;
  std::unique_ptr<CatalogueService> catalogue;
  std::unique_ptr<TicketingService> service;
  EventId event = 0;
  TicketTypeId type = 0;
  std::map<std::string, Basket> baskets;
  std::map<std::string, PlacedOrder> orders;
  int64_t held = 0;
  int64_t sold = 0;
};

TEST_P(BatchedSellingTest, BatchesAnswerAsTheSequentialModelOfTheSameArrivals) {
  std::mt19937 random(1129);
  std::map<std::string, int> seen;
  for (int round = 0; round < 6; ++round) {
    // Operations on what earlier rounds made (a client only knows ids it was given).
    std::vector<std::string> known_baskets;
    for (const auto& [id, b] : baskets) {
      known_baskets.push_back(id);
    }
    std::vector<std::string> known_orders;
    for (const auto& [code, o] : orders) {
      known_orders.push_back(code);
    }
    std::vector<Op> ops;
    for (int i = 0; i < 9; ++i) {
      const auto pick = random() % 10;
      auto any = [&](const std::vector<std::string>& from) { return from[random() % from.size()]; };
      if (pick < 4 || known_baskets.empty()) {
        ops.push_back({Op::kCreate, 1 + static_cast<int64_t>(random() % 4), "", "", ""});
      } else if (pick < 6) {
        ops.push_back({Op::kRelease, 0, any(known_baskets), "", ""});
      } else if (pick < 9 || known_orders.empty()) {
        // Retries reuse a basket's own key; now and then another key.
        std::string basket = any(known_baskets);
        std::string key = random() % 4 == 0 ? "other-" + std::to_string(i) : "key-" + basket;
        ops.push_back({Op::kCheckout, 0, basket, key, ""});
      } else {
        ops.push_back({Op::kCancel, 0, "", "", any(known_orders)});
      }
    }

    // Close the gate, start the callers one by one (each reaches the queue long before the
    // next starts), then open it: the first runs alone, the rest as one batch.
    closeGate();
    std::vector<std::string> answers(ops.size()), made(ops.size());
    std::vector<std::thread> callers;
    for (size_t i = 0; i < ops.size(); ++i) {
      callers.emplace_back([&, i] { answers[i] = run(ops[i], made[i]); });
      std::this_thread::sleep_for(milliseconds(100));
    }
    openGate();
    for (auto& t : callers) {
      t.join();
    }
    // A refused buyer then sweeps expired baskets (createBasket's second chance; none have
    // expired, so a sweep changes nothing): the first one's may join the batch's tail.
    auto batches = sizes.take();
    ASSERT_GE(batches.size(), 2u);
    ASSERT_EQ(batches[0], 1u) << "round " << round << ": the batch did not form as arranged";
    ASSERT_GE(batches[1], ops.size() - 1) << "round " << round;
    ASSERT_LE(batches[1], ops.size()) << "round " << round;

    for (size_t i = 0; i < ops.size(); ++i) {
      const std::string expected = model(ops[i]);
      ASSERT_EQ(answers[i], expected) << "round " << round << ", arrival " << i;
      ++seen[expected];
      if (ops[i].kind == Op::kCreate && expected == "ok") {
        baskets[made[i]] = Basket{ops[i].quantity, "active", ""};
      }
      if (ops[i].kind == Op::kCheckout && expected == "ok") {
        const auto space = made[i].find(' ');
        orders[made[i].substr(0, space)] =
            PlacedOrder{ops[i].basket, "paid", made[i].substr(space + 1)};
      }
    }
    auto figures = current();
    ASSERT_EQ(figures.held, held) << "round " << round;
    ASSERT_EQ(figures.sold, sold) << "round " << round;
  }
  // The arrivals must have exercised what batches could get wrong.
  EXPECT_GT(seen["sold_out"], 0);
  EXPECT_GT(seen["conflict"] + seen["gone"], 0);
  EXPECT_GT(seen["replayed"], 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchedSellingTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tickets
