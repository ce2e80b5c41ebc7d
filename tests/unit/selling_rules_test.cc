// The selling rules against an in-memory test double of the store's primitive operations: what
// each rule decides, and that a refusal keeps nothing unless the rule gives stock back.
#include "domain/selling_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace tickets {
namespace {

using namespace std::chrono;

const SystemTime kNow = SystemTime(seconds(1'900'000'000));

// A test double: the store's primitives over maps, recording whether the rule kept its write.
class InMemorySellingTransaction final : public SellingTransaction {
 public:
  struct Stock {
    int64_t capacity = 0, sold = 0, held = 0;
  };
  std::map<TicketTypeId, Stock> stock;
  std::map<std::string, Hold> holds;
  std::map<std::string, LockedOrder> orders;
  std::map<std::string, std::string> keys;  // idempotency key -> order code
  std::map<std::string, std::string> fingerprints;
  std::map<std::string, Ticket> tickets;
  EventState event{1, "Gig", EventStatus::kOnSale, kNow + hours(24)};
  bool kept = false;

  std::optional<Hold> lockHold(const std::string& id) override {
    auto it = holds.find(id);
    return it == holds.end() ? std::nullopt : std::optional<Hold>(it->second);
  }
  std::optional<LockedOrder> lockOrder(const std::string& code) override {
    auto it = orders.find(code);
    if (it == orders.end()) {
      return std::nullopt;
    }
    LockedOrder locked = it->second;
    for (auto& t : locked.order.tickets) {
      t = tickets.at(t.code);  // as they are now
    }
    return locked;
  }
  std::optional<KeyedOrder> orderOfKey(const std::string& key) override {
    auto it = keys.find(key);
    if (it == keys.end()) {
      return std::nullopt;
    }
    return KeyedOrder{it->second, fingerprints[key]};
  }
  CheckoutView checkoutView(const std::string& hold_id, const std::string& key) override {
    CheckoutView view{orderOfKey(key), lockHold(hold_id), {}};
    if (view.hold) {
      view.events = eventsOfHold(hold_id);
      auto payment = paymentOfHold(hold_id);
      view.paying = payment && payment->status == PaymentStatus::kPending;
    }
    return view;
  }
  std::optional<Order> order(const std::string& code) override {
    auto locked = lockOrder(code);
    return locked ? std::optional<Order>(locked->order) : std::nullopt;
  }
  std::optional<Ticket> ticket(const std::string& code) override {
    auto it = tickets.find(code);
    return it == tickets.end() ? std::nullopt : std::optional<Ticket>(it->second);
  }
  std::vector<EventState> eventsOfHold(const std::string&) override { return {event}; }
  int64_t available(TicketTypeId type) override {
    const auto& s = stock[type];
    return std::max<int64_t>(s.capacity - s.sold - s.held, 0);
  }
  std::map<std::string, std::string> passes;  // pass -> hold
  bool claimQueuePass(const std::string& pass, const std::string& hold_id) override {
    return passes.emplace(pass, hold_id).second;
  }
  int64_t liveHoldsOf(const std::string& client, const std::vector<EventId>& events,
                      SystemTime now) override {
    int64_t most = 0;
    for (EventId e : events) {
      int64_t live = 0;
      for (const auto& [id, hold] : holds) {
        const bool of_event = std::any_of(hold.items.begin(), hold.items.end(),
                                          [&](const HoldItem& i) { return i.event_id == e; });
        live += hold.client == client && hold.liveAt(now) && of_event ? 1 : 0;
      }
      most = std::max(most, live);
    }
    return most;
  }
  std::optional<TicketTypeId> takeStock(const Hold& hold) override {
    for (const auto& item : hold.items) {
      if (available(item.ticket_type_id) < item.quantity) {
        return item.ticket_type_id;
      }
    }
    for (const auto& item : hold.items) {
      stock[item.ticket_type_id].held += item.quantity;
    }
    holds[hold.id] = hold;
    return std::nullopt;
  }
  bool endHold(const std::string& id, HoldStatus status) override {
    auto& hold = holds.at(id);
    if (hold.status != HoldStatus::kActive) {
      return false;
    }
    hold.status = status;
    for (const auto& item : hold.items) {
      stock[item.ticket_type_id].held -= item.quantity;
    }
    return true;
  }
  void sell(const Order& paid, const NewOrder& request, const std::string& hold_id) override {
    holds.at(hold_id).status = HoldStatus::kCheckedOut;
    for (const auto& item : paid.items) {
      stock[item.ticket_type_id].held -= item.quantity;
      stock[item.ticket_type_id].sold += item.quantity;
    }
    orders[paid.code] = LockedOrder{paid, hold_id, request.payment_reference};
    keys[request.idempotency_key] = paid.code;
    fingerprints[request.idempotency_key] = request.request_fingerprint;
    for (const auto& t : paid.tickets) {
      tickets[t.code] = t;
    }
  }
  void cancel(const LockedOrder& locked, OrderStatus status, SystemTime) override {
    auto& order = orders.at(locked.order.code).order;
    order.status = status;
    order.refunded = order.total;
    for (auto& t : order.tickets) {
      if (!tickets.at(t.code).void_) {
        stock[t.ticket_type_id].sold -= 1;
      }
      tickets.at(t.code).void_ = true;
      t.void_ = true;
    }
  }
  void cancelTicket(const LockedOrder& locked, const Ticket& ticket, int64_t refund,
                    OrderStatus status, SystemTime) override {
    auto& order = orders.at(locked.order.code).order;
    order.status = status;
    order.refunded.amount += refund;
    tickets.at(ticket.code).void_ = true;
    for (auto& t : order.tickets) {
      t.void_ = t.void_ || t.code == ticket.code;
    }
    stock[ticket.ticket_type_id].sold -= 1;
  }

  std::map<std::string, Payment> payments;  // by order code
  std::set<std::string> events_seen;
  std::vector<NewOutboxMessage> outbox;
  std::optional<Payment> lockPayment(const std::string& code) override {
    auto it = payments.find(code);
    return it == payments.end() ? std::nullopt : std::optional<Payment>(it->second);
  }
  std::optional<Payment> paymentOfKey(const std::string& key) override {
    for (const auto& [code, p] : payments) {
      if (p.idempotency_key == key) {
        return p;
      }
    }
    return std::nullopt;
  }
  std::optional<Payment> paymentOfHold(const std::string& hold_id) override {
    for (const auto& [code, p] : payments) {
      if (p.hold_id == hold_id) {
        return p;
      }
    }
    return std::nullopt;
  }
  void insertPayment(const Payment& payment) override { payments[payment.order_code] = payment; }
  void updatePayment(const Payment& payment, SystemTime) override {
    payments.at(payment.order_code) = payment;
  }
  bool recordPaymentEvent(const std::string& id, SystemTime) override {
    return events_seen.insert(id).second;
  }
  void extendHold(const std::string& hold_id, SystemTime expires_at) override {
    holds.at(hold_id).expires_at = expires_at;
  }
  bool retakeStock(const Hold& hold, SystemTime expires_at) override {
    for (const auto& item : hold.items) {
      if (available(item.ticket_type_id) < item.quantity) {
        return false;
      }
    }
    for (const auto& item : hold.items) {
      stock[item.ticket_type_id].held += item.quantity;
    }
    holds.at(hold.id).status = HoldStatus::kActive;
    holds.at(hold.id).expires_at = expires_at;
    return true;
  }
  void enqueue(const NewOutboxMessage& message, SystemTime) override { outbox.push_back(message); }
  std::optional<Ticket> admit(const std::string& code, EventId event_id, SystemTime now) override {
    auto it = tickets.find(code);
    if (it == tickets.end() || it->second.event_id != event_id || it->second.void_ ||
        it->second.checked_in_at) {
      return std::nullopt;
    }
    it->second.checked_in_at = now;
    return it->second;
  }
  void keep() override { kept = true; }
};

Hold basket(const std::string& id, TicketTypeId type, int64_t quantity, SystemTime expires) {
  Hold hold;
  hold.id = id;
  hold.items = {HoldItem{type, 1, "GA", quantity, Money{2500, "GBP"}}};
  hold.created_at = kNow - minutes(1);
  hold.expires_at = expires;
  return hold;
}

NewOrder request(const std::string& hold, const std::string& key) {
  NewOrder order;
  order.hold_id = hold;
  order.idempotency_key = key;
  order.request_fingerprint = "fp-" + hold;
  order.code = "ORDER" + key;
  order.secret = "secret";
  order.email = "ann@example.com";
  order.name = "Ann";
  order.ticket_codes = {"T1-" + key, "T2-" + key};
  order.now = kNow;
  return order;
}

TEST(SellingRules, SoldOutNamesTheShortTypeAndKeepsNothing) {
  InMemorySellingTransaction tx;
  tx.stock[7] = {5, 3, 1};
  auto refused = selling::reserve(tx, basket("h", 7, 2, kNow + minutes(10)));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kSoldOut);
  EXPECT_EQ(std::get<int64_t>(refused.error().extensions.at(1).value), 1);
  EXPECT_FALSE(tx.kept);
  EXPECT_TRUE(selling::reserve(tx, basket("h", 7, 1, kNow + minutes(10))));
  EXPECT_TRUE(tx.kept);
}

TEST(SellingRules, AnExpiredBasketGivesItsStockBackWhenReleasedOrCheckedOut) {
  for (bool checkout : {false, true}) {
    InMemorySellingTransaction tx;
    tx.stock[7] = {5, 0, 0};
    ASSERT_TRUE(selling::reserve(tx, basket("h", 7, 2, kNow)));
    tx.kept = false;
    auto refused = checkout ? selling::checkOut(tx, request("h", "k")).error()
                            : selling::release(tx, "h", kNow).error();
    EXPECT_EQ(refused.code, ErrorCode::kGone);
    EXPECT_TRUE(tx.kept) << "the stock going back is kept with the refusal";
    EXPECT_EQ(tx.stock[7].held, 0);
    EXPECT_EQ(tx.holds["h"].status, HoldStatus::kExpired);
  }
}

TEST(SellingRules, CheckoutSellsOnceAndAnswersRetriesFromTheKey) {
  InMemorySellingTransaction tx;
  tx.stock[7] = {5, 0, 0};
  ASSERT_TRUE(selling::reserve(tx, basket("h", 7, 2, kNow + minutes(10))));
  auto paid = selling::checkOut(tx, request("h", "k")).value();
  EXPECT_TRUE(paid.second);
  EXPECT_EQ(paid.first.tickets.size(), 2u);
  EXPECT_EQ(tx.stock[7].sold, 2);
  EXPECT_EQ(tx.stock[7].held, 0);

  tx.kept = false;
  auto again = selling::checkOut(tx, request("h", "k")).value();
  EXPECT_FALSE(again.second);
  EXPECT_EQ(again.first.code, paid.first.code);
  EXPECT_FALSE(tx.kept);

  auto other_body = request("h", "k");
  other_body.request_fingerprint = "another";
  EXPECT_EQ(selling::checkOut(tx, other_body).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(selling::checkOut(tx, request("h", "other-key")).error().code, ErrorCode::kConflict);
  EXPECT_EQ(selling::release(tx, "h", kNow).error().code, ErrorCode::kConflict);
  EXPECT_FALSE(tx.kept);
  EXPECT_EQ(tx.stock[7].sold, 2);
}

TEST(SellingRules, ABasketOfAnEventNoLongerOnSaleIsReleasedAtCheckout) {
  InMemorySellingTransaction tx;
  tx.stock[7] = {5, 0, 0};
  ASSERT_TRUE(selling::reserve(tx, basket("h", 7, 2, kNow + minutes(10))));
  tx.event.status = EventStatus::kCancelled;
  tx.kept = false;
  EXPECT_EQ(selling::checkOut(tx, request("h", "k")).error().code, ErrorCode::kNotOnSale);
  EXPECT_TRUE(tx.kept);
  EXPECT_EQ(tx.stock[7].held, 0);
  EXPECT_TRUE(tx.orders.empty());
}

TEST(SellingRules, CancellingGivesStockBackUnlessATicketWasAdmitted) {
  InMemorySellingTransaction tx;
  tx.stock[7] = {5, 0, 0};
  ASSERT_TRUE(selling::reserve(tx, basket("a", 7, 2, kNow + minutes(10))));
  ASSERT_TRUE(selling::reserve(tx, basket("b", 7, 2, kNow + minutes(10))));
  auto a = selling::checkOut(tx, request("a", "ka")).value().first;
  auto b = selling::checkOut(tx, request("b", "kb")).value().first;

  ASSERT_TRUE(selling::checkIn(tx, a.tickets[0].code, 1, kNow));
  tx.kept = false;
  EXPECT_EQ(selling::checkIn(tx, a.tickets[0].code, 1, kNow).error().code, ErrorCode::kConflict);
  EXPECT_EQ(selling::cancel(tx, a.code, kNow).error().code, ErrorCode::kOrderAdmitted);
  EXPECT_FALSE(tx.kept);

  auto cancelled = selling::cancel(tx, b.code, kNow).value();
  EXPECT_TRUE(tx.kept);
  EXPECT_EQ(cancelled.status, OrderStatus::kCancelled);
  EXPECT_EQ(tx.stock[7].sold, 2);
  tx.kept = false;
  EXPECT_EQ(selling::checkIn(tx, b.tickets[0].code, 1, kNow).error().code, ErrorCode::kGone);
  EXPECT_EQ(selling::checkIn(tx, "nope", 1, kNow).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(selling::cancel(tx, "nope", kNow).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(tx.kept);
}

Hold clientBasket(const std::string& id, const std::string& client, EventId event) {
  Hold hold = basket(id, event * 10, 1, kNow + minutes(10));
  hold.items[0].event_id = event;
  hold.client = client;
  return hold;
}

TEST(SellingRules, AClientHoldsAtMostTheLimitOfLiveBasketsPerEvent) {
  InMemorySellingTransaction tx;
  tx.stock[10] = {100, 0, 0};
  tx.stock[20] = {100, 0, 0};
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(selling::reserve(tx, clientBasket("a" + std::to_string(i), "198.51.100.7", 1), 2));
  }
  tx.kept = false;
  auto refused = selling::reserve(tx, clientBasket("a2", "198.51.100.7", 1), 2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyHolds);
  EXPECT_EQ(refused.error().extensions.at(0).name, "limit");
  EXPECT_EQ(std::get<int64_t>(refused.error().extensions.at(0).value), 2);
  EXPECT_FALSE(tx.kept);
  EXPECT_EQ(tx.stock[10].held, 2);  // nothing taken for the refused one
  // Another client, another event, no limit, an unknown client: each is allowed.
  EXPECT_TRUE(selling::reserve(tx, clientBasket("b", "198.51.100.8", 1), 2));
  EXPECT_TRUE(selling::reserve(tx, clientBasket("c", "198.51.100.7", 2), 2));
  EXPECT_TRUE(selling::reserve(tx, clientBasket("d", "198.51.100.7", 1), 0));
  EXPECT_TRUE(selling::reserve(tx, clientBasket("e", "", 1), 2));
}

TEST(SellingRules, OnlyLiveBasketsCountAgainstTheLimit) {
  InMemorySellingTransaction tx;
  tx.stock[10] = {100, 0, 0};
  ASSERT_TRUE(selling::reserve(tx, clientBasket("a", "203.0.113.1", 1), 1));
  ASSERT_FALSE(selling::reserve(tx, clientBasket("b", "203.0.113.1", 1), 1));
  ASSERT_TRUE(selling::release(tx, "a", kNow));
  EXPECT_TRUE(selling::reserve(tx, clientBasket("c", "203.0.113.1", 1), 1));
  tx.holds.at("c").expires_at = kNow - minutes(1);  // expired, not yet reaped
  EXPECT_TRUE(selling::reserve(tx, clientBasket("d", "203.0.113.1", 1), 1));
}

TEST(SellingRules, AQueuePassMakesOneBasket) {
  InMemorySellingTransaction tx;
  tx.stock[7] = {10, 0, 0};
  Hold first = basket("a", 7, 1, kNow + minutes(10));
  first.queue_pass = "pass-1";
  ASSERT_TRUE(selling::reserve(tx, first));
  Hold again = basket("b", 7, 1, kNow + minutes(10));
  again.queue_pass = "pass-1";
  tx.kept = false;
  auto refused = selling::reserve(tx, again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(tx.kept);
  EXPECT_EQ(tx.stock[7].held, 1);
  again.queue_pass = "pass-2";
  EXPECT_TRUE(selling::reserve(tx, again));
}

// A pending payment of the hold "h" (2 tickets of type 7 at 25.00), its session opened.
Payment pendingPayment(InMemorySellingTransaction& tx) {
  tx.stock[7] = {10, 0, 0};
  EXPECT_TRUE(selling::reserve(tx, basket("h", 7, 2, kNow + minutes(10))));
  Payment request;
  request.order_code = "PAYCODE";
  request.secret = "secret";
  request.hold_id = "h";
  request.idempotency_key = "k";
  request.request_fingerprint = "fp-h";
  request.provider = "stripe";
  request.email = "ann@example.com";
  request.name = "Ann";
  request.total = Money{5000, "GBP"};
  request.created_at = kNow;
  auto started = selling::beginPayment(tx, request, kNow);
  EXPECT_TRUE(started && started->created);
  auto attached = selling::attachSession(
      tx, "PAYCODE", PaymentSession{"cs_1", "https://pay.example/cs_1", kNow + minutes(30)}, kNow);
  EXPECT_TRUE(attached);
  return *attached;
}

PaymentEvent paid(const std::string& id, const std::string& session = "cs_1") {
  return PaymentEvent{
      id, PaymentEvent::Kind::kPaid, "checkout.session.completed", session, "PAYCODE", "pi_1"};
}

PaymentEvent expiredEvent(const std::string& id) {
  return PaymentEvent{
      id, PaymentEvent::Kind::kExpired, "checkout.session.expired", "cs_1", "PAYCODE", ""};
}

const std::vector<std::string> kCodes = {"T1", "T2"};

TEST(PaymentRules, APendingPaymentHoldsItsStockForTheSessionAndIssuesNoTickets) {
  InMemorySellingTransaction tx;
  auto payment = pendingPayment(tx);
  EXPECT_EQ(payment.status, PaymentStatus::kPending);
  EXPECT_EQ(payment.session_id, "cs_1");
  EXPECT_EQ(tx.holds.at("h").expires_at, kNow + minutes(30));
  EXPECT_EQ(tx.stock[7].held, 2);
  EXPECT_TRUE(tx.orders.empty());
  EXPECT_TRUE(tx.tickets.empty());
  // The basket cannot be deleted while it is being paid for, nor checked out again.
  EXPECT_EQ(selling::release(tx, "h", kNow).error().code, ErrorCode::kConflict);
  EXPECT_EQ(selling::checkOut(tx, request("h", "other")).error().code, ErrorCode::kConflict);
}

TEST(PaymentRules, ARetryWithTheKeyGetsThePaymentAndAnotherKeyIsRefused) {
  InMemorySellingTransaction tx;
  auto payment = pendingPayment(tx);
  Payment again = payment;
  again.order_code = "OTHER";
  auto replay = selling::beginPayment(tx, again, kNow);
  ASSERT_TRUE(replay);
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->payment.order_code, "PAYCODE");
  again.request_fingerprint = "another body";
  EXPECT_EQ(selling::beginPayment(tx, again, kNow).error().code, ErrorCode::kUnprocessable);
  again.idempotency_key = "k2";
  EXPECT_EQ(selling::beginPayment(tx, again, kNow).error().code, ErrorCode::kConflict);
}

TEST(PaymentRules, PaidIssuesTicketsOnceWhateverTheOrderOfEvents) {
  InMemorySellingTransaction tx;
  pendingPayment(tx);
  EXPECT_EQ(selling::settle(tx, paid("evt_1"), kCodes, kNow + minutes(5)).value(),
            selling::Settlement::kPaid);
  EXPECT_EQ(tx.orders.at("PAYCODE").order.status, OrderStatus::kPaid);
  EXPECT_EQ(tx.orders.at("PAYCODE").order.tickets.size(), 2u);
  EXPECT_EQ(tx.stock[7].sold, 2);
  EXPECT_EQ(tx.stock[7].held, 0);
  // The same event again, and a late "expired", change nothing.
  EXPECT_EQ(selling::settle(tx, paid("evt_1"), kCodes, kNow).value(),
            selling::Settlement::kDuplicate);
  EXPECT_EQ(selling::settle(tx, expiredEvent("evt_2"), kCodes, kNow).value(),
            selling::Settlement::kUnchanged);
  EXPECT_EQ(selling::settle(tx, paid("evt_3"), kCodes, kNow).value(),
            selling::Settlement::kUnchanged);
  EXPECT_EQ(tx.stock[7].sold, 2);
  EXPECT_TRUE(tx.outbox.empty());
}

TEST(PaymentRules, ExpiredGivesTheStockBackAndALatePaymentTakesItAgainIfLeft) {
  InMemorySellingTransaction tx;
  pendingPayment(tx);
  EXPECT_EQ(selling::settle(tx, expiredEvent("evt_1"), kCodes, kNow + minutes(31)).value(),
            selling::Settlement::kExpired);
  EXPECT_EQ(tx.payments.at("PAYCODE").status, PaymentStatus::kExpired);
  EXPECT_EQ(tx.stock[7].held, 0);
  // The money comes after all (a completion delivered out of order): the stock is still there.
  EXPECT_EQ(selling::settle(tx, paid("evt_2"), kCodes, kNow + minutes(32)).value(),
            selling::Settlement::kPaid);
  EXPECT_EQ(tx.stock[7].sold, 2);
  EXPECT_EQ(tx.orders.at("PAYCODE").order.tickets.size(), 2u);
}

TEST(PaymentRules, ALatePaymentWithTheStockGoneIsRefundedInFullNeverKept) {
  InMemorySellingTransaction tx;
  pendingPayment(tx);
  ASSERT_TRUE(tx.endHold("h", HoldStatus::kExpired));  // the reaper gave the stock back
  tx.stock[7].sold = 9;                                // and others bought it
  EXPECT_EQ(selling::settle(tx, paid("evt_1"), kCodes, kNow + minutes(40)).value(),
            selling::Settlement::kRefundedLate);
  EXPECT_EQ(tx.payments.at("PAYCODE").status, PaymentStatus::kRefunded);
  EXPECT_NE(tx.payments.at("PAYCODE").reason.find("sold out"), std::string::npos);
  EXPECT_TRUE(tx.orders.empty());
  EXPECT_EQ(tx.stock[7].sold, 9);
  ASSERT_EQ(tx.outbox.size(), 1u);
  EXPECT_EQ(tx.outbox[0].kind, outbox_kind::kRefund);
  EXPECT_NE(tx.outbox[0].payload.find("\"amount\":5000"), std::string::npos);
  EXPECT_NE(tx.outbox[0].payload.find("\"payment_reference\":\"pi_1\""), std::string::npos);
}

TEST(PaymentRules, APaymentForAnEventNoLongerOnSaleIsRefunded) {
  InMemorySellingTransaction tx;
  pendingPayment(tx);
  tx.event.status = EventStatus::kCancelled;
  EXPECT_EQ(selling::settle(tx, paid("evt_1"), kCodes, kNow).value(),
            selling::Settlement::kRefundedLate);
  EXPECT_EQ(tx.stock[7].held, 0);
  EXPECT_EQ(tx.outbox.size(), 1u);
}

TEST(PaymentRules, EventsOfAnotherSessionOrOrderAreNotOurs) {
  InMemorySellingTransaction tx;
  pendingPayment(tx);
  EXPECT_EQ(selling::settle(tx, paid("evt_1", "cs_other"), kCodes, kNow).value(),
            selling::Settlement::kUnknown);
  auto stranger = paid("evt_2");
  stranger.order_code = "NOSUCH";
  EXPECT_EQ(selling::settle(tx, stranger, kCodes, kNow).value(), selling::Settlement::kUnknown);
  EXPECT_TRUE(tx.orders.empty());
}

TEST(PaymentRules, CancellingAnOrderPaidOnlineRefundsWhatIsLeftAndTicketsOneAtATime) {
  InMemorySellingTransaction tx;
  pendingPayment(tx);
  ASSERT_TRUE(selling::settle(tx, paid("evt_1"), kCodes, kNow));
  tx.orders.at("PAYCODE").order.provider = "stripe";
  // Staff cancel one ticket: partly refunded, its stock back, its price refunded.
  auto one = selling::cancelTicket(tx, "PAYCODE", "T1", kNow);
  ASSERT_TRUE(one) << one.error().detail;
  EXPECT_EQ(one->status, OrderStatus::kPartiallyRefunded);
  EXPECT_EQ(tx.stock[7].sold, 1);
  ASSERT_EQ(tx.outbox.size(), 1u);
  EXPECT_NE(tx.outbox[0].payload.find("\"amount\":2500"), std::string::npos);
  EXPECT_EQ(selling::cancelTicket(tx, "PAYCODE", "T1", kNow).error().code, ErrorCode::kGone);
  EXPECT_EQ(selling::cancelTicket(tx, "PAYCODE", "nope", kNow).error().code, ErrorCode::kNotFound);
  // The buyer cancels the rest: refunded, the other 25.00 back.
  auto rest = selling::cancel(tx, "PAYCODE", kNow);
  ASSERT_TRUE(rest) << rest.error().detail;
  EXPECT_EQ(rest->status, OrderStatus::kRefunded);
  EXPECT_EQ(tx.stock[7].sold, 0);
  ASSERT_EQ(tx.outbox.size(), 2u);
  EXPECT_NE(tx.outbox[1].payload.find("\"amount\":2500"), std::string::npos);
}

TEST(PaymentRules, ABoxOfficeOrderIsCancelledWithoutARefundCall) {
  InMemorySellingTransaction tx;
  tx.stock[7] = {10, 0, 0};
  ASSERT_TRUE(selling::reserve(tx, basket("h", 7, 2, kNow + minutes(10))));
  ASSERT_TRUE(selling::checkOut(tx, request("h", "k")));
  auto last = selling::cancelTicket(tx, "ORDERk", "T1-k", kNow);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, OrderStatus::kPartiallyRefunded);
  auto both = selling::cancelTicket(tx, "ORDERk", "T2-k", kNow);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, OrderStatus::kCancelled);
  EXPECT_TRUE(tx.outbox.empty());
  EXPECT_EQ(tx.stock[7].sold, 0);
}

}  // namespace
}  // namespace tickets
