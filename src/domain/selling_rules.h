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

// Turns a live hold into a paid order with its tickets, or answers with the order an earlier
// attempt with the same idempotency key made (second = false). kUnprocessable if that key came
// with another request; kGone if the hold expired (its stock goes back); kConflict if another
// key paid it; refuseCheckout()'s refusal, the hold released, if its event is no longer on sale.
Result<std::pair<Order, bool>> checkOut(SellingTransaction& tx, const NewOrder& request);

// Cancels an order unless refuseCancellation() refuses it, judged on the order and its tickets
// locked against a concurrent check-in: its tickets become void and their stock is available
// again. kNotFound for an unknown code.
Result<Order> cancel(SellingTransaction& tx, const std::string& code, SystemTime now);

// Admits a ticket of `event` once; refuses, never consuming it, what refusedCheckIn() says, and
// kNotFound for an unknown code.
Result<Ticket> checkIn(SellingTransaction& tx, const std::string& code, EventId event,
                       SystemTime now);

}  // namespace tickets::selling
