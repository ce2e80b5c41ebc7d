#include "storage/sqlite/sqlite_ticketing.h"
#include "storage/sql_values.h"

#include <algorithm>

namespace tickets {
namespace {

using sql::containsPattern;
using sql::fromUnix;
using sql::optionalTime;
using sql::optionalUnix;
using sql::unixSeconds;

using sqlite::Connection;
using sqlite::Query;

std::vector<HoldItem> loadItems(Connection& conn, const std::string& hold_id) {
  Query q(conn.prepare(
      "SELECT i.ticket_type_id, t.event_id, t.name, i.quantity, i.unit_price, i.currency "
      "FROM hold_items i JOIN ticket_types t ON t.id = i.ticket_type_id "
      "WHERE i.hold_id = ?1 ORDER BY i.ticket_type_id"));
  q.bind(1, hold_id);
  std::vector<HoldItem> items;
  while (q.step()) {
    items.push_back(HoldItem{q.getInt(0), q.getInt(1), q.getText(2), q.getInt(3),
                             Money{q.getInt(4), q.getText(5)}});
  }
  return items;
}

std::optional<Hold> loadHold(Connection& conn, const std::string& id) {
  Hold hold;
  {
    Query q(conn.prepare("SELECT status, created_at, expires_at FROM holds WHERE id = ?1"));
    q.bind(1, id);
    if (!q.step()) {
      return std::nullopt;
    }
    hold.id = id;
    hold.status = parseHoldStatus(q.getText(0)).value_or(HoldStatus::kExpired);
    hold.created_at = fromUnix(q.getInt(1));
    hold.expires_at = fromUnix(q.getInt(2));
  }
  hold.items = loadItems(conn, id);
  return hold;
}

// Ends an active hold (released or expired) and gives its stock back; false if not active.
bool endActiveHold(Connection& conn, const std::string& id, HoldStatus status) {
  {
    Query q(conn.prepare("UPDATE holds SET status = ?2 WHERE id = ?1 AND status = 'active'"));
    q.bind(1, id).bind(2, toString(status));
    q.run();
  }
  if (conn.changes() == 0) {
    return false;
  }
  Query q(
      conn.prepare("UPDATE ticket_types SET held = held - (SELECT quantity FROM hold_items "
                   "WHERE hold_id = ?1 AND ticket_type_id = ticket_types.id) "
                   "WHERE id IN (SELECT ticket_type_id FROM hold_items WHERE hold_id = ?1)"));
  q.bind(1, id);
  q.run();
  return true;
}

// The events of a hold's items, as the selling rules need them.
std::vector<EventState> loadEventStates(Connection& conn, const std::string& hold_id) {
  Query q(conn.prepare(
      "SELECT DISTINCT e.id, e.name, e.status, e.starts_at FROM hold_items i "
      "JOIN ticket_types t ON t.id = i.ticket_type_id JOIN events e ON e.id = t.event_id "
      "WHERE i.hold_id = ?1 ORDER BY e.id"));
  q.bind(1, hold_id);
  std::vector<EventState> events;
  while (q.step()) {
    events.push_back(EventState{q.getInt(0), q.getText(1),
                                parseEventStatus(q.getText(2)).value_or(EventStatus::kDraft),
                                fromUnix(q.getInt(3))});
  }
  return events;
}

// Takes (or, with a negative quantity, gives back) held stock if there is enough.
bool holdStock(Connection& conn, TicketTypeId type, int64_t quantity) {
  Query q(conn.prepare(
      "UPDATE ticket_types SET held = held + ?2 WHERE id = ?1 AND sold + held + ?2 <= capacity"));
  q.bind(1, type).bind(2, quantity);
  q.run();
  return conn.changes() == 1;
}

// Holds every item's quantity, all or nothing: the first ticket type short of stock, with nothing
// changed, or nullopt once all is held.
std::optional<TicketTypeId> holdAll(Connection& conn, const std::vector<HoldItem>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (!holdStock(conn, items[i].ticket_type_id, items[i].quantity)) {
      for (size_t j = 0; j < i; ++j) {  // what the others took goes back
        holdStock(conn, items[j].ticket_type_id, -items[j].quantity);
      }
      return items[i].ticket_type_id;
    }
  }
  return std::nullopt;
}

int64_t availableOf(Connection& conn, TicketTypeId id) {
  Query q(conn.prepare("SELECT max(capacity - sold - held, 0) FROM ticket_types WHERE id = ?1"));
  q.bind(1, id);
  return q.step() ? q.getInt(0) : 0;
}

std::optional<Ticket> loadTicket(Connection& conn, const std::string& code) {
  Query q(conn.prepare(
      "SELECT ticket_type_id, event_id, voided, checked_in_at FROM tickets WHERE code = ?1"));
  q.bind(1, code);
  if (!q.step()) {
    return std::nullopt;
  }
  return Ticket{code, q.getInt(0), q.getInt(1), q.getInt(2) != 0,
                optionalTime(q.getOptionalInt(3))};
}

// The order with its items and tickets, the hold it was made from and its payment's reference.
std::optional<LockedOrder> loadLockedOrder(Connection& conn, const std::string& code) {
  LockedOrder locked;
  Order& order = locked.order;
  {
    Query q(conn.prepare(
        "SELECT o.secret, o.status, o.email, o.name, o.total, o.currency, o.created_at, "
        "o.hold_id, o.refunded_total, o.payment_reference, p.provider "
        "FROM orders o LEFT JOIN payments p ON p.order_code = o.code WHERE o.code = ?1"));
    q.bind(1, code);
    if (!q.step()) {
      return std::nullopt;
    }
    order.code = code;
    order.secret = q.getText(0);
    order.status = parseOrderStatus(q.getText(1)).value_or(OrderStatus::kPaid);
    order.email = q.getText(2);
    order.name = q.getText(3);
    order.total = Money{q.getInt(4), q.getText(5)};
    order.created_at = fromUnix(q.getInt(6));
    locked.hold_id = q.getText(7);
    order.refunded = Money{q.getInt(8), order.total.currency};
    locked.payment_reference = q.getText(9);
    order.provider = q.isNull(10) ? "box_office" : q.getText(10);
    if (order.status == OrderStatus::kPaid && order.refunded.amount > 0) {
      order.status = OrderStatus::kPartiallyRefunded;
    }
  }
  order.items = loadItems(conn, locked.hold_id);
  Query q(
      conn.prepare("SELECT code, ticket_type_id, event_id, voided, checked_in_at FROM tickets "
                   "WHERE order_code = ?1 ORDER BY ticket_type_id, code"));
  q.bind(1, code);
  while (q.step()) {
    Ticket t;
    t.code = q.getText(0);
    t.ticket_type_id = q.getInt(1);
    t.event_id = q.getInt(2);
    t.void_ = q.getInt(3) != 0;
    if (!q.isNull(4)) {
      t.checked_in_at = fromUnix(q.getInt(4));
    }
    order.tickets.push_back(std::move(t));
  }
  return locked;
}

std::optional<Order> loadOrder(Connection& conn, const std::string& code) {
  auto locked = loadLockedOrder(conn, code);
  if (!locked) {
    return std::nullopt;
  }
  return std::move(locked->order);
}

constexpr const char* kPaymentColumns =
    "order_code, secret, hold_id, idempotency_key, request_fingerprint, provider, status, email, "
    "name, total, currency, session_id, payment_url, session_expires_at, payment_reference, "
    "reason, created_at";

Payment paymentOf(Query& q) {
  Payment p;
  p.order_code = q.getText(0);
  p.secret = q.getText(1);
  p.hold_id = q.getText(2);
  p.idempotency_key = q.getText(3);
  p.request_fingerprint = q.getText(4);
  p.provider = q.getText(5);
  p.status = parsePaymentStatus(q.getText(6)).value_or(PaymentStatus::kExpired);
  p.email = q.getText(7);
  p.name = q.getText(8);
  p.total = Money{q.getInt(9), q.getText(10)};
  p.session_id = q.isNull(11) ? "" : q.getText(11);
  p.payment_url = q.isNull(12) ? "" : q.getText(12);
  p.session_expires_at = optionalTime(q.getOptionalInt(13));
  p.payment_reference = q.isNull(14) ? "" : q.getText(14);
  p.reason = q.isNull(15) ? "" : q.getText(15);
  p.created_at = fromUnix(q.getInt(16));
  return p;
}

std::optional<Payment> loadPayment(Connection& conn, const char* column, const std::string& value,
                                   bool with_items = false) {
  Query q(conn.prepare(std::string("SELECT ") + kPaymentColumns + " FROM payments WHERE " + column +
                       " = ?1"));
  q.bind(1, value);
  if (!q.step()) {
    return std::nullopt;
  }
  auto payment = paymentOf(q);
  if (with_items) {
    payment.items = loadItems(conn, payment.hold_id);
  }
  return payment;
}

// The primitive operations of a selling rule, inside one unit of the writer's batch: the
// writer holds SQLite's only write lock, so what it reads cannot change under it.
class Transaction final : public SellingTransaction {
 public:
  Transaction(Connection& conn, WriteUnit& unit) : conn_(conn), unit_(unit) {}

