#include "domain/selling_rules.h"

#include <algorithm>
#include <stdexcept>

namespace tickets::selling {
namespace {

DomainError expired() { return DomainError{ErrorCode::kGone, "the basket has expired", {}}; }

// The checkout's answer from the order an earlier checkout with the request's key made.
Result<std::pair<Order, bool>> replay(SellingTransaction& tx, const NewOrder& request,
                                      const KeyedOrder& keyed) {
  if (keyed.request_fingerprint != request.request_fingerprint) {
    return unprocessable("Idempotency-Key",
                         "this Idempotency-Key was used with a different request");
  }
  auto existing = tx.order(keyed.code);
  if (!existing) {
    throw std::logic_error("an idempotency key names an order that does not exist");
  }
  return std::make_pair(std::move(*existing), false);
}

}  // namespace

Result<Hold> reserve(SellingTransaction& tx, const Hold& hold, int64_t holds_per_client) {
  if (holds_per_client > 0 && !hold.client.empty()) {
    std::vector<EventId> events;
    for (const auto& item : hold.items) {
      events.push_back(item.event_id);
    }
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());
    if (tx.liveHoldsOf(hold.client, events, hold.created_at) >= holds_per_client) {
      return DomainError{ErrorCode::kTooManyHolds,
                         "you already hold " + std::to_string(holds_per_client) +
                             " live baskets for this event: check one out, delete one or wait "
                             "until one expires",
                         {},
                         {{"limit", holds_per_client}}};
    }
  }
  if (!hold.queue_pass.empty() && !tx.claimQueuePass(hold.queue_pass, hold.id)) {
    return DomainError{ErrorCode::kForbidden,
                       "this queue token has made its basket already; join the queue again",
                       "X-Queue-Token"};
  }
  Hold sorted = hold;
  std::sort(sorted.items.begin(), sorted.items.end(),
            [](const auto& a, const auto& b) { return a.ticket_type_id < b.ticket_type_id; });
  if (auto short_type = tx.takeStock(sorted)) {
    auto item = std::find_if(sorted.items.begin(), sorted.items.end(),
                             [&](const auto& i) { return i.ticket_type_id == *short_type; });
    if (item == sorted.items.end()) {
      throw std::logic_error("the store named a ticket type the hold does not have");
    }
    return soldOut(*item, tx.available(*short_type));
  }
  tx.keep();
  return sorted;
}

Result<Hold> release(SellingTransaction& tx, const std::string& hold_id, SystemTime now) {
  auto hold = tx.lockHold(hold_id);
  if (!hold) {
    return notFound("no such basket");
  }
  if (hold->status == HoldStatus::kCheckedOut) {
    return DomainError{ErrorCode::kConflict, "the basket has been checked out", {}};
  }
  if (hold->status != HoldStatus::kActive) {
    return expired();
  }
  if (hold->expires_at <= now) {
    tx.endHold(hold_id, HoldStatus::kExpired);
    tx.keep();
    return expired();
  }
  tx.endHold(hold_id, HoldStatus::kReleased);
  tx.keep();
  hold->status = HoldStatus::kReleased;
  return std::move(*hold);
}

Result<std::pair<Order, bool>> checkOut(SellingTransaction& tx, const NewOrder& request) {
  auto view = tx.checkoutView(request.hold_id, request.idempotency_key);
  if (view.keyed) {
    return replay(tx, request, *view.keyed);
  }
  auto& hold = view.hold;
  if (!hold) {
    return notFound("no such basket");
  }
  if (hold->status == HoldStatus::kCheckedOut) {
    // A concurrent retry with the same key may have just paid it: now it is visible.
    if (auto keyed = tx.orderOfKey(request.idempotency_key)) {
      return replay(tx, request, *keyed);
    }
    return DomainError{ErrorCode::kConflict, "the basket has already been checked out", {}};
  }
  if (hold->status != HoldStatus::kActive || hold->expires_at <= request.now) {
    if (hold->status == HoldStatus::kActive) {
      tx.endHold(hold->id, HoldStatus::kExpired);
      tx.keep();
    }
    return expired();
  }
  if (auto refusal = refuseCheckout(view.events)) {
    tx.endHold(hold->id, HoldStatus::kReleased);
    tx.keep();
    return std::move(*refusal);
  }
  Order paid = paidOrder(request, *hold);
  tx.sell(paid, request, hold->id);
  tx.keep();
  return std::make_pair(std::move(paid), true);
}

Result<Order> cancel(SellingTransaction& tx, const std::string& code, SystemTime now) {
  auto locked = tx.lockOrder(code);
  if (!locked) {
    return notFound("no such order");
  }
  if (auto refusal = refuseCancellation(locked->order, tx.eventsOfHold(locked->hold_id), now)) {
    return std::move(*refusal);
  }
  tx.cancel(*locked, now);
  auto order = tx.order(code);
  if (!order) {
    throw std::logic_error("a cancelled order vanished");
  }
  tx.keep();
  return std::move(*order);
}

Result<Ticket> checkIn(SellingTransaction& tx, const std::string& code, EventId event,
                       SystemTime now) {
  if (auto admitted = tx.admit(code, event, now)) {
    tx.keep();
    return std::move(*admitted);
  }
  auto ticket = tx.ticket(code);
  if (!ticket) {
    return notFound("no such ticket");
  }
  return refusedCheckIn(*ticket, event);
}

}  // namespace tickets::selling
