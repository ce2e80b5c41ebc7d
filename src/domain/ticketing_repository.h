#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/error.h"
#include "domain/ticketing.h"

namespace tickets {

// The port through which the domain holds, sells and admits tickets. Each call is one atomic
// transaction, safe under any concurrency, within and across processes: for every ticket type
// sold + held <= capacity always holds. Implementations block on I/O (never call them on an I/O
// thread) and throw DatabaseError for infrastructure failures; outcomes that depend on the
// input are returned as DomainError values.
class TicketingRepository {
 public:
  virtual ~TicketingRepository() = default;

  virtual std::vector<TicketTypeOffer> offers(const std::vector<TicketTypeId>& ids) = 0;

  // Stores the hold and holds every item, or nothing: kSoldOut names the first ticket type short
  // of stock and how many are left ("ticket_type_id", "available"). Ticket type rows are locked
  // in id order.
  virtual Result<Hold> reserve(const Hold& hold) = 0;
  virtual std::optional<Hold> findHold(const std::string& id) = 0;
  // Gives a live hold's stock back: kNotFound, kGone (expired or released), kConflict (paid).
  virtual Result<Hold> releaseHold(const std::string& id, SystemTime now) = 0;
  // Gives back, in one short transaction, the stock of at most `limit` holds that expired by
  // `now` (only holds with an item of `of_type`, if given); returns how many. Ticket type rows
  // are locked in id order, each once.
  virtual int64_t expireHolds(SystemTime now, std::optional<TicketTypeId> of_type,
                              int64_t limit) = 0;
  virtual int64_t countLiveHolds(SystemTime now) = 0;

  // Turns a live hold into a paid order with its tickets, or finds the order an earlier
  // attempt with the same idempotency key made (second = false). kUnprocessable if that key
  // came with another request; kGone if the hold expired; kConflict if another key paid it;
  // refuseCheckout()'s refusal (and the hold released) if its event is no longer on sale.
  virtual Result<std::pair<Order, bool>> checkOut(const NewOrder& order) = 0;
  virtual std::optional<Order> findOrder(const std::string& code) = 0;
  // Cancels an order unless refuseCancellation() refuses it, judged on the order and its tickets
  // locked against a concurrent check-in: its tickets become void and their stock is
  // available again. kNotFound for an unknown code.
  virtual Result<Order> cancelOrder(const std::string& code, SystemTime now) = 0;

  virtual std::optional<Ticket> findTicket(const std::string& code) = 0;
  // Admits a ticket of `event` once; refuses, never consuming it, what refusedCheckIn says:
  // kNotFound, kWrongEvent, kGone (void), kConflict with "first_checked_in_at".
  virtual Result<Ticket> checkIn(const std::string& code, EventId event, SystemTime now) = 0;

  virtual std::optional<EventStats> stats(EventId event) = 0;
  // Paid sales of `event` per `bucket` (whole seconds since the epoch, so hours and days align
  // to UTC), the last kMaxSalesPoints buckets that had any. nullopt for an unknown event.
  virtual std::optional<SalesSeries> salesOverTime(EventId event, std::chrono::seconds bucket) = 0;
};

}  // namespace tickets