  std::optional<Hold> lockHold(const std::string& id) override { return loadHold(conn_, id); }

  std::optional<LockedOrder> lockOrder(const std::string& code) override {
    return loadLockedOrder(conn_, code);
  }

  std::optional<Payment> lockPayment(const std::string& code) override {
    return loadPayment(conn_, "order_code", code);
  }
  std::optional<Payment> paymentOfKey(const std::string& key) override {
    return loadPayment(conn_, "idempotency_key", key);
  }
  std::optional<Payment> paymentOfHold(const std::string& hold_id) override {
    return loadPayment(conn_, "hold_id", hold_id);
  }

  void insertPayment(const Payment& p) override {
    Query q(conn_.prepare(
        "INSERT INTO payments (order_code, secret, hold_id, idempotency_key, "
        "request_fingerprint, provider, status, email, name, total, currency, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"));
    q.bind(1, p.order_code)
        .bind(2, p.secret)
        .bind(3, p.hold_id)
        .bind(4, p.idempotency_key)
        .bind(5, p.request_fingerprint)
        .bind(6, p.provider)
        .bind(7, toString(p.status))
        .bind(8, p.email)
        .bind(9, p.name)
        .bind(10, p.total.amount)
        .bind(11, p.total.currency)
        .bind(12, unixSeconds(p.created_at));
    q.run();
  }

