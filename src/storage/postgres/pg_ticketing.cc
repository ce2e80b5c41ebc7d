// Holds, orders, tickets and check-in on PostgreSQL.
//
// Locking design: stock lives in two counters per ticket type (held, sold) changed only by
// conditional updates, e.g. UPDATE ... SET held = held + q WHERE sold + held + q <= capacity.
// Under READ COMMITTED a concurrent update of the same row waits for the other transaction and
// re-checks the condition on the committed row, so no interleaving can oversell, and the table's
// CHECK (sold + held <= capacity) guards it a second time. Rows are locked in ticket type id
// order. See docs/architecture.md for the throughput limit this implies.
#include <algorithm>
#include <bit>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "storage/group_commit.h"
#include "storage/postgres/pg_database.h"
#include "storage/sql_values.h"

namespace tickets {
namespace {

using sql::containsPattern;
using sql::fromUnix;
using sql::optionalTime;
using sql::optionalUnix;
using sql::unixSeconds;

using pg::param;
using pg::Param;

std::vector<HoldItem> loadItems(pg::Connection& conn, const std::string& hold_id) {
  auto r = conn.execute(
      "hold_items",
      "SELECT i.ticket_type_id, t.event_id, t.name, i.quantity, i.unit_price, i.currency "
      "FROM hold_items i JOIN ticket_types t ON t.id = i.ticket_type_id "
      "WHERE i.hold_id = $1 ORDER BY i.ticket_type_id",
      {param(hold_id)});
  std::vector<HoldItem> items;
  for (int row = 0; row < r.rows(); ++row) {
    items.push_back(HoldItem{r.integer(row, 0), r.integer(row, 1), std::string(r.text(row, 2)),
                             r.integer(row, 3),
                             Money{r.integer(row, 4), std::string(r.text(row, 5))}});
  }
  return items;
}

// The hold in `r`, whose rows are one per item (or one with no item): its status, created_at,
// expires_at (epoch seconds), then each item's ticket type, event, name, quantity, unit price
// and currency, from column `first` on.
Hold readHold(const pg::Result& r, const std::string& id, int first) {
  Hold hold;
  hold.id = id;
  hold.status = parseHoldStatus(r.text(0, first)).value_or(HoldStatus::kExpired);
  hold.created_at = fromUnix(r.integer(0, first + 1));
  hold.expires_at = fromUnix(r.integer(0, first + 2));
  const int item = first + 3;
  for (int row = 0; row < r.rows(); ++row) {
    if (!r.isNull(row, item)) {
      hold.items.push_back(
          HoldItem{r.integer(row, item), r.integer(row, item + 1),
                   std::string(r.text(row, item + 2)), r.integer(row, item + 3),
                   Money{r.integer(row, item + 4), std::string(r.text(row, item + 5))}});
    }
  }
  return hold;
}

// The hold with its items, in one query, locked for update (so that its status cannot change
// under us).
std::optional<Hold> loadLockedHold(pg::Connection& conn, const std::string& id) {
  auto r = conn.execute("hold_for_update",
                        "WITH h AS (SELECT id, status, created_at, expires_at FROM holds "
                        "WHERE id = $1 FOR UPDATE) "
                        "SELECT h.status, extract(epoch FROM h.created_at)::bigint, "
                        "extract(epoch FROM h.expires_at)::bigint, i.ticket_type_id, "
                        "t.event_id, t.name, i.quantity, i.unit_price, i.currency FROM h "
                        "LEFT JOIN hold_items i ON i.hold_id = h.id "
                        "LEFT JOIN ticket_types t ON t.id = i.ticket_type_id "
                        "ORDER BY i.ticket_type_id",
                        {param(id)});
  if (r.rows() == 0) {
    return std::nullopt;
  }
  return readHold(r, id, 0);
}

// The hold with its items and their events, in one query, unlocked.
std::optional<HoldWithEvents> loadHoldWithEvents(pg::Connection& conn, const std::string& id) {
  auto r = conn.execute(
      "hold_with_events",
      "SELECT h.status, extract(epoch FROM h.created_at)::bigint, "
      "extract(epoch FROM h.expires_at)::bigint, i.ticket_type_id, t.event_id, t.name, "
      "i.quantity, i.unit_price, i.currency, e.name, e.status, "
      "extract(epoch FROM e.starts_at)::bigint "
      "FROM holds h LEFT JOIN hold_items i ON i.hold_id = h.id "
      "LEFT JOIN ticket_types t ON t.id = i.ticket_type_id "
      "LEFT JOIN events e ON e.id = t.event_id WHERE h.id = $1 ORDER BY i.ticket_type_id",
      {param(id)});
  if (r.rows() == 0) {
    return std::nullopt;
  }
  HoldWithEvents found{readHold(r, id, 0), {}};
  std::map<EventId, EventState> events;
  for (int row = 0; row < r.rows(); ++row) {
    if (!r.isNull(row, 4)) {
      events.try_emplace(r.integer(row, 4),
                         EventState{r.integer(row, 4), std::string(r.text(row, 9)),
                                    parseEventStatus(r.text(row, 10)).value_or(EventStatus::kDraft),
                                    fromUnix(r.integer(row, 11))});
    }
  }
  for (auto& [event, state] : events) {
    found.events.push_back(std::move(state));
  }
  return found;
}

// A PostgreSQL array literal of tokens we issued (base64url: nothing to quote).
std::string textArray(const std::vector<std::string>& items) {
  std::string list = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    list += i > 0 ? "," : "";
    list += items[i];
  }
  return list + "}";
}

// A PostgreSQL array literal of integers.
std::string bigintArray(const std::vector<int64_t>& values) {
  std::string list = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    list += i > 0 ? "," : "";
    list += std::to_string(values[i]);
  }
  return list + "}";
}

