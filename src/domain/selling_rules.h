#pragma once

#include <string>
#include <utility>

#include "domain/error.h"
#include "domain/ticketing.h"
#include "domain/ticketing_repository.h"

// The selling state machine, written once for every store: each rule runs inside one write
// (TicketingRepository::write), reads what it needs through the write's primitive operations,
// decides, applies the changes and keeps them, or refuses. A refusal keeps nothing, except where
// a rule says it gives stock back.
namespace tickets::selling {

// Holds every item's stock for `hold`, or refuses kSoldOut naming the first ticket type short
// of stock and how many are left ("ticket_type_id", "available"). With `holds_per_client` > 0
// and a known client, refuses kTooManyHolds ("limit") first when that client already has that
// many live holds of an event of the hold; and kForbidden when the hold's waiting-room pass made
// a hold before.
Result<Hold> reserve(SellingTransaction& tx, const Hold& hold, int64_t holds_per_client = 0);

// Gives a live hold's stock back: kNotFound, kGone (expired: its stock goes back too, or
// released before), kConflict (checked out).
Result<Hold> release(SellingTransaction& tx, const std::string& hold_id, SystemTime now);

// Turns a live hold into a paid order with its tickets (the buyer emailed when the request says
// notify), or answers with the order an earlier
// attempt with the same idempotency key made (second = false). kUnprocessable if that key came
// with another request; kGone if the hold expired (its stock goes back); kConflict if another
// key paid it; refuseCheckout()'s refusal, the hold released, if its event is no longer on sale.
Result<std::pair<Order, bool>> checkOut(SellingTransaction& tx, const NewOrder& request);

// What a checkout of a priced basket paid online starts: the pending payment (created, or the
// one an earlier checkout with the same key made), or the paid order that one became.
struct PaymentStart {
  Payment payment;
  std::optional<Order> paid;
  bool created = false;
};

// Opens `request`'s payment of its live hold, whose stock stays held while the buyer pays.
// Refuses as checkOut() does, and kConflict if another checkout is paying for the hold.
Result<PaymentStart> beginPayment(SellingTransaction& tx, const Payment& request, SystemTime now);

// Stores the provider's session of a pending payment that has none yet and holds the basket's
// stock until the session ends (at most kPaymentWindow from `now`). Answers the payment as it is.
Result<Payment> attachSession(SellingTransaction& tx, const std::string& order_code,
                              const PaymentSession& session, SystemTime now);

// What a provider's event did.
enum class Settlement {
  kDuplicate,     // its id was seen before: nothing done
  kUnknown,       // no payment of ours: nothing done
  kUnchanged,     // the payment had ended already
  kPaid,          // the order is paid, its tickets issued
  kExpired,       // the payment ended unpaid, its stock given back
  kRefundedLate,  // the money came after the stock was gone: refunded in full
};

// Applies a provider's event to its payment, in any order and any number of times. A payment
// that completes keeps its stock if its hold still has it, takes it again if it is still
// there, and is otherwise refunded in full (a refund in the outbox) with the reason: money is
// never kept without tickets. `ticket_codes`: one per ticket the payment's hold may need.
// With `notify`, the buyer is emailed (the confirmation, or the refund).
Result<Settlement> settle(SellingTransaction& tx, const PaymentEvent& event,
                          const std::vector<std::string>& ticket_codes, SystemTime now,
                          bool notify = false);

// Cancels an order unless refuseCancellation() refuses it, judged on the order and its tickets
// locked against a concurrent check-in: its tickets become void and their stock is available
// again; what was paid online is refunded in full (a refund in the outbox). An order still
// pending payment is cancelled before it is paid: its stock goes back and its payment page is
// closed (an outbox message); one that ended unpaid is kConflict. kNotFound for an unknown code.
// With `notify`, the buyer is emailed the refund or the cancellation.
Result<Order> cancel(SellingTransaction& tx, const std::string& code, SystemTime now,
                     bool notify = false);

// Staff cancel one ticket of a paid order: it becomes void, its stock is available again and
// its price, if paid online, is refunded (partially refunded, or refunded with the last one).
// kNotFound for an unknown order or a ticket not of it; kGone if it is void already;
// kOrderAdmitted if it was admitted; kConflict if the order is not paid.
Result<Order> cancelTicket(SellingTransaction& tx, const std::string& order_code,
                           const std::string& ticket_code, SystemTime now, bool notify = false);

// Admits a ticket of `event` once; refuses, never consuming it, what refusedCheckIn() says, and
// kNotFound for an unknown code.
Result<Ticket> checkIn(SellingTransaction& tx, const std::string& code, EventId event,
                       SystemTime now);

}  // namespace tickets::selling