  void updatePayment(const Payment& p, SystemTime now) override {
    Query q(conn_.prepare(
        "UPDATE payments SET status = ?2, session_id = NULLIF(?3, ''), "
        "payment_url = NULLIF(?4, ''), session_expires_at = ?5, "
        "payment_reference = NULLIF(?6, ''), reason = NULLIF(?7, ''), updated_at = ?8 "
        "WHERE order_code = ?1"));
    q.bind(1, p.order_code)
        .bind(2, toString(p.status))
        .bind(3, p.session_id)
        .bind(4, p.payment_url)
        .bind(5, optionalUnix(p.session_expires_at))
        .bind(6, p.payment_reference)
        .bind(7, p.reason)
        .bind(8, unixSeconds(now));
    q.run();
  }

  bool recordPaymentEvent(const std::string& id, SystemTime now) override {
    Query q(conn_.prepare(
        "INSERT INTO payment_events (id, received_at) VALUES (?1, ?2) ON CONFLICT (id) DO "
        "NOTHING"));
    q.bind(1, id).bind(2, unixSeconds(now));
    q.run();
    return conn_.changes() == 1;
  }

  void extendHold(const std::string& hold_id, SystemTime expires_at) override {
    Query q(conn_.prepare("UPDATE holds SET expires_at = ?2 WHERE id = ?1 AND status = 'active'"));
    q.bind(1, hold_id).bind(2, unixSeconds(expires_at));
    q.run();
  }