// Gives the held stock of the holds `ids` (a text array) back: the ticket type rows are locked
// in id order first (one UPDATE locks in no defined order), then each is updated once. The lock
// is FOR NO KEY UPDATE, the mode the UPDATE itself takes: FOR UPDATE would also wait for the
// key-share locks that inserting a hold item (a foreign key) takes, and deadlock with a basket.
void returnHeld(pg::Connection& conn, const std::string& ids) {
  conn.execute("lock_held_types",
               "SELECT id FROM ticket_types WHERE id IN (SELECT ticket_type_id FROM hold_items "
               "WHERE hold_id = ANY($1::text[])) ORDER BY id FOR NO KEY UPDATE",
               {param(ids)});
  conn.execute("return_held",
               "UPDATE ticket_types t SET held = t.held - i.quantity FROM ("
               "SELECT ticket_type_id, sum(quantity) AS quantity FROM hold_items "
               "WHERE hold_id = ANY($1::text[]) GROUP BY ticket_type_id) i "
               "WHERE t.id = i.ticket_type_id",
               {param(ids)});
}

// The events of a hold's items, as the selling rules need them.
std::vector<EventState> loadEventStates(pg::Connection& conn, const std::string& hold_id) {
  auto r = conn.execute("hold_events",
                        "SELECT DISTINCT e.id, e.name, e.status, "
                        "extract(epoch FROM e.starts_at)::bigint FROM hold_items i "
                        "JOIN ticket_types t ON t.id = i.ticket_type_id "
                        "JOIN events e ON e.id = t.event_id WHERE i.hold_id = $1 ORDER BY e.id",
                        {param(hold_id)});
  std::vector<EventState> events;
  for (int row = 0; row < r.rows(); ++row) {
    events.push_back(EventState{r.integer(row, 0), std::string(r.text(row, 1)),
                                parseEventStatus(r.text(row, 2)).value_or(EventStatus::kDraft),
                                fromUnix(r.integer(row, 3))});
  }
  return events;
}

std::optional<Ticket> loadTicket(pg::Connection& conn, const std::string& code) {
  auto r = conn.execute("ticket",
                        "SELECT ticket_type_id, event_id, voided, "
                        "extract(epoch FROM checked_in_at)::bigint FROM tickets WHERE code = $1",
                        {param(code)});
  if (r.rows() == 0) {
    return std::nullopt;
  }
  return Ticket{code, r.integer(0, 0), r.integer(0, 1), r.text(0, 2) == "t",
                optionalTime(r.optionalInteger(0, 3))};
}

std::optional<Order> loadOrder(pg::Connection& conn, const std::string& code,
                               std::string* reference = nullptr) {
  auto r = conn.execute("order",
                        "SELECT o.secret, o.status, o.email, o.name, o.total, o.currency, "
                        "extract(epoch FROM o.created_at)::bigint, o.hold_id, o.refunded_total, "
                        "o.payment_reference, p.provider FROM orders o "
                        "LEFT JOIN payments p ON p.order_code = o.code WHERE o.code = $1",
                        {param(code)});
  if (r.rows() == 0) {
    return std::nullopt;
  }
  Order order;
  order.code = code;
  order.secret = std::string(r.text(0, 0));
  order.status = parseOrderStatus(r.text(0, 1)).value_or(OrderStatus::kPaid);
  order.email = std::string(r.text(0, 2));
  order.name = std::string(r.text(0, 3));
  order.total = Money{r.integer(0, 4), std::string(r.text(0, 5))};
  order.created_at = fromUnix(r.integer(0, 6));
  order.items = loadItems(conn, std::string(r.text(0, 7)));
  order.refunded = Money{r.integer(0, 8), order.total.currency};
  order.provider = r.isNull(0, 10) ? "box_office" : std::string(r.text(0, 10));
  if (order.status == OrderStatus::kPaid && order.refunded.amount > 0) {
    order.status = OrderStatus::kPartiallyRefunded;
  }
  if (reference != nullptr) {
    *reference = std::string(r.text(0, 9));
  }
  auto t = conn.execute("order_tickets",
                        "SELECT code, ticket_type_id, event_id, voided, "
                        "extract(epoch FROM checked_in_at)::bigint FROM tickets "
                        "WHERE order_code = $1 ORDER BY ticket_type_id, code",
                        {param(code)});
  for (int row = 0; row < t.rows(); ++row) {
    Ticket ticket{std::string(t.text(row, 0)), t.integer(row, 1), t.integer(row, 2),
                  t.text(row, 3) == "t", std::nullopt};
    if (auto at = t.optionalInteger(row, 4)) {
      ticket.checked_in_at = fromUnix(*at);
    }
    order.tickets.push_back(std::move(ticket));
  }
  return order;
}

#define TICKETS_PAYMENT_COLUMNS                                                                  \
  "order_code, secret, hold_id, idempotency_key, request_fingerprint, provider, status, email, " \
  "name, total, currency, session_id, payment_url, "                                             \
  "extract(epoch FROM session_expires_at)::bigint, payment_reference, reason, "                  \
  "extract(epoch FROM created_at)::bigint"

Payment paymentOf(const pg::Result& r, int row) {
  auto text = [&](int column) {
    return r.isNull(row, column) ? std::string() : std::string(r.text(row, column));
  };
  Payment p;
  p.order_code = text(0);
  p.secret = text(1);
  p.hold_id = text(2);
  p.idempotency_key = text(3);
  p.request_fingerprint = text(4);
  p.provider = text(5);
  p.status = parsePaymentStatus(r.text(row, 6)).value_or(PaymentStatus::kExpired);
  p.email = text(7);
  p.name = text(8);
  p.total = Money{r.integer(row, 9), text(10)};
  p.session_id = text(11);
  p.payment_url = text(12);
  p.session_expires_at = optionalTime(r.optionalInteger(row, 13));
  p.payment_reference = text(14);
  p.reason = text(15);
  p.created_at = fromUnix(r.integer(row, 16));
  return p;
}

// The payment whose `column` is `value`, locked for update when `lock`. `name` names the
// prepared statement, one per column and mode.
std::optional<Payment> loadPayment(pg::Connection& conn, const char* name, const char* column,
                                   const std::string& value, bool lock) {
  auto r = conn.execute(name,
                        std::string("SELECT " TICKETS_PAYMENT_COLUMNS " FROM payments WHERE ") +
                            column + " = $1" + (lock ? " FOR UPDATE" : ""),
                        {param(value)});
  if (r.rows() == 0) {
    return std::nullopt;
  }
  return paymentOf(r, 0);
}

// What a batch adds to one ticket type's row.
struct StockChange {
  TicketTypeId type = 0;
  int64_t sold = 0;
  int64_t held = 0;
};

