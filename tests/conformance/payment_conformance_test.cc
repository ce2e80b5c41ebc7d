// Every state transition of payments, refunds and the outbox through the storage port, against
// each real database, with an injected clock and a test double of the payment provider.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>

#include "domain/catalogue_service.h"
#include "domain/ticketing_service.h"
#include "support/manual_clock.h"
#include "support/test_database.h"

namespace tickets {
namespace {

using namespace std::chrono;
using test::ManualClock;

const Principal kBoxOffice{Role::kAdmin, {}, std::nullopt};

// A test double of the payment provider: sessions it opened, what it says of them, refunds.
class FakeProvider final : public PaymentProvider {
 public:
  std::string_view name() const override { return "stripe"; }
  Result<PaymentSession> createSession(const SessionRequest& request) override {
    std::lock_guard lock(mutex);
    if (down) {
      return DomainError{ErrorCode::kProviderUnavailable, "down", {}};
    }
    auto& id = sessions_by_key[request.idempotency_key];
    if (id.empty()) {
      id = "cs_" + std::to_string(sessions_by_key.size());
      requests[id] = request;
    }
    return PaymentSession{id, "https://pay.example/" + id, request.expires_at};
  }
  Result<SessionStatus> session(const std::string& id) override {
    std::lock_guard lock(mutex);
    ++asked;
    if (auto it = states.find(id); it != states.end()) {
      return it->second;
    }
    return SessionStatus{};
  }
  Result<std::string> refund(const std::string&, const Money&, const std::string&) override {
    return std::string("re_1");
  }
  Result<bool> expireSession(const std::string&) override { return true; }

  std::mutex mutex;
  bool down = false;
  int asked = 0;
  std::map<std::string, std::string> sessions_by_key;
  std::map<std::string, SessionRequest> requests;
  std::map<std::string, SessionStatus> states;
};

class PaymentTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database = test::openTestDatabase(GetParam(), 8, nullptr, dir, scratch);
    ASSERT_TRUE(database) << "no PostgreSQL cluster: run through ctest";
    catalogue = std::make_unique<CatalogueService>(database->catalogue());
    service = std::make_unique<TicketingService>(database->ticketing(), clock,
                                                 SellingPolicy{.hold_ttl = seconds(600)});
    service->setPaymentProvider(&provider, PaymentSettings{"https://shop.example", seconds(60)});
    service->setNotifications(true);
  }
  void TearDown() override {
    service.reset();
    catalogue.reset();
    database.reset();
    scratch.reset();
  }

  // An event on sale with one ticket type of `capacity` at 25.00; returns the type's id.
  TicketTypeId onSale(int64_t capacity) {
    NewEvent e;
    e.name = "Show";
    e.venue = "Hall";
    auto now = time_point_cast<seconds>(clock.now());
    e.starts_at = now + days(30);
    e.ends_at = e.starts_at + hours(3);
    e.timezone = "Europe/London";
    e.status = EventStatus::kOnSale;
    e.ticket_types = {NewTicketType{"GA", Money{2500, "GBP"}, capacity}};
    event = catalogue->createEvent(e).value();
    return catalogue->getEvent(event, true).value().ticket_types.at(0).id;
  }
  std::string basket(TicketTypeId type, int64_t quantity) {
    return service->createBasket({BasketLine{type, quantity}}).value().id;
  }
  Result<CheckoutResult> checkout(const std::string& basket, const std::string& key,
                                  std::optional<Principal> staff = std::nullopt) {
    return service->checkOut({basket, "ann@example.com", "Ann", key, staff});
  }
  Order pending(TicketTypeId type, int64_t quantity, const std::string& key) {
    auto result = checkout(basket(type, quantity), key);
    EXPECT_TRUE(result) << result.error().detail;
    EXPECT_EQ(result->order.status, OrderStatus::kPendingPayment);
    return result->order;
  }
  std::string sessionOf(const Order& order) {
    return order.payment_url.substr(order.payment_url.rfind('/') + 1);
  }
  PaymentEvent paid(const Order& order, const std::string& id) {
    return PaymentEvent{
        id,         PaymentEvent::Kind::kPaid, "checkout.session.completed", sessionOf(order),
        order.code, "pi_" + order.code};
  }
  PaymentEvent expired(const Order& order, const std::string& id) {
    return PaymentEvent{
        id, PaymentEvent::Kind::kExpired, "checkout.session.expired", sessionOf(order), order.code,
        ""};
  }
  EventStats stats() { return service->stats(event).value(); }
  Order current(const Order& order) { return service->getOrder(order.code, order.secret).value(); }
  std::vector<OutboxMessage> outbox() {
    return database->outbox().list(OutboxState::kPending, 100);
  }
  int count(const std::vector<OutboxMessage>& messages, std::string_view kind) {
    return static_cast<int>(std::count_if(messages.begin(), messages.end(),
                                          [&](const auto& m) { return m.kind == kind; }));
  }
  SystemTime now() { return time_point_cast<seconds>(clock.now()); }