  bool retakeStock(const Hold& hold, SystemTime expires_at) override {
    if (holdAll(conn_, hold.items)) {
      return false;
    }
    Query q(conn_.prepare("UPDATE holds SET status = 'active', expires_at = ?2 WHERE id = ?1"));
    q.bind(1, hold.id).bind(2, unixSeconds(expires_at));
    q.run();
    return true;
  }

  void enqueue(const NewOutboxMessage& m, SystemTime now) override {
    Query q(
        conn_.prepare("INSERT INTO outbox (kind, aggregate, payload, created_at, next_attempt_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?4)"));
    q.bind(1, m.kind).bind(2, m.aggregate).bind(3, m.payload).bind(4, unixSeconds(now));
    q.run();
  }

  std::optional<KeyedOrder> orderOfKey(const std::string& key) override {
    Query q(
        conn_.prepare("SELECT code, request_fingerprint FROM orders WHERE idempotency_key = ?1"));
    q.bind(1, key);
    if (!q.step()) {
      return std::nullopt;
    }
    return KeyedOrder{q.getText(0), q.getText(1)};
  }

  CheckoutView checkoutView(const std::string& hold_id, const std::string& key) override {
    CheckoutView view{orderOfKey(key), loadHold(conn_, hold_id), {}};
    if (view.hold) {
      view.events = loadEventStates(conn_, hold_id);
      auto payment = paymentOfHold(hold_id);
      view.paying = payment && payment->status == PaymentStatus::kPending;
    }
    return view;
  }

  std::optional<Order> order(const std::string& code) override { return loadOrder(conn_, code); }
  std::optional<Ticket> ticket(const std::string& code) override { return loadTicket(conn_, code); }
  std::vector<EventState> eventsOfHold(const std::string& hold_id) override {
    return loadEventStates(conn_, hold_id);
  }
  int64_t available(TicketTypeId type) override { return availableOf(conn_, type); }

  bool claimQueuePass(const std::string& pass, const std::string& hold_id) override {
    Query q(conn_.prepare(
        "INSERT INTO queue_passes (pass, hold_id, used_at) VALUES (?1, ?2, unixepoch()) "
        "ON CONFLICT (pass) DO NOTHING"));
    q.bind(1, pass).bind(2, hold_id);
    q.run();
    return conn_.changes() == 1;
  }

  int64_t liveHoldsOf(const std::string& client, const std::vector<EventId>& events,
                      SystemTime now) override {
    int64_t live = 0;
    for (EventId event : events) {
      Query q(conn_.prepare(
          "SELECT count(*) FROM holds h WHERE h.client = ?1 AND h.status = 'active' "
          "AND h.expires_at > ?2 AND EXISTS (SELECT 1 FROM hold_items i JOIN ticket_types t "
          "ON t.id = i.ticket_type_id WHERE i.hold_id = h.id AND t.event_id = ?3)"));
      q.bind(1, client).bind(2, unixSeconds(now)).bind(3, event);
      q.step();
      live = std::max(live, q.getInt(0));
    }
    return live;
  }

  std::optional<TicketTypeId> takeStock(const Hold& hold) override {
    if (auto short_type = holdAll(conn_, hold.items)) {
      return short_type;
    }
    {
      Query q(
          conn_.prepare("INSERT INTO holds (id, status, created_at, expires_at, client) "
                        "VALUES (?1, 'active', ?2, ?3, ?4)"));
      q.bind(1, hold.id)
          .bind(2, unixSeconds(hold.created_at))
          .bind(3, unixSeconds(hold.expires_at));
      if (hold.client.empty()) {
        q.bind(4, std::nullopt);
      } else {
        q.bind(4, hold.client);
      }
      q.run();
    }
    for (const auto& item : hold.items) {
      Query q(conn_.prepare(
          "INSERT INTO hold_items (hold_id, ticket_type_id, quantity, unit_price, currency) "
          "VALUES (?1, ?2, ?3, ?4, ?5)"));
      q.bind(1, hold.id)
          .bind(2, item.ticket_type_id)
          .bind(3, item.quantity)
          .bind(4, item.unit_price.amount)
          .bind(5, item.unit_price.currency);
      q.run();
    }
    return std::nullopt;
  }