// Adds a batch's stock changes to the ticket type rows and commits, in one round trip. As text,
// PostgreSQL parsed and planned the UPDATE anew for every batch, which cost as much as executing
// it; so it is a prepared statement with a VALUES list of rows, so that its plan knows how many
// rows it joins (`id = ANY($1)`, whose generic plan guesses ten, scanned the whole table). The
// list has a power of two of rows, the rest padded with id 0, which no row has: a handful of
// statements serve every batch.
void writeStockAndCommit(pg::Connection& conn, const std::vector<StockChange>& changes) {
  if (changes.empty()) {
    conn.execute("COMMIT");
    return;
  }
  const size_t rows = std::bit_ceil(changes.size());
  std::string sql =
      "UPDATE ticket_types t SET sold = t.sold + d.sold, held = t.held + d.held FROM (VALUES ";
  std::vector<Param> params;
  for (size_t row = 0; row < rows; ++row) {
    const size_t first = params.size() + 1;
    sql += row == 0 ? "(" : ", (";
    sql += "$" + std::to_string(first) + "::bigint, $" + std::to_string(first + 1) + "::bigint, $" +
           std::to_string(first + 2) + "::bigint)";
    const StockChange change = row < changes.size() ? changes[row] : StockChange{};
    params.insert(params.end(), {param(change.type), param(change.sold), param(change.held)});
  }
  sql += ") AS d (id, sold, held) WHERE t.id = d.id";
  conn.follow("COMMIT");
  conn.execute("write_stock_" + std::to_string(rows), sql, params);
}

// The stock of the ticket types a batch locked, read once when it locked them, and the changes
// its units make to it. The rows themselves are written once, just before the batch commits
// (StockLedger::flush), so a hot ticket type's row is touched twice per batch, not once or
// twice per purchase. The batch holds the rows' locks from the read to its commit, so what the
// ledger knows stays true; the table's CHECK (sold + held <= capacity) guards it once more.
class StockLedger {
 public:
  // A new batch: `locked` has the rows' id, capacity, sold and held.
  void reset(const pg::Result* locked) {
    rows_.clear();
    staged_.clear();
    changed_.clear();
    for (int row = 0; locked != nullptr && row < locked->rows(); ++row) {
      rows_[locked->integer(row, 0)] =
          Stock{locked->integer(row, 1), locked->integer(row, 2), locked->integer(row, 3)};
    }
  }

  // The running unit's stock left of `type`; its changes so far count.
  int64_t available(TicketTypeId type) const {
    const Stock& stock = row(type);
    int64_t sold = stock.sold, held = stock.held;
    if (auto it = staged_.find(type); it != staged_.end()) {
      sold += it->second.sold;
      held += it->second.held;
    }
    return std::max<int64_t>(stock.capacity - sold - held, 0);
  }

  // A change of the running unit, kept with it.
  void stage(TicketTypeId type, int64_t sold, int64_t held) {
    row(type);
    Stock& change = staged_[type];
    change.sold += sold;
    change.held += held;
  }

  void unitDone(bool kept) {
    if (kept) {
      for (const auto& [type, change] : staged_) {
        rows_[type].sold += change.sold;
        rows_[type].held += change.held;
        changed_[type].sold += change.sold;
        changed_[type].held += change.held;
      }
    }
    staged_.clear();
  }

  // The batch's changes to the rows, in id order (none for a row left as it was). Forgets them.
  std::vector<StockChange> flush() {
    std::vector<StockChange> changes;
    for (const auto& [type, change] : changed_) {
      if (change.sold == 0 && change.held == 0) {
        continue;
      }
      changes.push_back(StockChange{type, change.sold, change.held});
    }
    changed_.clear();
    return changes;
  }

 private:
  struct Stock {
    int64_t capacity = 0;
    int64_t sold = 0;
    int64_t held = 0;
  };

  // A write changes only the stock its scope named, which its batch locked.
  const Stock& row(TicketTypeId type) const {
    auto it = rows_.find(type);
    if (it == rows_.end()) {
      throw std::logic_error("a write changed stock its batch did not lock");
    }
    return it->second;
  }

  std::map<TicketTypeId, Stock> rows_;     // as locked, with the kept units' changes
  std::map<TicketTypeId, Stock> staged_;   // the running unit's changes (capacity unused)
  std::map<TicketTypeId, Stock> changed_;  // the kept units' changes, not yet written
};

// The primitive operations of a selling rule, inside one write: a unit of a group-commit batch
// (which holds its ticket types' row locks already) or a transaction of its own.
class Transaction final : public SellingTransaction {
 public:
  // `ledger`: the batch's stock (none for a transaction of its own, which changes no stock).
  Transaction(pg::Connection& conn, StockLedger* ledger, std::function<void()> keep)
      : conn_(conn), ledger_(ledger), keep_(std::move(keep)) {}

  std::optional<Hold> lockHold(const std::string& id) override { return loadLockedHold(conn_, id); }

  // The order and its tickets locked: a concurrent check-in either finishes first (and is seen
  // here) or waits and then finds its ticket void.
  std::optional<LockedOrder> lockOrder(const std::string& code) override {
    auto locked = conn_.execute(
        "lock_order", "SELECT hold_id FROM orders WHERE code = $1 FOR UPDATE", {param(code)});
    if (locked.rows() == 0) {
      return std::nullopt;
    }
    std::string hold_id(locked.text(0, 0));
    conn_.execute("lock_order_tickets",
                  "SELECT code FROM tickets WHERE order_code = $1 ORDER BY code FOR UPDATE",
                  {param(code)});
    std::string reference;
    auto order = loadOrder(conn_, code, &reference);
    if (!order) {
      return std::nullopt;
    }
    return LockedOrder{std::move(*order), std::move(hold_id), std::move(reference)};
  }

  std::optional<Payment> lockPayment(const std::string& code) override {
    return loadPayment(conn_, "payment_for_update", "order_code", code, true);
  }
  std::optional<Payment> paymentOfKey(const std::string& key) override {
    return loadPayment(conn_, "payment_of_key", "idempotency_key", key, false);
  }
  std::optional<Payment> paymentOfHold(const std::string& hold_id) override {
    return loadPayment(conn_, "payment_of_hold", "hold_id", hold_id, false);
  }