  ManualClock clock;
  FakeProvider provider;
  EventId event = 0;
  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
  std::unique_ptr<Database> database;
  std::unique_ptr<CatalogueService> catalogue;
  std::unique_ptr<TicketingService> service;
};

TEST_P(PaymentTest, PendingHoldsTheStockForTheSessionThenPaidIssuesTicketsOnce) {
  const auto type = onSale(10);
  const std::string id = basket(type, 2);
  auto first = checkout(id, "k1");
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_TRUE(first->created);
  const Order order = first->order;
  EXPECT_EQ(order.status, OrderStatus::kPendingPayment);
  EXPECT_TRUE(order.tickets.empty());
  ASSERT_TRUE(order.payment_expires_at);
  EXPECT_EQ(*order.payment_expires_at, now() + kPaymentWindow);
  EXPECT_EQ(service->getBasket(id).value().expires_at, now() + kPaymentWindow);
  EXPECT_EQ(stats().held, 2);
  // A retry: the same payment and session; another key: refused; the basket stays.
  auto again = checkout(id, "k1");
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->order.code, order.code);
  EXPECT_EQ(again->order.payment_url, order.payment_url);
  EXPECT_EQ(provider.sessions_by_key.size(), 1u);
  EXPECT_EQ(checkout(id, "k2").error().code, ErrorCode::kConflict);
  EXPECT_EQ(checkout(id, "k3", kBoxOffice).error().code, ErrorCode::kConflict);
  EXPECT_EQ(service->deleteBasket(id).error().code, ErrorCode::kConflict);

  clock.advance(minutes(5));
  EXPECT_EQ(service->applyPaymentEvent(paid(order, "evt_1")).value(), selling::Settlement::kPaid);
  auto done = current(order);
  EXPECT_EQ(done.status, OrderStatus::kPaid);
  EXPECT_EQ(done.tickets.size(), 2u);
  EXPECT_EQ(done.provider, "stripe");
  EXPECT_EQ(stats().sold, 2);
  EXPECT_EQ(stats().held, 0);
  EXPECT_EQ(stats().revenue, 5000);
  EXPECT_EQ(service->applyPaymentEvent(paid(order, "evt_1")).value(),
            selling::Settlement::kDuplicate);
  EXPECT_EQ(service->applyPaymentEvent(expired(order, "evt_2")).value(),
            selling::Settlement::kUnchanged);
  EXPECT_EQ(service->applyPaymentEvent(paid(order, "evt_3")).value(),
            selling::Settlement::kUnchanged);
  EXPECT_EQ(stats().sold, 2);
  EXPECT_EQ(count(outbox(), outbox_kind::kOrderConfirmation), 1);
  EXPECT_EQ(checkout(id, "k1")->order.status, OrderStatus::kPaid);
  EXPECT_EQ(service->checkInvariant().oversold, 0);
  EXPECT_EQ(service->checkInvariant().sold_vs_tickets, 0);
}