  bool endHold(const std::string& id, HoldStatus status) override {
    return endActiveHold(conn_, id, status);
  }

  void sell(const Order& paid, const NewOrder& request, const std::string& hold_id) override {
    {
      Query q(conn_.prepare("UPDATE holds SET status = 'checked_out' WHERE id = ?1"));
      q.bind(1, hold_id);
      q.run();
    }
    for (const auto& item : paid.items) {
      Query q(conn_.prepare(
          "UPDATE ticket_types SET held = held - ?2, sold = sold + ?2 WHERE id = ?1"));
      q.bind(1, item.ticket_type_id).bind(2, item.quantity);
      q.run();
    }
    {
      Query q(conn_.prepare(
          "INSERT INTO orders (code, secret, hold_id, idempotency_key, request_fingerprint, "
          "status, email, name, total, currency, payment_reference, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, 'paid', ?6, ?7, ?8, ?9, ?10, ?11, ?11)"));
      q.bind(1, paid.code)
          .bind(2, paid.secret)
          .bind(3, hold_id)
          .bind(4, request.idempotency_key)
          .bind(5, request.request_fingerprint)
          .bind(6, paid.email)
          .bind(7, paid.name)
          .bind(8, paid.total.amount)
          .bind(9, paid.total.currency)
          .bind(10, request.payment_reference)
          .bind(11, unixSeconds(paid.created_at));
      q.run();
    }
    for (const auto& ticket : paid.tickets) {
      Query q(
          conn_.prepare("INSERT INTO tickets (code, order_code, ticket_type_id, event_id) VALUES "
                        "(?1, ?2, ?3, ?4)"));
      q.bind(1, ticket.code)
          .bind(2, paid.code)
          .bind(3, ticket.ticket_type_id)
          .bind(4, ticket.event_id);
      q.run();
    }
  }

  void cancel(const LockedOrder& locked, OrderStatus status, SystemTime now) override {
    {
      Query q(
          conn_.prepare("UPDATE orders SET status = ?2, refunded_total = total, updated_at = ?3 "
                        "WHERE code = ?1"));
      q.bind(1, locked.order.code).bind(2, toString(status)).bind(3, unixSeconds(now));
      q.run();
    }
    {
      // The stock of the tickets still valid goes back (some may have been cancelled alone).
      Query q(conn_.prepare(
          "UPDATE ticket_types SET sold = sold - (SELECT count(*) FROM tickets k "
          "WHERE k.order_code = ?1 AND k.voided = 0 AND k.ticket_type_id = ticket_types.id) "
          "WHERE id IN (SELECT ticket_type_id FROM tickets WHERE order_code = ?1)"));
      q.bind(1, locked.order.code);
      q.run();
    }
    Query q(conn_.prepare("UPDATE tickets SET voided = 1 WHERE order_code = ?1"));
    q.bind(1, locked.order.code);
    q.run();
  }

  void cancelTicket(const LockedOrder& locked, const Ticket& ticket, int64_t refund,
                    OrderStatus status, SystemTime now) override {
    {
      Query q(conn_.prepare("UPDATE tickets SET voided = 1 WHERE code = ?1 AND voided = 0"));
      q.bind(1, ticket.code);
      q.run();
    }
    {
      Query q(conn_.prepare("UPDATE ticket_types SET sold = sold - 1 WHERE id = ?1"));
      q.bind(1, ticket.ticket_type_id);
      q.run();
    }
    // Partly refunded is a paid order with something refunded.
    const OrderStatus stored =
        status == OrderStatus::kPartiallyRefunded ? OrderStatus::kPaid : status;
    Query q(conn_.prepare(
        "UPDATE orders SET status = ?2, refunded_total = refunded_total + ?3, updated_at = ?4 "
        "WHERE code = ?1"));
    q.bind(1, locked.order.code)
        .bind(2, toString(stored))
        .bind(3, refund)
        .bind(4, unixSeconds(now));
    q.run();
  }

