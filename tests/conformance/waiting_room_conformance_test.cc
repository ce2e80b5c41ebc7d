// The waiting room (domain/waiting_room.h) on each real database, with an injected clock: tokens
// that must be refused, one basket per admission, the pre-sale shuffle, the admission rate, a
// restart and two replicas sharing one queue.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "common/crypto.h"
#include "domain/catalogue_service.h"
#include "domain/payment.h"
#include "domain/ticketing_service.h"
#include "domain/waiting_room.h"
#include "support/manual_clock.h"
#include "support/test_database.h"

namespace tickets {
namespace {

using namespace std::chrono;

class WaitingRoomTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database = test::openTestDatabase(GetParam(), 8, nullptr, dir, scratch);
    ASSERT_TRUE(database) << "no PostgreSQL cluster: run through ctest";
    catalogue = std::make_unique<CatalogueService>(database->catalogue());
    room = makeRoom();
    ticketing = std::make_unique<TicketingService>(database->ticketing(), clock,
                                                   SellingPolicy{.hold_ttl = seconds(600)});
    ticketing->setWaitingRoom(room.get());
  }
  void TearDown() override {
    ticketing.reset();
    room.reset();
    catalogue.reset();
    database.reset();
    scratch.reset();
  }

  std::unique_ptr<WaitingRoom> makeRoom() {
    return std::make_unique<WaitingRoom>(database->queues(), database->catalogue(), clock, "",
                                         WaitingRoom::Options{});
  }

  // An event on sale from `sale_in` from now; returns {event, ticket type}.
  std::pair<EventId, TicketTypeId> onSale(seconds sale_in = seconds(-3600)) {
    NewEvent e;
    e.name = "Hot";
    e.venue = "Arena";
    auto now = time_point_cast<seconds>(clock.now());
    e.starts_at = now + days(30);
    e.ends_at = e.starts_at + hours(3);
    e.timezone = "Europe/London";
    e.status = EventStatus::kOnSale;
    e.sale_starts_at = now + sale_in;
    e.sale_ends_at = e.starts_at;
    e.max_tickets_per_order = 10;
    e.ticket_types = {NewTicketType{"GA", Money{5000, "GBP"}, 100000}};
    auto id = catalogue->createEvent(e).value();
    return {id, catalogue->getEvent(id, true).value().ticket_types.at(0).id};
  }

  // Ticks every second for `s` seconds (each replica given).
  void run(int s, std::initializer_list<WaitingRoom*> rooms) {
    for (int i = 0; i < s; ++i) {
      clock.advance(seconds(1));
      for (auto* r : rooms) {
        r->tick();
      }
    }
  }

  test::ManualClock clock;
  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
  std::unique_ptr<Database> database;
  std::unique_ptr<CatalogueService> catalogue;
  std::unique_ptr<WaitingRoom> room;
  std::unique_ptr<TicketingService> ticketing;
};

TEST_P(WaitingRoomTest, AnAdmittedTokenMakesOneBasketOfItsOwnEvent) {
  auto [event, type] = onSale();
  auto [other, other_type] = onSale();
  ASSERT_TRUE(room->configure(event, {true, 600, 0}));
  ASSERT_TRUE(room->configure(other, {true, 600, 0}));
  EXPECT_EQ(ticketing->createBasket({{type, 1}}).error().code, ErrorCode::kQueueRequired);

  auto ticket = room->join(event, "203.0.113.1", "", "").value();
  EXPECT_EQ(ticket.status, QueueStatus::kWaiting);
  EXPECT_EQ(ticket.position, 1);
  auto early = ticketing->createBasket({{type, 1}}, "", ticket.token);
  EXPECT_EQ(early.error().code, ErrorCode::kQueueRequired) << "not admitted yet";

  run(3, {room.get()});
  auto admitted = room->status(ticket.token).value();
  ASSERT_EQ(admitted.status, QueueStatus::kAdmitted);
  ASSERT_TRUE(admitted.admitted_until);

  // Another event's basket, a forged token, a token of another event: refused.
  EXPECT_EQ(ticketing->createBasket({{other_type, 1}}, "", ticket.token).error().code,
            ErrorCode::kForbidden);
  std::string forged = ticket.token;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ticketing->createBasket({{type, 1}}, "", forged).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(room->status(forged).error().code, ErrorCode::kNotFound);
  std::string moved = ticket.token;
  moved.replace(3, std::to_string(event).size(), std::to_string(other));
  EXPECT_EQ(room->status(moved).error().code, ErrorCode::kNotFound) << "the event is signed";

  auto basket = ticketing->createBasket({{type, 1}}, "", ticket.token);
  ASSERT_TRUE(basket) << basket.error().detail;
  auto replay = ticketing->createBasket({{type, 1}}, "", ticket.token);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kForbidden) << "one basket per admission";

  // After its admission time the token is spent.
  auto late = room->join(event, "203.0.113.2", "", "").value();
  run(3, {room.get()});
  clock.advance(minutes(16));
  EXPECT_EQ(room->status(late.token).value().status, QueueStatus::kExpired);
  EXPECT_EQ(ticketing->createBasket({{type, 1}}, "", late.token).error().code,
            ErrorCode::kForbidden);
  // Without the queue, no token is needed.
  ASSERT_TRUE(room->configure(event, {false, 600, 0}));
  EXPECT_TRUE(ticketing->createBasket({{type, 1}}));
}