  void insertPayment(const Payment& p) override {
    conn_.execute("insert_payment",
                  "INSERT INTO payments (order_code, secret, hold_id, idempotency_key, "
                  "request_fingerprint, provider, status, email, name, total, currency, "
                  "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                  "to_timestamp($12::bigint), to_timestamp($12::bigint))",
                  {param(p.order_code), param(p.secret), param(p.hold_id), param(p.idempotency_key),
                   param(p.request_fingerprint), param(p.provider), param(toString(p.status)),
                   param(p.email), param(p.name), param(p.total.amount), param(p.total.currency),
                   param(unixSeconds(p.created_at))});
  }

  void updatePayment(const Payment& p, SystemTime now) override {
    conn_.execute("update_payment",
                  "UPDATE payments SET status = $2, session_id = NULLIF($3, ''), "
                  "payment_url = NULLIF($4, ''), session_expires_at = to_timestamp($5::bigint), "
                  "payment_reference = NULLIF($6, ''), reason = NULLIF($7, ''), "
                  "updated_at = to_timestamp($8::bigint) WHERE order_code = $1",
                  {param(p.order_code), param(toString(p.status)), param(p.session_id),
                   param(p.payment_url), param(optionalUnix(p.session_expires_at)),
                   param(p.payment_reference), param(p.reason), param(unixSeconds(now))});
  }

  bool recordPaymentEvent(const std::string& id, SystemTime now) override {
    auto r = conn_.execute("record_payment_event",
                           "INSERT INTO payment_events (id, received_at) VALUES "
                           "($1, to_timestamp($2::bigint)) ON CONFLICT (id) DO NOTHING",
                           {param(id), param(unixSeconds(now))});
    return r.affectedRows() == 1;
  }

  void extendHold(const std::string& hold_id, SystemTime expires_at) override {
    conn_.execute("extend_hold",
                  "UPDATE holds SET expires_at = to_timestamp($2::bigint) WHERE id = $1 "
                  "AND status = 'active'",
                  {param(hold_id), param(unixSeconds(expires_at))});
  }

  // The stock is checked and taken in the batch's ledger, like a new hold's.
  bool retakeStock(const Hold& hold, SystemTime expires_at) override {
    for (const auto& item : hold.items) {
      if (ledger().available(item.ticket_type_id) < item.quantity) {
        return false;
      }
    }
    conn_.execute("reactivate_hold",
                  "UPDATE holds SET status = 'active', expires_at = to_timestamp($2::bigint) "
                  "WHERE id = $1",
                  {param(hold.id), param(unixSeconds(expires_at))});
    for (const auto& item : hold.items) {
      ledger().stage(item.ticket_type_id, 0, item.quantity);
    }
    return true;
  }

  void enqueue(const NewOutboxMessage& m, SystemTime now) override {
    conn_.execute("enqueue_outbox",
                  "INSERT INTO outbox (kind, aggregate, payload, created_at, next_attempt_at) "
                  "VALUES ($1, $2, $3, to_timestamp($4::bigint), to_timestamp($4::bigint))",
                  {param(m.kind), param(m.aggregate), param(m.payload), param(unixSeconds(now))});
  }

  std::optional<KeyedOrder> orderOfKey(const std::string& key) override {
    auto r = conn_.execute(
        "order_by_key", "SELECT code, request_fingerprint FROM orders WHERE idempotency_key = $1",
        {param(key)});
    if (r.rows() == 0) {
      return std::nullopt;
    }
    return KeyedOrder{std::string(r.text(0, 0)), std::string(r.text(0, 1))};
  }

  // One round trip: the key's order, the hold locked, its items and their events, and whether
  // a payment of it is pending. The payment is read in this statement's snapshot, unlocked:
  // a payment is begun by a write of the same scope (the hold's ticket types), whose rows the
  // batch locked in an earlier statement, so any payment begun before that lock is committed
  // and seen here.
  CheckoutView checkoutView(const std::string& hold_id, const std::string& key) override {
    auto r = conn_.execute(
        "checkout_view",
        "WITH h AS (SELECT id, status, created_at, expires_at FROM holds WHERE id = $1 "
        "FOR UPDATE), "
        "k AS (SELECT code, request_fingerprint FROM orders WHERE idempotency_key = $2), "
        "p AS (SELECT EXISTS (SELECT 1 FROM payments WHERE hold_id = $1 "
        "AND status = 'pending_payment') AS paying) "
        "SELECT h.status, extract(epoch FROM h.created_at)::bigint, "
        "extract(epoch FROM h.expires_at)::bigint, i.ticket_type_id, t.event_id, t.name, "
        "i.quantity, i.unit_price, i.currency, e.name, e.status, "
        "extract(epoch FROM e.starts_at)::bigint, k.code, k.request_fingerprint, p.paying "
        "FROM p LEFT JOIN h ON true "
        "LEFT JOIN hold_items i ON i.hold_id = h.id "
        "LEFT JOIN ticket_types t ON t.id = i.ticket_type_id "
        "LEFT JOIN events e ON e.id = t.event_id LEFT JOIN k ON true "
        "ORDER BY i.ticket_type_id",
        {param(hold_id), param(key)});
    CheckoutView view;
    if (!r.isNull(0, 12)) {
      view.keyed = KeyedOrder{std::string(r.text(0, 12)), std::string(r.text(0, 13))};
    }
    if (r.isNull(0, 0)) {
      return view;
    }
    view.hold = readHold(r, hold_id, 0);
    view.paying = r.text(0, 14) == "t";
    for (int row = 0; row < r.rows(); ++row) {
      if (r.isNull(row, 3)) {
        continue;
      }
      EventState event{r.integer(row, 4), std::string(r.text(row, 9)),
                       parseEventStatus(r.text(row, 10)).value_or(EventStatus::kDraft),
                       fromUnix(r.integer(row, 11))};
      if (std::none_of(view.events.begin(), view.events.end(),
                       [&](const EventState& e) { return e.id == event.id; })) {
        view.events.push_back(std::move(event));
      }
    }
    std::sort(view.events.begin(), view.events.end(),
              [](const EventState& a, const EventState& b) { return a.id < b.id; });
    return view;
  }

  std::optional<Order> order(const std::string& code) override { return loadOrder(conn_, code); }
  std::optional<Ticket> ticket(const std::string& code) override { return loadTicket(conn_, code); }
  std::vector<EventState> eventsOfHold(const std::string& hold_id) override {
    return loadEventStates(conn_, hold_id);
  }

  int64_t available(TicketTypeId type) override { return ledger().available(type); }

  bool claimQueuePass(const std::string& pass, const std::string& hold_id) override {
    // A concurrent claim of the same pass waits for this one's transaction, then does nothing.
    auto r = conn_.execute("claim_queue_pass",
                           "INSERT INTO queue_passes (pass, hold_id) VALUES ($1, $2) "
                           "ON CONFLICT (pass) DO NOTHING",
                           {param(pass), param(hold_id)});
    return r.affectedRows() == 1;
  }

  // Of any one of the events: the most live holds the client has of one of them.
  int64_t liveHoldsOf(const std::string& client, const std::vector<EventId>& events,
                      SystemTime now) override {
    auto r = conn_.execute(
        "live_holds_of_client",
        "SELECT COALESCE(max(n), 0) FROM (SELECT count(DISTINCT h.id) AS n FROM holds h "
        "JOIN hold_items i ON i.hold_id = h.id JOIN ticket_types t ON t.id = i.ticket_type_id "
        "WHERE h.client = $1 AND h.status = 'active' AND h.expires_at > to_timestamp($2::bigint) "
        "AND t.event_id = ANY($3::bigint[]) GROUP BY t.event_id) per_event",
        {param(client), param(unixSeconds(now)), param(bigintArray(events))});
    return r.integer(0, 0);
  }

  // The stock is checked and taken in the batch's ledger; the hold and its items are stored in
  // one statement.
  std::optional<TicketTypeId> takeStock(const Hold& hold) override {
    for (const auto& item : hold.items) {
      if (ledger().available(item.ticket_type_id) < item.quantity) {
        return item.ticket_type_id;
      }
    }
    std::vector<int64_t> types, quantities, prices;
    std::vector<std::string> currencies;
    for (const auto& item : hold.items) {
      types.push_back(item.ticket_type_id);
      quantities.push_back(item.quantity);
      prices.push_back(item.unit_price.amount);
      currencies.push_back(item.unit_price.currency);
    }
    conn_.execute(
        "insert_hold",
        "WITH h AS (INSERT INTO holds (id, status, created_at, expires_at, client) "
        "VALUES ($1, 'active', to_timestamp($6::bigint), to_timestamp($7::bigint), "
        "NULLIF($8, '')) RETURNING id) "
        "INSERT INTO hold_items (hold_id, ticket_type_id, quantity, unit_price, currency) "
        "SELECT h.id, w.ticket_type_id, w.quantity, w.unit_price, w.currency FROM h, "
        "unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[]) "
        "AS w (ticket_type_id, quantity, unit_price, currency)",
        {param(hold.id), param(bigintArray(types)), param(bigintArray(quantities)),
         param(bigintArray(prices)), param(textArray(currencies)),
         param(unixSeconds(hold.created_at)), param(unixSeconds(hold.expires_at)),
         param(hold.client)});
    for (const auto& item : hold.items) {
      ledger().stage(item.ticket_type_id, 0, item.quantity);
    }
    return std::nullopt;
  }

  bool endHold(const std::string& id, HoldStatus status) override {
    auto items =
        conn_.execute("end_hold",
                      "WITH e AS (UPDATE holds SET status = $2 WHERE id = $1 AND status = 'active' "
                      "RETURNING id) SELECT i.ticket_type_id, i.quantity FROM hold_items i JOIN e "
                      "ON e.id = i.hold_id",
                      {param(id), param(toString(status))});
    for (int row = 0; row < items.rows(); ++row) {
      ledger().stage(items.integer(row, 0), 0, -items.integer(row, 1));
    }
    return items.rows() > 0;
  }

  // The writes of a checkout in one statement: the hold checked out, the order and its tickets;
  // the stock moves from held to sold in the ledger.
  void sell(const Order& paid, const NewOrder& request, const std::string& hold_id) override {
    std::vector<std::string> codes;
    std::vector<int64_t> ticket_types, ticket_events;
    for (const auto& ticket : paid.tickets) {
      codes.push_back(ticket.code);
      ticket_types.push_back(ticket.ticket_type_id);
      ticket_events.push_back(ticket.event_id);
    }
    conn_.execute(
        "check_out",
        "WITH h AS (UPDATE holds SET status = 'checked_out' WHERE id = $3 RETURNING id), "
        "o AS (INSERT INTO orders (code, secret, hold_id, idempotency_key, "
        "request_fingerprint, status, email, name, total, currency, payment_reference, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'paid', $6, $7, $8, $9, $10, "
        "to_timestamp($11::bigint), to_timestamp($11::bigint)) RETURNING code), "
        "t AS (INSERT INTO tickets (code, order_code, ticket_type_id, event_id) "
        "SELECT k.code, o.code, k.ticket_type_id, k.event_id FROM o, "
        "unnest($12::text[], $13::bigint[], $14::bigint[]) AS k (code, ticket_type_id, "
        "event_id)) "
        "SELECT count(*) FROM h",
        {param(paid.code), param(paid.secret), param(hold_id), param(request.idempotency_key),
         param(request.request_fingerprint), param(paid.email), param(paid.name),
         param(paid.total.amount), param(paid.total.currency), param(request.payment_reference),
         param(unixSeconds(paid.created_at)), param(textArray(codes)),
         param(bigintArray(ticket_types)), param(bigintArray(ticket_events))});
    for (const auto& item : paid.items) {
      ledger().stage(item.ticket_type_id, item.quantity, -item.quantity);
    }
  }

  void cancel(const LockedOrder& locked, OrderStatus status, SystemTime now) override {
    conn_.execute("cancel_order",
                  "UPDATE orders SET status = $3, refunded_total = total, "
                  "updated_at = to_timestamp($2::bigint) WHERE code = $1",
                  {param(locked.order.code), param(unixSeconds(now)), param(toString(status))});
    conn_.execute("void_tickets", "UPDATE tickets SET voided = true WHERE order_code = $1",
                  {param(locked.order.code)});
    // The stock of the tickets still valid goes back (some may have been cancelled alone).
    for (const auto& ticket : locked.order.tickets) {
      if (!ticket.void_) {
        ledger().stage(ticket.ticket_type_id, -1, 0);
      }
    }
  }

  void cancelTicket(const LockedOrder& locked, const Ticket& ticket, int64_t refund,
                    OrderStatus status, SystemTime now) override {
    conn_.execute("void_ticket", "UPDATE tickets SET voided = true WHERE code = $1",
                  {param(ticket.code)});
    // Partly refunded is a paid order with something refunded.
    const OrderStatus stored =
        status == OrderStatus::kPartiallyRefunded ? OrderStatus::kPaid : status;
    conn_.execute("refund_ticket",
                  "UPDATE orders SET status = $2, refunded_total = refunded_total + $3, "
                  "updated_at = to_timestamp($4::bigint) WHERE code = $1",
                  {param(locked.order.code), param(toString(stored)), param(refund),
                   param(unixSeconds(now))});
    ledger().stage(ticket.ticket_type_id, -1, 0);
  }

  std::optional<Ticket> admit(const std::string& code, EventId event, SystemTime now) override {
    auto admitted = conn_.execute(
        "check_in",
        "UPDATE tickets SET checked_in_at = to_timestamp($2::bigint) "
        "WHERE code = $1 AND event_id = $3::bigint AND NOT voided AND checked_in_at IS NULL "
        "RETURNING ticket_type_id, event_id",
        {param(code), param(unixSeconds(now)), param(event)});
    if (admitted.rows() != 1) {
      return std::nullopt;
    }
    return Ticket{code, admitted.integer(0, 0), admitted.integer(0, 1), false, now};
  }

  void keep() override { keep_(); }

 private:
  StockLedger& ledger() {
    if (ledger_ == nullptr) {
      throw std::logic_error("stock changed outside a batch");
    }
    return *ledger_;
  }

  pg::Connection& conn_;
  StockLedger* ledger_;
  std::function<void()> keep_;
};

}  // namespace