  std::optional<Ticket> admit(const std::string& code, EventId event, SystemTime now) override {
    {
      Query q(conn_.prepare(
          "UPDATE tickets SET checked_in_at = ?2 WHERE code = ?1 AND event_id = ?3 AND voided = 0 "
          "AND checked_in_at IS NULL"));
      q.bind(1, code).bind(2, unixSeconds(now)).bind(3, event);
      q.run();
    }
    if (conn_.changes() != 1) {
      return std::nullopt;
    }
    return loadTicket(conn_, code);
  }

  void keep() override { unit_.commit(); }

 private:
  Connection& conn_;
  WriteUnit& unit_;
};

}  // namespace

std::vector<TicketTypeOffer> SqliteTicketing::offers(const std::vector<TicketTypeId>& ids) {
  auto conn = acquire_();
  std::vector<TicketTypeOffer> offers;
  for (TicketTypeId id : ids) {
    Query q(conn->prepare(
        "SELECT t.id, t.event_id, t.name, t.price, t.currency, t.capacity, t.sold, t.held, "
        "e.name, e.status, e.sale_starts_at, e.sale_ends_at, e.max_tickets_per_order "
        "FROM ticket_types t JOIN events e ON e.id = t.event_id WHERE t.id = ?1"));
    q.bind(1, id);
    if (!q.step()) {
      continue;
    }
    TicketTypeOffer offer;
    offer.type =
        TicketType{q.getInt(0), q.getInt(1), q.getText(2), Money{q.getInt(3), q.getText(4)},
                   q.getInt(5), q.getInt(6), q.getInt(7)};
    offer.event.id = q.getInt(1);
    offer.event.name = q.getText(8);
    offer.event.status = parseEventStatus(q.getText(9)).value_or(EventStatus::kDraft);
    if (auto s = q.getOptionalInt(10)) {
      offer.event.sale_starts_at = fromUnix(*s);
    }
    if (auto s = q.getOptionalInt(11)) {
      offer.event.sale_ends_at = fromUnix(*s);
    }
    offer.event.max_tickets_per_order = static_cast<int>(q.getInt(12));
    offers.push_back(std::move(offer));
  }
  return offers;
}

void SqliteTicketing::write(const WriteScope&, const Work& work) {
  batch_.run<bool>(0, {}, [&](Connection& conn, WriteUnit& unit) {
    Transaction tx(conn, unit);
    work(tx);
    return true;
  });
}

std::optional<Hold> SqliteTicketing::findHold(const std::string& id) {
  auto conn = acquire_();
  return loadHold(*conn, id);
}

std::optional<HoldWithEvents> SqliteTicketing::findHoldWithEvents(const std::string& id) {
  auto conn = acquire_();
  auto hold = loadHold(*conn, id);
  if (!hold) {
    return std::nullopt;
  }
  return HoldWithEvents{std::move(*hold), loadEventStates(*conn, id)};
}