TEST_P(PaymentTest, ExpiredGivesStockBackAndALatePaymentTakesItOrIsRefunded) {
  const auto type = onSale(1);
  const Order first = pending(type, 1, "k1");
  EXPECT_EQ(service->applyPaymentEvent(expired(first, "evt_1")).value(),
            selling::Settlement::kExpired);
  EXPECT_EQ(current(first).status, OrderStatus::kExpired);
  EXPECT_EQ(stats().held, 0);
  // Still there: a late payment takes it.
  EXPECT_EQ(service->applyPaymentEvent(paid(first, "evt_2")).value(), selling::Settlement::kPaid);
  EXPECT_EQ(stats().sold, 1);

  // Gone: the hold lapsed, the reaper gave the stock back, another buyer took it.
  const auto other = onSale(1);
  const Order second = pending(other, 1, "k2");
  clock.advance(kPaymentWindow + seconds(1));
  service->expireHolds();
  EXPECT_EQ(stats().held, 0);
  ASSERT_TRUE(checkout(basket(other, 1), "k3", kBoxOffice));
  EXPECT_EQ(service->applyPaymentEvent(paid(second, "evt_3")).value(),
            selling::Settlement::kRefundedLate);
  auto refunded = current(second);
  EXPECT_EQ(refunded.status, OrderStatus::kRefunded);
  EXPECT_NE(refunded.reason.find("sold out"), std::string::npos);
  EXPECT_TRUE(refunded.tickets.empty());
  EXPECT_EQ(stats().sold, 1);
  auto messages = outbox();
  EXPECT_EQ(count(messages, outbox_kind::kRefund), 1);
  EXPECT_EQ(count(messages, outbox_kind::kRefundNotice), 1);
  EXPECT_EQ(service->checkInvariant().oversold, 0);
}

TEST_P(PaymentTest, TheReconcilerSettlesALostWebhookAndExpiresPaymentsWithoutASession) {
  const auto type = onSale(10);
  const Order lost = pending(type, 1, "k1");
  provider.down = true;
  auto refused = checkout(basket(type, 1), "k2");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kProviderUnavailable);
  provider.down = false;
  EXPECT_EQ(stats().held, 2);
  // Too early: nothing asked.
  EXPECT_EQ(service->reconcilePayments(), 0);
  EXPECT_EQ(provider.asked, 0);
  clock.advance(seconds(61));
  // Stripe still says open: asked once, nothing settled, and not asked again within a minute.
  EXPECT_EQ(service->reconcilePayments(), 0);
  EXPECT_EQ(provider.asked, 1);
  EXPECT_EQ(service->reconcilePayments(), 0);
  EXPECT_EQ(provider.asked, 1);
  provider.states[sessionOf(lost)] = SessionStatus{SessionState::kPaid, "pi_lost"};
  clock.advance(seconds(61));
  EXPECT_EQ(service->reconcilePayments(), 1);
  EXPECT_EQ(current(lost).status, OrderStatus::kPaid);
  // The checkout that never got a session expires once its hold has.
  clock.advance(seconds(600));
  service->expireHolds();
  EXPECT_EQ(service->reconcilePayments(), 1);
  EXPECT_EQ(stats().held, 0);
  EXPECT_EQ(stats().sold, 1);
}

TEST_P(PaymentTest, CancellingRefundsWhatIsLeftAndStaffRefundOneTicket) {
  const auto type = onSale(10);
  const Order order = pending(type, 3, "k1");
  ASSERT_TRUE(service->applyPaymentEvent(paid(order, "evt_1")));
  auto paid_order = current(order);
  ASSERT_EQ(paid_order.tickets.size(), 3u);
  auto partial = service->cancelTicket(order.code, paid_order.tickets[0].code);
  ASSERT_TRUE(partial) << partial.error().detail;
  EXPECT_EQ(partial->status, OrderStatus::kPartiallyRefunded);
  EXPECT_EQ(partial->refunded.amount, 2500);
  EXPECT_EQ(stats().sold, 2);
  EXPECT_EQ(stats().revenue, 5000);
  EXPECT_EQ(service->cancelTicket(order.code, paid_order.tickets[0].code).error().code,
            ErrorCode::kGone);
  EXPECT_EQ(service->checkInvariant().sold_vs_tickets, 0);
  auto cancelled = service->cancelOrder(order.code, order.secret);
  ASSERT_TRUE(cancelled) << cancelled.error().detail;
  EXPECT_EQ(cancelled->status, OrderStatus::kRefunded);
  EXPECT_EQ(cancelled->refunded.amount, 7500);
  EXPECT_EQ(stats().sold, 0);
  auto messages = outbox();
  EXPECT_EQ(count(messages, outbox_kind::kRefund), 2);
  EXPECT_EQ(count(messages, outbox_kind::kRefundNotice), 2);
  EXPECT_EQ(service->checkInvariant().sold_vs_tickets, 0);
  EXPECT_EQ(service->checkInvariant().oversold, 0);
  // A box-office order: cancelled, no refund call.
  auto box = checkout(basket(type, 1), "k2", kBoxOffice);
  ASSERT_TRUE(box);
  EXPECT_EQ(box->order.provider, "box_office");
  auto box_cancelled = service->cancelOrder(box->order.code, box->order.secret);
  ASSERT_TRUE(box_cancelled);
  EXPECT_EQ(box_cancelled->status, OrderStatus::kCancelled);
  messages = outbox();
  EXPECT_EQ(count(messages, outbox_kind::kRefund), 2);
  EXPECT_EQ(count(messages, outbox_kind::kCancellationNotice), 1);
}