class PostgresDatabase::Ticketing final : public TicketingRepository {
 public:
  // Writes on one ticket type go through one lane of group commit (storage/group_commit.h):
  // while a lane's batch holds the type's row lock and commits, the next buyers of that type
  // queue and then run together in one transaction and one commit. Lanes are chosen by a
  // hold's first ticket type; replicas still serialise on the row lock, so two replicas never
  // oversell. Half the pool at most is busy with batches; reads keep the rest.
  explicit Ticketing(PostgresDatabase& db)
      : db_(db),
        batch_(
            {.lanes = std::max<size_t>(1, db.settings_.pool_size / 2),
             // A batch's statements run many times with new values: planning each of them
             // anew (PostgreSQL's custom plans for array and CTE statements) cost more than
             // executing them. Their generic plans are index lookups.
             .begin = {"BEGIN", "SET LOCAL plan_cache_mode = force_generic_plan"},
             .lock =
                 [this](pg::Connection& conn, const std::vector<int64_t>& types) {
                   auto& ledger = ledgerOf(conn);
                   if (types.empty()) {
                     ledger.reset(nullptr);
                     return;
                   }
                   auto locked =
                       conn.execute("lock_batch_types",
                                    "SELECT id, capacity, sold, held FROM ticket_types "
                                    "WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE",
                                    {param(bigintArray(types))});
                   ledger.reset(&locked);
                 },
             .unit_done = [this](pg::Connection& conn,
                                 bool kept) { ledgerOf(conn).unitDone(kept); },
             .commit =
                 [this](pg::Connection& conn) {
                   writeStockAndCommit(conn, ledgerOf(conn).flush());
                 },
             .on_batch =
                 [&db](size_t units) {
                   if (db.observer_ != nullptr) {
                     db.observer_->onWriteBatch(units);
                   }
                 },
             // BEGIN and each write's SAVEPOINT travel with the statement after them, in
             // one round trip, instead of one of their own.
             .defer = [](pg::Connection& conn, std::string sql) { conn.defer(std::move(sql)); },
             .drop = [](pg::Connection& conn) { conn.dropDeferred(); }},
            [&db](const std::function<void(pg::Connection&)>& work) {
              // A batch is never sent twice: its commit may have happened.
              db.withConnection(
                  db.settings_.pool_timeout, [] { return false; },
                  [&](pg::Connection& conn) { work(conn); });
            },
            [](pg::Connection& conn, const std::string& sql) { conn.execute(sql); }) {}