int64_t SqliteTicketing::expireHolds(SystemTime now, std::optional<TicketTypeId> of_type,
                                     int64_t limit) {
  return batch_.run<int64_t>(0, {}, [&](Connection& db, WriteUnit& tx) -> int64_t {
    Connection* conn = &db;
    std::vector<std::string> ids;
    {
      Query q(conn->prepare(
          of_type ? "SELECT h.id FROM holds h JOIN hold_items i ON i.hold_id = h.id "
                    "WHERE i.ticket_type_id = ?3 AND h.status = 'active' AND h.expires_at <= ?1 "
                    "ORDER BY h.expires_at LIMIT ?2"
                  : "SELECT id FROM holds WHERE status = 'active' AND expires_at <= ?1 "
                    "ORDER BY expires_at LIMIT ?2"));
      q.bind(1, unixSeconds(now)).bind(2, limit);
      if (of_type) {
        q.bind(3, *of_type);
      }
      while (q.step()) {
        ids.push_back(q.getText(0));
      }
    }
    int64_t expired = 0;
    for (const auto& id : ids) {
      expired += endActiveHold(*conn, id, HoldStatus::kExpired) ? 1 : 0;
    }
    tx.commit();
    return expired;
  });
}

int64_t SqliteTicketing::purgeEndedHolds(SystemTime ended_before, int64_t limit) {
  return batch_.run<int64_t>(0, {}, [&](Connection& conn, WriteUnit& tx) -> int64_t {
    // No order refers to a released or expired hold.
    constexpr const char* kEnded =
        "SELECT id FROM holds WHERE status IN ('released', 'expired') AND expires_at < ?1 "
        "AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.hold_id = holds.id) "
        "ORDER BY expires_at LIMIT ?2";
    {
      Query q(
          conn.prepare(std::string("DELETE FROM hold_items WHERE hold_id IN (") + kEnded + ")"));
      q.bind(1, unixSeconds(ended_before)).bind(2, limit);
      q.run();
    }
    Query q(conn.prepare(std::string("DELETE FROM holds WHERE id IN (") + kEnded + ")"));
    q.bind(1, unixSeconds(ended_before)).bind(2, limit);
    q.run();
    tx.commit();
    return conn.changes();
  });
}

InvariantReport SqliteTicketing::checkInvariant() {
  auto conn = acquire_();
  // One statement: one consistent snapshot of the counters and the tickets.
  Query q(
      conn->prepare("SELECT COALESCE(sum(t.sold + t.held > t.capacity), 0), "
                    "COALESCE(sum(t.sold <> (SELECT count(*) FROM tickets k "
                    "WHERE k.ticket_type_id = t.id AND k.voided = 0)), 0) FROM ticket_types t"));
  q.step();
  return InvariantReport{q.getInt(0), q.getInt(1)};
}

std::optional<Order> SqliteTicketing::findOrder(const std::string& code) {
  auto conn = acquire_();
  return loadOrder(*conn, code);
}

std::optional<EventStats> SqliteTicketing::stats(EventId event) {
  auto conn = acquire_();
  EventStats stats;
  {
    Query q(conn->prepare("SELECT 1 FROM events WHERE id = ?1"));
    q.bind(1, event);
    if (!q.step()) {
      return std::nullopt;
    }
  }
  {
    Query q(conn->prepare(
        "SELECT COALESCE(sum(sold), 0), COALESCE(sum(held), 0), COALESCE(sum(capacity), 0), "
        "COALESCE(sum(max(capacity - sold - held, 0)), 0), min(currency) "
        "FROM ticket_types WHERE event_id = ?1"));
    q.bind(1, event);
    q.step();
    stats.sold = q.getInt(0);
    stats.held = q.getInt(1);
    stats.capacity = q.getInt(2);
    stats.available = q.getInt(3);
    stats.currency = q.getText(4);
  }
  {
    Query q(
        conn->prepare("SELECT count(*) FROM tickets WHERE event_id = ?1 AND voided = 0 "
                      "AND checked_in_at IS NOT NULL"));
    q.bind(1, event);
    q.step();
    stats.checked_in = q.getInt(0);
  }
  // What the valid tickets of paid orders were sold for: cancelled tickets were refunded.
  Query q(conn->prepare(
      "SELECT COALESCE(sum(i.unit_price), 0) FROM tickets k "
      "JOIN orders o ON o.code = k.order_code "
      "JOIN hold_items i ON i.hold_id = o.hold_id AND i.ticket_type_id = k.ticket_type_id "
      "WHERE k.event_id = ?1 AND k.voided = 0 AND o.status = 'paid'"));
  q.bind(1, event);
  q.step();
  stats.revenue = q.getInt(0);
  return stats;
}