TEST_P(PaymentTest, TheOutboxLeasesRetriesDeadLettersAndRetriesOnRequest) {
  const auto type = onSale(10);
  ASSERT_TRUE(checkout(basket(type, 1), "k1", kBoxOffice));
  auto& repository = database->outbox();
  const auto at = now();
  auto stats_before = repository.stats();
  EXPECT_EQ(stats_before.depth, 1);
  ASSERT_TRUE(stats_before.oldest);
  auto claimed = repository.claimDue(at, seconds(120), 10);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].kind, outbox_kind::kOrderConfirmation);
  EXPECT_EQ(claimed[0].attempts, 1);
  EXPECT_TRUE(repository.claimDue(at, seconds(120), 10).empty());  // leased
  repository.markFailed(claimed[0].id, at, at + seconds(5), "smtp down", false);
  EXPECT_TRUE(repository.claimDue(at + seconds(4), seconds(120), 10).empty());
  auto again = repository.claimDue(at + seconds(5), seconds(120), 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 2);
  EXPECT_EQ(again[0].last_error, "smtp down");
  repository.markFailed(again[0].id, at, at + seconds(10), "smtp down", true);
  EXPECT_EQ(repository.stats().dead, 1);
  EXPECT_EQ(repository.stats().depth, 0);
  EXPECT_TRUE(repository.claimDue(at + hours(2), seconds(120), 10).empty());
  ASSERT_EQ(repository.list(OutboxState::kDead, 10).size(), 1u);
  EXPECT_FALSE(repository.retry(again[0].id + 1000, at));
  EXPECT_TRUE(repository.retry(again[0].id, at + hours(2)));
  auto retried = repository.claimDue(at + hours(2), seconds(120), 10);
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].attempts, 1);
  repository.markDelivered(retried[0].id, at + hours(2));
  EXPECT_EQ(repository.stats().depth, 0);
  EXPECT_EQ(repository.stats().dead, 0);
  EXPECT_EQ(repository.list(OutboxState::kDelivered, 10).size(), 1u);
}

TEST_P(PaymentTest, ABuyerCancelsBeforePayingAndAPaymentAfterThatIsRefunded) {
  const auto type = onSale(10);
  const Order order = pending(type, 2, "k1");
  auto cancelled = service->cancelOrder(order.code, order.secret);
  ASSERT_TRUE(cancelled) << cancelled.error().detail;
  EXPECT_EQ(cancelled->status, OrderStatus::kCancelled);
  EXPECT_EQ(current(order).status, OrderStatus::kCancelled);
  EXPECT_EQ(stats().held, 0);
  EXPECT_EQ(count(outbox(), outbox_kind::kExpireSession), 1);
  EXPECT_EQ(service->cancelOrder(order.code, order.secret).error().code, ErrorCode::kConflict);
  // The page was paid all the same before it closed: the money goes back, no tickets.
  EXPECT_EQ(service->applyPaymentEvent(paid(order, "evt_1")).value(),
            selling::Settlement::kRefundedLate);
  EXPECT_EQ(current(order).status, OrderStatus::kRefunded);
  EXPECT_EQ(stats().sold, 0);
  EXPECT_EQ(count(outbox(), outbox_kind::kRefund), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, PaymentTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tickets