TEST_P(WaitingRoomTest, EveryoneWhoJoinedBeforeTheSaleIsShuffledAtItsStart) {
  auto [event, type] = onSale(seconds(60));
  ASSERT_TRUE(room->configure(event, {true, 600, 0}));  // 10 a second
  std::vector<std::string> tokens;
  for (int i = 0; i < 100; ++i) {
    tokens.push_back(room->join(event, "198.51.100." + std::to_string(i), "", "").value().token);
    clock.advance(milliseconds(300));  // 30 s of arrivals, all before the sale
  }
  run(25, {room.get()});  // the sale is not open: nobody is admitted
  EXPECT_EQ(room->report(event).value().admitted, 0);
  EXPECT_EQ(room->status(tokens.front()).value().status, QueueStatus::kWaiting);
  run(10, {room.get()});  // open for about 5 s: about 50 admitted
  std::vector<int> admitted;
  for (int i = 0; i < 100; ++i) {
    if (room->status(tokens[i]).value().status == QueueStatus::kAdmitted) {
      admitted.push_back(i);
    }
  }
  ASSERT_GT(admitted.size(), 20u);
  ASSERT_LT(admitted.size(), 80u);
  // In join order the first half would be admitted; shuffled, about half of them are.
  auto early = std::count_if(admitted.begin(), admitted.end(), [](int i) { return i < 50; });
  EXPECT_LT(static_cast<double>(early) / static_cast<double>(admitted.size()), 0.8);
  EXPECT_GT(static_cast<double>(early) / static_cast<double>(admitted.size()), 0.2);
}

TEST_P(WaitingRoomTest, AfterTheSaleOpensFirstComeFirstServedAtTheRate) {
  auto [event, type] = onSale();
  ASSERT_TRUE(room->configure(event, {true, 120, 0}));  // 2 a second
  std::vector<std::string> tokens;
  for (int i = 0; i < 60; ++i) {
    tokens.push_back(room->join(event, "198.51.100." + std::to_string(i), "", "").value().token);
    clock.advance(milliseconds(250));  // 4 a second for 15 s
    if (i % 4 == 3) {
      room->tick();
    }
  }
  run(10, {room.get()});
  auto report = room->report(event).value();
  size_t admitted = 0;
  for (const auto& token : tokens) {
    admitted += room->status(token).value().status == QueueStatus::kAdmitted ? 1 : 0;
  }
  // In join order, to the second: nobody admitted after someone of a later second waits. (The
  // tokens were joined four a second, so token i joined in second i / 4.)
  size_t first_waiting = tokens.size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (room->status(tokens[i]).value().status != QueueStatus::kAdmitted) {
      first_waiting = std::min(first_waiting, i);
    } else {
      EXPECT_LT(i / 4, first_waiting / 4 + 1)
          << "admitted " << i << " after " << first_waiting << " of an earlier second waits";
    }
  }
  EXPECT_GT(admitted, 0u);
  // 25 s at 2 a second, less the two seconds that are never complete.
  EXPECT_NEAR(static_cast<double>(report.admitted), 46, 5);
  EXPECT_NEAR(static_cast<double>(report.waiting + report.admitted), 60, 1);
  auto waiting = room->status(tokens.back()).value();
  EXPECT_EQ(waiting.status, QueueStatus::kWaiting);
  EXPECT_GT(waiting.position, 0);
  ASSERT_TRUE(waiting.estimated_wait_seconds);
}