  void write(const WriteScope& scope, const Work& work) override {
    if (!scope.ticket_code.empty()) {
      // A check-in changes one ticket row and no stock: a transaction of its own.
      db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
        Transaction selling(conn, nullptr, [&] { tx.commit(); });
        work(selling);
        return true;
      });
      return;
    }
    const auto types = !scope.types.empty()     ? scope.types
                       : !scope.hold_id.empty() ? typesOfHold(scope.hold_id)
                                                : typesOfOrder(scope.order_code);
    // Two checkouts with one key race to insert the order; the loser's unique violation sends
    // it round once more, and then it finds the winner's order.
    for (int attempt = 0;; ++attempt) {
      try {
        batch_.run<bool>(laneOf(types), types, [&](pg::Connection& conn, WriteUnit& unit) {
          Transaction selling(conn, &ledgerOf(conn), [&] { unit.commit(); });
          work(selling);
          return true;
        });
        return;
      } catch (const ConstraintViolation& e) {
        if (e.constraint() != "orders_idempotency_key_key" || attempt > 0) {
          throw;
        }
      }
    }
  }

  std::vector<TicketTypeOffer> offers(const std::vector<TicketTypeId>& ids) override {
    return db_.read([&](pg::Connection& conn) {
      // Outside a batch PostgreSQL chooses between a custom plan and the generic one. For an
      // array it guesses ten elements, so it would plan the statement afresh on every call
      // (five times its execution, measured); one ticket type, the common basket, is a plain
      // key lookup whose generic plan it keeps.
      constexpr const char* kColumns =
          "SELECT t.id, t.event_id, t.name, t.price, t.currency, t.capacity, t.sold, t.held, "
          "e.name, e.status, extract(epoch FROM e.sale_starts_at)::bigint, "
          "extract(epoch FROM e.sale_ends_at)::bigint, e.max_tickets_per_order "
          "FROM ticket_types t JOIN events e ON e.id = t.event_id ";
      auto r =
          ids.size() == 1
              ? conn.execute("offer", std::string(kColumns) + "WHERE t.id = $1::bigint",
                             {param(ids.front())})
              : conn.execute("offers", std::string(kColumns) + "WHERE t.id = ANY($1::bigint[])",
                             {param(bigintArray(ids))});
      std::vector<TicketTypeOffer> offers;
      for (int row = 0; row < r.rows(); ++row) {
        TicketTypeOffer offer;
        offer.type = TicketType{r.integer(row, 0),
                                r.integer(row, 1),
                                std::string(r.text(row, 2)),
                                Money{r.integer(row, 3), std::string(r.text(row, 4))},
                                r.integer(row, 5),
                                r.integer(row, 6),
                                r.integer(row, 7)};
        offer.event.id = r.integer(row, 1);
        offer.event.name = std::string(r.text(row, 8));
        offer.event.status = parseEventStatus(r.text(row, 9)).value_or(EventStatus::kDraft);
        if (auto s = r.optionalInteger(row, 10)) {
          offer.event.sale_starts_at = fromUnix(*s);
        }
        if (auto s = r.optionalInteger(row, 11)) {
          offer.event.sale_ends_at = fromUnix(*s);
        }
        offer.event.max_tickets_per_order = static_cast<int>(r.integer(row, 12));
        offers.push_back(std::move(offer));
      }
      return offers;
    });
  }

  std::optional<Hold> findHold(const std::string& id) override {
    auto found = findHoldWithEvents(id);
    if (!found) {
      return std::nullopt;
    }
    return std::move(found->hold);
  }

  std::optional<HoldWithEvents> findHoldWithEvents(const std::string& id) override {
    return db_.read([&](pg::Connection& conn) { return loadHoldWithEvents(conn, id); });
  }

  int64_t expireHolds(SystemTime now, std::optional<TicketTypeId> of_type, int64_t limit) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) -> int64_t {
      // SKIP LOCKED: a hold another transaction is working on is left to it.
      auto r = of_type ? conn.execute("expired_holds_of",
                                      "SELECT id FROM holds WHERE status = 'active' "
                                      "AND expires_at <= to_timestamp($1::bigint) "
                                      "AND id IN (SELECT hold_id FROM hold_items "
                                      "WHERE ticket_type_id = $3) ORDER BY expires_at "
                                      "LIMIT $2 FOR UPDATE SKIP LOCKED",
                                      {param(unixSeconds(now)), param(limit), param(*of_type)})
                       : conn.execute("expired_holds",
                                      "SELECT id FROM holds WHERE status = 'active' "
                                      "AND expires_at <= to_timestamp($1::bigint) "
                                      "ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
                                      {param(unixSeconds(now)), param(limit)});
      if (r.rows() == 0) {
        return 0;
      }
      std::vector<std::string> ids;
      for (int row = 0; row < r.rows(); ++row) {
        ids.emplace_back(r.text(row, 0));
      }
      const std::string list = textArray(ids);
      conn.execute("expire_holds", "UPDATE holds SET status = 'expired' WHERE id = ANY($1::text[])",
                   {param(list)});
      returnHeld(conn, list);
      tx.commit();
      return static_cast<int64_t>(ids.size());
    });
  }

  int64_t countLiveHolds(SystemTime now) override {
    return db_.read([&](pg::Connection& conn) {
      return conn
          .execute("count_live_holds",
                   "SELECT count(*) FROM holds WHERE status = 'active' "
                   "AND expires_at > to_timestamp($1::bigint)",
                   {param(unixSeconds(now))})
          .integer(0, 0);
    });
  }

  int64_t purgeEndedHolds(SystemTime ended_before, int64_t limit) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) -> int64_t {
      // No order refers to a released or expired hold; SKIP LOCKED leaves a hold another
      // transaction works on to it.
      auto r =
          conn.execute("purge_ended_holds",
                       "WITH gone AS (SELECT id FROM holds WHERE status IN ('released', 'expired') "
                       "AND expires_at < to_timestamp($1::bigint) AND NOT EXISTS (SELECT 1 FROM "
                       "payments p WHERE p.hold_id = holds.id) ORDER BY expires_at LIMIT $2 "
                       "FOR UPDATE SKIP LOCKED), "
                       "items AS (DELETE FROM hold_items WHERE hold_id IN (SELECT id FROM gone)) "
                       "DELETE FROM holds WHERE id IN (SELECT id FROM gone)",
                       {param(unixSeconds(ended_before)), param(limit)});
      tx.commit();
      return r.affectedRows();
    });
  }

  InvariantReport checkInvariant() override {
    return db_.read([&](pg::Connection& conn) {
      // One statement: one snapshot of the counters and the tickets.
      auto r = conn.execute("check_invariant",
                            "SELECT count(*) FILTER (WHERE t.sold + t.held > t.capacity), "
                            "count(*) FILTER (WHERE t.sold <> (SELECT count(*) FROM tickets k "
                            "WHERE k.ticket_type_id = t.id AND NOT k.voided)) FROM ticket_types t",
                            {});
      return InvariantReport{r.integer(0, 0), r.integer(0, 1)};
    });
  }

  std::optional<Order> findOrder(const std::string& code) override {
    return db_.read([&](pg::Connection& conn) { return loadOrder(conn, code); });
  }

  std::optional<Ticket> findTicket(const std::string& code) override {
    return db_.read([&](pg::Connection& conn) { return loadTicket(conn, code); });
  }

  void notePaymentChecked(const std::string& order_code, SystemTime now) override {
    db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      conn.execute("note_payment_checked",
                   "UPDATE payments SET checked_at = to_timestamp($2::bigint) "
                   "WHERE order_code = $1",
                   {param(order_code), param(unixSeconds(now))});
      tx.commit();
      return true;
    });
  }

  std::optional<Payment> findPayment(const std::string& order_code) override {
    return db_.read([&](pg::Connection& conn) {
      auto payment = loadPayment(conn, "payment", "order_code", order_code, false);
      if (payment) {
        payment->items = loadItems(conn, payment->hold_id);
      }
      return payment;
    });
  }

  std::vector<Payment> stalePayments(SystemTime due, SystemTime unopened_before,
                                     int64_t limit) override {
    return db_.read([&](pg::Connection& conn) {
      auto r = conn.execute(
          "stale_payments",
          "SELECT " TICKETS_PAYMENT_COLUMNS
          " FROM payments WHERE status = 'pending_payment' "
          "AND ((session_id IS NOT NULL AND created_at < to_timestamp($1::bigint) AND "
          "(checked_at IS NULL OR checked_at < to_timestamp($1::bigint))) OR (session_id IS NULL "
          "AND created_at < to_timestamp($2::bigint))) ORDER BY checked_at NULLS FIRST, "
          "created_at LIMIT $3",
          {param(unixSeconds(due)), param(unixSeconds(unopened_before)), param(limit)});
      std::vector<Payment> payments;
      for (int row = 0; row < r.rows(); ++row) {
        payments.push_back(paymentOf(r, row));
      }
      return payments;
    });
  }

  std::optional<EventStats> stats(EventId event) override {
    return db_.read([&](pg::Connection& conn) -> std::optional<EventStats> {
      auto r = conn.execute(
          "event_stats",
          "SELECT COALESCE(sum(t.sold), 0)::bigint, COALESCE(sum(t.held), 0)::bigint, "
          "COALESCE(sum(t.capacity), 0)::bigint, "
          "COALESCE(sum(greatest(t.capacity - t.sold - t.held, 0)), 0)::bigint, "
          "COALESCE(min(t.currency), ''), "
          "(SELECT count(*) FROM tickets k WHERE k.event_id = e.id AND NOT k.voided "
          " AND k.checked_in_at IS NOT NULL), "
          "(SELECT COALESCE(sum(i.unit_price), 0)::bigint FROM tickets k "
          " JOIN orders o ON o.code = k.order_code "
          " JOIN hold_items i ON i.hold_id = o.hold_id AND i.ticket_type_id = k.ticket_type_id "
          " WHERE k.event_id = e.id AND NOT k.voided AND o.status = 'paid') "
          "FROM events e LEFT JOIN ticket_types t ON t.event_id = e.id "
          "WHERE e.id = $1 GROUP BY e.id",
          {param(event)});
      if (r.rows() == 0) {
        return std::nullopt;
      }
      return EventStats{r.integer(0, 0), r.integer(0, 1), r.integer(0, 3),          r.integer(0, 2),
                        r.integer(0, 5), r.integer(0, 6), std::string(r.text(0, 4))};
    });
  }

  std::optional<SalesSeries> salesOverTime(EventId event, std::chrono::seconds bucket) override {
    return db_.read([&](pg::Connection& conn) -> std::optional<SalesSeries> {
      auto currency = conn.execute(
          "event_currency",
          "SELECT COALESCE((SELECT min(currency) FROM ticket_types WHERE event_id = e.id), '') "
          "FROM events e WHERE e.id = $1",
          {param(event)});
      if (currency.rows() == 0) {
        return std::nullopt;
      }
      SalesSeries series;
      series.bucket = bucket;
      series.currency = std::string(currency.text(0, 0));
      // Each ticket joins its order's one hold line of its ticket type, which has its price.
      auto r = conn.execute(
          "sales_over_time",
          "SELECT at, tickets, orders, revenue FROM ("
          " SELECT (floor(extract(epoch FROM o.created_at) / $2::bigint) * $2::bigint)::bigint"
          "  AS at, count(*)::bigint AS tickets, count(DISTINCT o.code)::bigint AS orders,"
          "  sum(i.unit_price)::bigint AS revenue"
          " FROM tickets t JOIN orders o ON o.code = t.order_code"
          " JOIN hold_items i ON i.hold_id = o.hold_id AND i.ticket_type_id = t.ticket_type_id"
          " WHERE t.event_id = $1 AND NOT t.voided AND o.status = 'paid'"
          " GROUP BY 1 ORDER BY 1 DESC LIMIT $3::bigint) s ORDER BY at",
          {param(event), param(static_cast<int64_t>(bucket.count())),
           param(static_cast<int64_t>(kMaxSalesPoints))});
      for (int row = 0; row < r.rows(); ++row) {
        series.points.push_back(SalesPoint{SystemTime(std::chrono::seconds(r.integer(row, 0))),
                                           r.integer(row, 1), r.integer(row, 2),
                                           r.integer(row, 3)});
      }
      return series;
    });
  }

 private:
  // The lane of writes on these ticket types (sorted): the first one's.
  static uint64_t laneOf(const std::vector<int64_t>& types) {
    return types.empty() ? 0 : static_cast<uint64_t>(types.front());
  }

  static std::vector<int64_t> column(const pg::Result& r) {
    std::vector<int64_t> values;
    for (int row = 0; row < r.rows(); ++row) {
      values.push_back(r.integer(row, 0));
    }
    return values;
  }

  // The ticket types of a hold's items, sorted (none for an unknown hold). They never change.
  std::vector<int64_t> typesOfHold(const std::string& hold_id) {
    return db_.read([&](pg::Connection& conn) {
      return column(conn.execute("hold_types",
                                 "SELECT ticket_type_id FROM hold_items WHERE hold_id = $1 "
                                 "ORDER BY ticket_type_id",
                                 {param(hold_id)}));
    });
  }

  std::vector<int64_t> typesOfOrder(const std::string& code) {
    return db_.read([&](pg::Connection& conn) {
      return column(conn.execute("order_types",
                                 "SELECT ticket_type_id FROM hold_items WHERE hold_id IN ("
                                 "SELECT hold_id FROM orders WHERE code = $1 UNION "
                                 "SELECT hold_id FROM payments WHERE order_code = $1) "
                                 "ORDER BY ticket_type_id",
                                 {param(code)}));
    });
  }

  // The stock ledger of the batch running on `conn`: batches on one connection run one after
  // another, and each begins by resetting it.
  StockLedger& ledgerOf(pg::Connection& conn) {
    std::lock_guard lock(ledgers_mutex_);
    auto& ledger = ledgers_[&conn];
    if (!ledger) {
      ledger = std::make_unique<StockLedger>();
    }
    return *ledger;
  }

  PostgresDatabase& db_;
  std::mutex ledgers_mutex_;
  std::map<const pg::Connection*, std::unique_ptr<StockLedger>> ledgers_;
  GroupCommit<pg::Connection> batch_;
};

std::unique_ptr<TicketingRepository> PostgresDatabase::makeTicketing(PostgresDatabase& db) {
  return std::make_unique<Ticketing>(db);
}

}  // namespace tickets