std::optional<SalesSeries> SqliteTicketing::salesOverTime(EventId event,
                                                          std::chrono::seconds bucket) {
  auto conn = acquire_();
  SalesSeries series;
  series.bucket = bucket;
  {
    Query q(conn->prepare(
        "SELECT COALESCE((SELECT min(currency) FROM ticket_types WHERE event_id = e.id), '') "
        "FROM events e WHERE e.id = ?1"));
    q.bind(1, event);
    if (!q.step()) {
      return std::nullopt;
    }
    series.currency = q.getText(0);
  }
  // Each ticket joins its order's one hold line of its ticket type, which has its price.
  Query q(conn->prepare(
      "SELECT at, tickets, orders, revenue FROM ("
      " SELECT (o.created_at / ?2) * ?2 AS at, count(*) AS tickets,"
      "  count(DISTINCT o.code) AS orders, sum(i.unit_price) AS revenue"
      " FROM tickets t JOIN orders o ON o.code = t.order_code"
      " JOIN hold_items i ON i.hold_id = o.hold_id AND i.ticket_type_id = t.ticket_type_id"
      " WHERE t.event_id = ?1 AND t.voided = 0 AND o.status = 'paid'"
      " GROUP BY at ORDER BY at DESC LIMIT ?3) ORDER BY at"));
  q.bind(1, event);
  q.bind(2, static_cast<int64_t>(bucket.count()));
  q.bind(3, static_cast<int64_t>(kMaxSalesPoints));
  while (q.step()) {
    series.points.push_back(SalesPoint{SystemTime(std::chrono::seconds(q.getInt(0))), q.getInt(1),
                                       q.getInt(2), q.getInt(3)});
  }
  return series;
}

}  // namespace tickets

namespace tickets {

int64_t SqliteTicketing::countLiveHolds(SystemTime now) {
  auto conn = acquire_();
  sqlite::Query q(
      conn->prepare("SELECT count(*) FROM holds WHERE status = 'active' AND expires_at > ?1"));
  q.bind(1, now.time_since_epoch().count());
  q.step();
  return q.getInt(0);
}

}  // namespace tickets

namespace tickets {

std::optional<Ticket> SqliteTicketing::findTicket(const std::string& code) {
  auto conn = acquire_();
  return loadTicket(*conn, code);
}

void SqliteTicketing::notePaymentChecked(const std::string& order_code, SystemTime now) {
  batch_.run<bool>(0, {}, [&](sqlite::Connection& conn, WriteUnit& tx) {
    sqlite::Query q(conn.prepare("UPDATE payments SET checked_at = ?2 WHERE order_code = ?1"));
    q.bind(1, order_code).bind(2, unixSeconds(now));
    q.run();
    tx.commit();
    return true;
  });
}

std::optional<Payment> SqliteTicketing::findPayment(const std::string& order_code) {
  auto conn = acquire_();
  return loadPayment(*conn, "order_code", order_code, true);
}

std::vector<Payment> SqliteTicketing::stalePayments(SystemTime due, SystemTime unopened_before,
                                                    int64_t limit) {
  auto conn = acquire_();
  sqlite::Query q(conn->prepare(
      std::string("SELECT ") + kPaymentColumns +
      " FROM payments WHERE status = 'pending_payment' AND ((session_id IS NOT NULL AND "
      "created_at < ?1 AND (checked_at IS NULL OR checked_at < ?1)) OR (session_id IS NULL AND "
      "created_at < ?2)) ORDER BY coalesce(checked_at, 0), created_at LIMIT ?3"));
  q.bind(1, unixSeconds(due)).bind(2, unixSeconds(unopened_before)).bind(3, limit);
  std::vector<Payment> payments;
  while (q.step()) {
    payments.push_back(paymentOf(q));
  }
  return payments;
}

}  // namespace tickets
