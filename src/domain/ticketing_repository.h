#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/error.h"
#include "domain/outbox.h"
#include "domain/payment.h"
#include "domain/ticketing.h"

namespace tickets {

// An order as a write sees it: locked with its tickets, and the hold it was made from.
struct LockedOrder {
  Order order;
  std::string hold_id;
  std::string payment_reference;  // the provider's reference of the money taken
};

// The order an earlier checkout with an idempotency key made.
struct KeyedOrder {
  std::string code;
  std::string request_fingerprint;
};

// What a checkout decides on, read together: the order an earlier checkout with the request's
// idempotency key made, and the hold, locked, with the events of its items (in id order).
struct CheckoutView {
  std::optional<KeyedOrder> keyed;
  std::optional<Hold> hold;
  std::vector<EventState> events;
  // A payment of the hold is pending (its buyer is on the provider's page).
  bool paying = false;
};

// A hold with the events of its items, in id order.
struct HoldWithEvents {
  Hold hold;
  std::vector<EventState> events;
};

// The primitive operations a selling rule (domain/selling_rules.h) applies inside one write.
// They decide nothing: every refusal is the rule's. All of them happen in the write's
// transaction, and none of them is kept unless the rule calls keep() before it returns.
class SellingTransaction {
 public:
  virtual ~SellingTransaction() = default;

  // Reads. What lockHold and lockOrder return cannot change until the write ends.
  virtual std::optional<Hold> lockHold(const std::string& id) = 0;
  virtual std::optional<LockedOrder> lockOrder(const std::string& code) = 0;
  virtual std::optional<KeyedOrder> orderOfKey(const std::string& idempotency_key) = 0;
  virtual std::optional<Order> order(const std::string& code) = 0;
  virtual std::optional<Ticket> ticket(const std::string& code) = 0;
  virtual CheckoutView checkoutView(const std::string& hold_id,
                                    const std::string& idempotency_key) = 0;
  // The events of a hold's items, in id order.
  virtual std::vector<EventState> eventsOfHold(const std::string& hold_id) = 0;
  // Stock of a ticket type neither sold nor held (never below 0).
  virtual int64_t available(TicketTypeId type) = 0;
  // Live holds (active, expiring after `now`) made by `client` with an item of any of `events`.
  virtual int64_t liveHoldsOf(const std::string& client, const std::vector<EventId>& events,
                              SystemTime now) = 0;

  // Payments: a pending payment by its order code, locked; by the checkout's key; by its hold.
  virtual std::optional<Payment> lockPayment(const std::string& order_code) = 0;
  virtual std::optional<Payment> paymentOfKey(const std::string& idempotency_key) = 0;
  virtual std::optional<Payment> paymentOfHold(const std::string& hold_id) = 0;

  // Changes.
  virtual void insertPayment(const Payment& payment) = 0;
  // Stores the payment's status, session, payment reference and reason.
  virtual void updatePayment(const Payment& payment, SystemTime now) = 0;
  // Records a provider's event; false, changing nothing, if it was recorded before.
  virtual bool recordPaymentEvent(const std::string& event_id, SystemTime now) = 0;
  // Moves an active hold's expiry.
  virtual void extendHold(const std::string& hold_id, SystemTime expires_at) = 0;
  // Takes an ended (expired or released) hold's stock again, all or nothing, and makes it active
  // until `expires_at`; false, changing nothing, if a ticket type is short.
  virtual bool retakeStock(const Hold& hold, SystemTime expires_at) = 0;
  // Writes a message of the outbox, kept with the write.
  virtual void enqueue(const NewOutboxMessage& message, SystemTime now) = 0;
  // Records that the waiting-room pass `pass` made the hold `hold_id`; false, changing nothing,
  // if it made one before.
  virtual bool claimQueuePass(const std::string& pass, const std::string& hold_id) = 0;
  // Takes every item's quantity of stock (held) and stores the hold with its items, all or
  // nothing: if a ticket type is short, nothing changes and the first short one (in id order)
  // is returned.
  virtual std::optional<TicketTypeId> takeStock(const Hold& hold) = 0;
  // Ends an active hold as `status` (released or expired) and gives its stock back; false,
  // changing nothing, if it was not active.
  virtual bool endHold(const std::string& id, HoldStatus status) = 0;
  // The hold checked out, its stock moved from held to sold, and `paid` stored with its tickets.
  virtual void sell(const Order& paid, const NewOrder& request, const std::string& hold_id) = 0;
  // The order ended as `status` (cancelled or refunded) with all it was paid counted as
  // refunded, its valid tickets void, and their stock given back.
  virtual void cancel(const LockedOrder& order, OrderStatus status, SystemTime now) = 0;
  // One valid ticket of the order void, its stock given back, `refund` added to what the order
  // has had back, and the order's status set (partially refunded, refunded or cancelled).
  virtual void cancelTicket(const LockedOrder& order, const Ticket& ticket, int64_t refund,
                            OrderStatus status, SystemTime now) = 0;
  // Admits the ticket if it is of `event`, not void and not admitted before, and returns it as
  // admitted; nullopt, changing nothing, otherwise.
  virtual std::optional<Ticket> admit(const std::string& code, EventId event, SystemTime now) = 0;

