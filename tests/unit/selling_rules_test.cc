// The selling rules against an in-memory test double of the store's primitive operations: what
// each rule decides, and that a refusal keeps nothing unless the rule gives stock back.
#include "domain/selling_rules.h"

#include <gtest/gtest.h>

#include <map>

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
    orders[paid.code] = LockedOrder{paid, hold_id};
    keys[request.idempotency_key] = paid.code;
    fingerprints[request.idempotency_key] = request.request_fingerprint;
    for (const auto& t : paid.tickets) {
      tickets[t.code] = t;
    }
  }
  void cancel(const LockedOrder& locked, SystemTime) override {
    auto& order = orders.at(locked.order.code).order;
    order.status = OrderStatus::kCancelled;
    for (const auto& t : order.tickets) {
      tickets.at(t.code).void_ = true;
    }
    for (const auto& item : order.items) {
      stock[item.ticket_type_id].sold -= item.quantity;
    }
  }
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

}  // namespace
}  // namespace tickets