TEST_P(WaitingRoomTest, ARestartLosesNoOnesPlaceAndTwoReplicasShareOneQueue) {
  auto [event, type] = onSale();
  ASSERT_TRUE(room->configure(event, {true, 60, 0}));  // 1 a second
  auto replica = makeRoom();
  std::vector<std::string> tokens;
  // Both replicas tick every second, each at its own moment, as they would.
  for (int i = 0; i < 20; ++i) {
    auto& joined_at = i % 2 == 0 ? room : replica;
    tokens.push_back(
        joined_at->join(event, "198.51.100." + std::to_string(i), "", "").value().token);
    clock.advance(milliseconds(100));
    if (i % 10 == 3) {
      room->tick();
    } else if (i % 10 == 8) {
      replica->tick();
    }
  }
  for (int s = 0; s < 12; ++s) {
    clock.advance(milliseconds(300));
    room->tick();
    clock.advance(milliseconds(700));
    replica->tick();
  }
  // Two replicas tick, but the watermark moves once a second: 1 a second for the 14 s since
  // the queue opened (less the seconds not yet complete), not twice that.
  auto report = replica->report(event).value();
  EXPECT_NEAR(static_cast<double>(report.admitted), 12, 2);
  EXPECT_NEAR(static_cast<double>(report.waiting + report.admitted), 20, 1);
  EXPECT_NEAR(static_cast<double>(room->report(event).value().admitted), 12, 2);
  // A token made by one replica is good at the other, and after a restart.
  room.reset();
  auto restarted = makeRoom();
  ticketing->setWaitingRoom(restarted.get());
  EXPECT_EQ(restarted->status(tokens[0]).value().status, QueueStatus::kAdmitted);
  EXPECT_EQ(replica->status(tokens[0]).value().status, QueueStatus::kAdmitted);
  int waiting = 0;
  for (const auto& token : tokens) {
    const auto status = restarted->status(token).value().status;
    EXPECT_EQ(status, replica->status(token).value().status);
    waiting += status == QueueStatus::kWaiting ? 1 : 0;
  }
  EXPECT_GT(waiting, 0) << "the later ones still wait, after the restart too";
  EXPECT_TRUE(ticketing->createBasket({{type, 1}}, "", tokens[1]));
}

TEST_P(WaitingRoomTest, JoinsAreLimitedPerClientAndCanAskForProofOfWork) {
  auto [event, type] = onSale();
  ASSERT_TRUE(room->configure(event, {true, 60, 0}));
  int accepted = 0;
  for (int i = 0; i < 15; ++i) {
    accepted += room->join(event, "203.0.113.9", "", "") ? 1 : 0;
  }
  EXPECT_EQ(accepted, 10) << "a burst of 10";
  auto limited = room->join(event, "203.0.113.9", "", "");
  EXPECT_EQ(limited.error().code, ErrorCode::kRateLimited);
  clock.advance(seconds(6));
  EXPECT_TRUE(room->join(event, "203.0.113.9", "", "")) << "one more every 6 s";

  ASSERT_TRUE(room->configure(event, {true, 60, 8}));
  EXPECT_EQ(room->join(event, "203.0.113.10", "", "").error().code, ErrorCode::kForbidden);
  auto challenge = room->challenge(event).value();
  ASSERT_FALSE(challenge.challenge.empty());
  EXPECT_EQ(challenge.difficulty, 8);
  std::string nonce;
  for (int n = 0;; ++n) {
    if (sha256LeadingZeroBits(challenge.challenge + ":" + std::to_string(n)) >= 8) {
      nonce = std::to_string(n);
      break;
    }
  }
  std::string wrong = nonce == "0" ? "1" : "0";
  if (sha256LeadingZeroBits(challenge.challenge + ":" + wrong) < 8) {
    EXPECT_EQ(room->join(event, "203.0.113.11", challenge.challenge, wrong).error().code,
              ErrorCode::kForbidden);
  }
  EXPECT_TRUE(room->join(event, "203.0.113.12", challenge.challenge, nonce));
  EXPECT_EQ(room->join(event, "203.0.113.13", challenge.challenge, nonce).error().code,
            ErrorCode::kForbidden)
      << "a challenge is used once";
  auto stale = room->challenge(event).value();
  clock.advance(minutes(6));
  EXPECT_EQ(room->join(event, "203.0.113.14", stale.challenge, "0").error().code,
            ErrorCode::kForbidden);
}

INSTANTIATE_TEST_SUITE_P(Backends, WaitingRoomTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tickets