  // Keeps this write's changes: they commit with the write.
  virtual void keep() = 0;
};

// What a write works on, so that the store can order, batch and lock writes: the ticket types
// of a new hold (sorted), an existing hold, an order, or a ticket. Ticket types, when given, are
// those of everything the write may change (for a hold, its items' types).
struct WriteScope {
  std::vector<TicketTypeId> types;
  std::string hold_id;
  std::string order_code;
  std::string ticket_code;

  static WriteScope ofTypes(std::vector<TicketTypeId> sorted) {
    return {std::move(sorted), {}, {}, {}};
  }
  static WriteScope ofHold(std::string id) { return {{}, std::move(id), {}, {}}; }
  static WriteScope ofOrder(std::string code) { return {{}, {}, std::move(code), {}}; }
  static WriteScope ofTicket(std::string code) { return {{}, {}, {}, std::move(code)}; }
};

// The port through which the domain holds, sells and admits tickets. Each write is one atomic
// unit, safe under any concurrency, within and across processes: for every ticket type
// sold + held <= capacity always holds. Implementations block on I/O (never call them on an I/O
// thread) and throw DatabaseError for infrastructure failures.
class TicketingRepository {
 public:
  using Work = std::function<void(SellingTransaction&)>;

  virtual ~TicketingRepository() = default;

  // Runs `work` as one write on `scope`, returning once its changes (if kept) are durable. The
  // store may run it together with concurrent writes in one transaction, and may run it again
  // from the start if that transaction has to be retried: `work` must not act outside `tx`.
  virtual void write(const WriteScope& scope, const Work& work) = 0;

  virtual std::vector<TicketTypeOffer> offers(const std::vector<TicketTypeId>& ids) = 0;
  virtual std::optional<Hold> findHold(const std::string& id) = 0;
  // The hold and its items' events, read together (what a checkout decides on before its write).
  virtual std::optional<HoldWithEvents> findHoldWithEvents(const std::string& id) = 0;
  // Gives back, in one short transaction, the stock of at most `limit` holds that expired by
  // `now` (only holds with an item of `of_type`, if given); returns how many. Ticket type rows
  // are locked in id order, each once.
  virtual int64_t expireHolds(SystemTime now, std::optional<TicketTypeId> of_type,
                              int64_t limit) = 0;
  virtual int64_t countLiveHolds(SystemTime now) = 0;
  // Deletes, in one short transaction, at most `limit` holds that were released or expired and
  // whose expiry is before `ended_before`, with their items (never a checked-out one: its order
  // refers to it); returns how many.
  virtual int64_t purgeEndedHolds(SystemTime ended_before, int64_t limit) = 0;
  // Counts the ticket types that break the selling invariant, in one consistent read.
  virtual InvariantReport checkInvariant() = 0;
  virtual std::optional<Order> findOrder(const std::string& code) = 0;
  virtual std::optional<Ticket> findTicket(const std::string& code) = 0;
  // A payment with its hold's items.
  virtual std::optional<Payment> findPayment(const std::string& order_code) = 0;
  // Pending payments to ask the provider about: with a session, made before `due` and not asked
  // since `due`; or without one (the provider was unreachable) and made before
  // `unopened_before`. Least recently asked first, at most `limit`.
  virtual std::vector<Payment> stalePayments(SystemTime due, SystemTime unopened_before,
                                             int64_t limit) = 0;
  // Records that the provider was asked about the payment at `now`.
  virtual void notePaymentChecked(const std::string& order_code, SystemTime now) = 0;

  virtual std::optional<EventStats> stats(EventId event) = 0;
  // Paid sales of `event` per `bucket` (whole seconds since the epoch, so hours and days align
  // to UTC), the last kMaxSalesPoints buckets that had any. nullopt for an unknown event.
  virtual std::optional<SalesSeries> salesOverTime(EventId event, std::chrono::seconds bucket) = 0;
};

}  // namespace tickets
