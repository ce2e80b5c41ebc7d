#include "domain/ticketing_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/crypto.h"
#include "common/random.h"
#include "domain/selling_rules.h"

namespace tickets {
namespace {

DomainError gone(std::string detail) {
  return DomainError{ErrorCode::kGone, std::move(detail), {}};
}

// The ticket type a kSoldOut refusal names.
std::optional<TicketTypeId> shortTicketType(const DomainError& error) {
  for (const auto& extension : error.extensions) {
    if (extension.name == "ticket_type_id") {
      if (const auto* id = std::get_if<int64_t>(&extension.value)) {
        return *id;
      }
    }
  }
  return std::nullopt;
}

// A code for each seat of these items, for the tickets an order will have once paid.
std::vector<std::string> newTicketCodes(const std::vector<HoldItem>& items) {
  std::vector<std::string> codes;
  for (const auto& item : items) {
    for (int64_t i = 0; i < item.quantity; ++i) {
      codes.push_back(timeOrderedToken());
    }
  }
  return codes;
}

}  // namespace

std::string makeOrderCode() { return randomCode(10, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"); }

bool isPlausibleEmail(const std::string& email) {
  auto at = email.find('@');
  return email.size() >= 3 && email.size() <= 254 && at != std::string::npos && at > 0 &&
         at == email.rfind('@') && email.find('.', at) != std::string::npos &&
         email.back() != '.' && std::none_of(email.begin(), email.end(), [](char c) {
           return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',';
         });
}

SystemTime TicketingService::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(clock_.now());
}

Result<Hold> TicketingService::createBasket(const std::vector<BasketLine>& lines,
                                            const std::string& client,
                                            const std::string& queue_token) {
  if (lines.empty()) {
    return unprocessable("items", "a basket needs at least one item");
  }
  if (lines.size() > kMaxBasketLines) {
    return unprocessable("items", "a basket has at most 20 items");
  }
  std::vector<TicketTypeId> ids;
  std::set<TicketTypeId> seen;
  for (const auto& line : lines) {
    if (line.ticket_type_id <= 0) {
      return unprocessable("items.ticket_type_id", "ticket_type_id must be a positive integer");
    }
    if (line.quantity <= 0 || line.quantity > kMaxQuantityPerLine) {
      return unprocessable("items.quantity",
                           "quantity must be 1 to " + std::to_string(kMaxQuantityPerLine));
    }
    if (!seen.insert(line.ticket_type_id).second) {
      return unprocessable("items.ticket_type_id", "each ticket type may appear only once");
    }
    ids.push_back(line.ticket_type_id);
  }
  auto offers = repository_.offers(ids);
  std::map<TicketTypeId, const TicketTypeOffer*> by_id;
  for (const auto& offer : offers) {
    by_id[offer.type.id] = &offer;
  }
  const SystemTime at = now();
  Hold hold;
  hold.id = timeOrderedToken();
  hold.created_at = at;
  hold.expires_at = at + policy_.hold_ttl;
  hold.client = client;
  std::map<EventId, int64_t> per_event;
  std::string currency;
  for (const auto& line : lines) {
    auto it = by_id.find(line.ticket_type_id);
    if (it == by_id.end() || it->second->event.status == EventStatus::kDraft) {
      return unprocessable("items.ticket_type_id",
                           "no such ticket type: " + std::to_string(line.ticket_type_id));
    }
    const auto& [type, event] = *it->second;
    if (event.status != EventStatus::kOnSale) {
      return DomainError{ErrorCode::kNotOnSale,
                         "'" + event.name + "' is " + std::string(toString(event.status)),
                         "items.ticket_type_id"};
    }
    if ((event.sale_starts_at && at < *event.sale_starts_at) ||
        (event.sale_ends_at && at >= *event.sale_ends_at)) {
      return DomainError{ErrorCode::kNotOnSale, "'" + event.name + "' is not on sale at this time",
                         "items.ticket_type_id"};
    }
    per_event[event.id] += line.quantity;
    if (per_event[event.id] > event.max_tickets_per_order) {
      return unprocessable("items.quantity", "at most " +
                                                 std::to_string(event.max_tickets_per_order) +
                                                 " tickets per order for '" + event.name + "'");
    }
    if (!currency.empty() && currency != type.price.currency) {
      return unprocessable("items", "all items of a basket must be in one currency");
    }
    currency = type.price.currency;
    hold.items.push_back(HoldItem{type.id, event.id, type.name, line.quantity, type.price});
  }
  std::optional<QueuePass> queue_pass;
  if (waiting_room_ != nullptr) {
    std::vector<EventId> events;
    for (const auto& [event, quantity] : per_event) {
      events.push_back(event);
    }
    auto pass = waiting_room_->passFor(events, queue_token);
    if (!pass) {
      return pass.error();
    }
    if (*pass) {
      hold.queue_pass = (*pass)->id;
      queue_pass = **pass;
    }
  }
  std::vector<TicketTypeId> types;
  for (const auto& item : hold.items) {
    types.push_back(item.ticket_type_id);
  }
  std::sort(types.begin(), types.end());
  const auto scope = WriteScope::ofTypes(std::move(types));
  // One attempt at the basket's write; a basket made with an admission is told to the room.
  auto reserve = [&] {
    auto made = write<Hold>(scope, [&](SellingTransaction& tx) {
      return selling::reserve(tx, hold, policy_.holds_per_client);
    });
    if (made && queue_pass) {
      waiting_room_->basketMade(*queue_pass);
    }
    return made;
  };
  auto reserved = reserve();
  if (!reserved && reserved.error().code == ErrorCode::kTooManyHolds && observer_ != nullptr) {
    observer_->onHoldRefused("client_limit");
  }
  if (reserved || reserved.error().code != ErrorCode::kSoldOut) {
    return reserved;
  }
  // Short of stock: expired baskets may still hold it. Give theirs back in a transaction of its
  // own (locking in id order, never inside ours), then try once more.
  auto short_type = shortTicketType(reserved.error());
  if (!short_type) {
    return reserved;
  }
  const int64_t expired = repository_.expireHolds(at, short_type, kExpiryBatch);
  if (expired == 0) {
    return reserved;
  }
  if (observer_ != nullptr) {
    observer_->onHoldsExpired(expired);
  }
  return reserve();
}

Result<Hold> TicketingService::getBasket(const std::string& id) {
  auto hold = repository_.findHold(id);
  if (!hold) {
    return notFound("no such basket");
  }
  if (!hold->liveAt(now())) {
    return gone(hold->status == HoldStatus::kCheckedOut ? "the basket has been checked out"
                                                        : "the basket has expired");
  }
  return std::move(*hold);
}

Result<Hold> TicketingService::deleteBasket(const std::string& id) {
  const SystemTime at = now();
  return write<Hold>(WriteScope::ofHold(id),
                     [&](SellingTransaction& tx) { return selling::release(tx, id, at); });
}

WriteScope TicketingService::scopeOf(const Hold& hold) const {
  // The hold's ticket types never change: known here, the store need not look them up.
  auto scope = WriteScope::ofHold(hold.id);
  for (const auto& item : hold.items) {
    scope.types.push_back(item.ticket_type_id);
  }
  std::sort(scope.types.begin(), scope.types.end());
  return scope;
}

Result<CheckoutResult> TicketingService::checkOut(const CheckoutRequest& request) {
  if (request.idempotency_key.empty() || request.idempotency_key.size() > 200) {
    return invalidArgument("Idempotency-Key",
                           "the Idempotency-Key header is required (1 to 200 characters)");
  }
  if (request.basket_id.empty() || request.basket_id.size() > 64) {
    return unprocessable("basket_id", "basket_id is required");
  }
  if (!isPlausibleEmail(request.email)) {
    return unprocessable("email", "email must be an email address");
  }
  if (request.name.empty() || request.name.size() > 200) {
    return unprocessable("name", "name must be 1 to 200 characters");
  }
  NewOrder order;
  order.hold_id = request.basket_id;
  order.idempotency_key = request.idempotency_key;
  order.request_fingerprint =
      sha256Hex(request.basket_id + '\n' + request.email + '\n' + request.name);
  order.email = request.email;
  order.name = request.name;
  order.secret = randomToken(128);
  order.now = now();
  order.notify = notify_;

  order.code = makeOrderCode();
  // Without the hold, an earlier attempt with the same key may still have made the order:
  // the repository answers from the key.
  std::optional<Hold> hold;
  std::vector<EventState> events;
  if (auto found = repository_.findHoldWithEvents(request.basket_id)) {
    hold = std::move(found->hold);
    events = std::move(found->events);
  }
  if (hold && hold->liveAt(order.now)) {
    // Refuse before any payment is taken; the repository asks again under its locks.
    if (auto refusal = refuseCheckout(events)) {
      // Its stock goes back at once.
      (void)write<Hold>(WriteScope::ofHold(hold->id), [&](SellingTransaction& tx) {
        return selling::release(tx, hold->id, order.now);
      });
      return std::move(*refusal);
    }
  }
  bool box_office = false;
  if (hold) {
    box_office = hold->total().amount == 0;
    if (!box_office && request.staff) {
      box_office = std::all_of(events.begin(), events.end(), [&](const EventState& event) {
        return permits(*request.staff, Action::kSellAtBoxOffice, event.id);
      });
    }
    if (!box_office) {
      return checkOutOnline(request, *hold, order.request_fingerprint);
    }
    order.ticket_codes = newTicketCodes(hold->items);
    order.payment_reference = "box-office:" + order.code;
  }
  auto result = write<std::pair<Order, bool>>(
      hold ? scopeOf(*hold) : WriteScope::ofHold(order.hold_id),
      [&](SellingTransaction& tx) { return selling::checkOut(tx, order); });
  if (!result) {
    return result.error();
  }
  if (result->second && observer_ != nullptr) {
    observer_->onTicketsSold(static_cast<int64_t>(result->first.tickets.size()));
    observer_->onOrder("paid");
    observer_->onPayment("box_office", "paid");
  }
  return CheckoutResult{std::move(result->first), result->second};
}

Result<CheckoutResult> TicketingService::checkOutOnline(const CheckoutRequest& request,
                                                        const Hold& hold,
                                                        const std::string& fingerprint) {
  if (provider_ == nullptr) {
    return DomainError{ErrorCode::kPaymentsNotConfigured,
                       "online payment is not configured, so priced tickets cannot be bought "
                       "here; ask the organiser",
                       {}};
  }
  const SystemTime at = now();
  Payment request_payment;
  request_payment.order_code = makeOrderCode();
  request_payment.secret = randomToken(128);
  request_payment.hold_id = hold.id;
  request_payment.idempotency_key = request.idempotency_key;
  request_payment.request_fingerprint = fingerprint;
  request_payment.provider = std::string(provider_->name());
  request_payment.email = request.email;
  request_payment.name = request.name;
  request_payment.total = hold.total();
  request_payment.created_at = at;
  const auto scope = scopeOf(hold);
  auto started = write<selling::PaymentStart>(scope, [&](SellingTransaction& tx) {
    return selling::beginPayment(tx, request_payment, at);
  });
  if (!started) {
    return started.error();
  }
  if (started->paid) {
    return CheckoutResult{std::move(*started->paid), false};
  }
  Payment payment = std::move(started->payment);
  if (payment.status == PaymentStatus::kPending && payment.session_id.empty()) {
    SessionRequest session;
    session.order_code = payment.order_code;
    session.email = payment.email;
    session.total = payment.total;
    for (const auto& item : hold.items) {
      session.lines.push_back(PaymentLine{item.name, item.quantity, item.unit_price});
    }
    const std::string order_page =
        payment_settings_.public_base_url + "/orders/" + payment.order_code;
    session.success_url = order_page + "?payment=done";
    session.cancel_url = order_page + "?payment=cancelled";
    // A retry of this checkout, or a double click, asks for the same session, with the same
    // parameters: the provider refuses a key used again with others. So the session's expiry
    // counts from the payment's creation, unless that was longer ago than the provider allows
    // (it wants at least kPaymentWindow from its own clock).
    const SystemTime from = at - payment.created_at <= kSessionRetrySlack ? payment.created_at : at;
    session.expires_at = from + kPaymentWindow;
    session.idempotency_key = "tickets-session-" + payment.order_code;
    auto opened = provider_->createSession(session);
    if (!opened) {
      if (observer_ != nullptr) {
        observer_->onPayment(provider_->name(), "failed");
      }
      return opened.error();
    }
    auto attached = write<Payment>(scope, [&](SellingTransaction& tx) {
      return selling::attachSession(tx, payment.order_code, *opened, at);
    });
    if (!attached) {
      return attached.error();
    }
    payment = std::move(*attached);
  }
  payment.items = hold.items;
  return CheckoutResult{orderOf(payment), started->created};
}

Result<selling::Settlement> TicketingService::applyPaymentEvent(const PaymentEvent& event) {
  auto payment = event.order_code.empty() || event.order_code.size() > 64
                     ? std::nullopt
                     : repository_.findPayment(event.order_code);
  if (!payment) {
    return selling::Settlement::kUnknown;
  }
  Hold hold;
  hold.id = payment->hold_id;
  hold.items = payment->items;
  const std::vector<std::string> codes = newTicketCodes(payment->items);
  const SystemTime at = now();
  auto settled = write<selling::Settlement>(scopeOf(hold), [&](SellingTransaction& tx) {
    return selling::settle(tx, event, codes, at, notify_);
  });
  if (settled && observer_ != nullptr) {
    switch (*settled) {
      case selling::Settlement::kPaid:
        observer_->onPayment(payment->provider, "paid");
        observer_->onTicketsSold(static_cast<int64_t>(codes.size()));
        observer_->onOrder("paid");
        break;
      case selling::Settlement::kExpired:
        observer_->onPayment(payment->provider, "expired");
        break;
      case selling::Settlement::kRefundedLate:
        observer_->onPayment(payment->provider, "refunded_late");
        observer_->onRefund("late_payment");
        break;
      default:
        break;
    }
  }
  return settled;
}

int64_t TicketingService::reconcilePayments(int64_t limit) {
  const SystemTime at = now();
  // The provider's own webhook normally settles them first.
  const auto grace = payment_settings_.reconcile_after;
  int64_t settled = 0;
  for (const auto& payment :
       repository_.stalePayments(at - grace, at - policy_.hold_ttl - grace, limit)) {
    PaymentEvent event;
    event.order_code = payment.order_code;
    event.session_id = payment.session_id;
    event.type = "reconciliation";
    if (payment.session_id.empty()) {
      event.kind = PaymentEvent::Kind::kExpired;
    } else {
      if (provider_ == nullptr) {
        continue;
      }
      auto status = provider_->session(payment.session_id);
      repository_.notePaymentChecked(payment.order_code, at);
      if (!status || status->state == SessionState::kOpen) {
        continue;  // asked again later
      }
      event.kind = status->state == SessionState::kPaid ? PaymentEvent::Kind::kPaid
                                                        : PaymentEvent::Kind::kExpired;
      event.payment_reference = status->payment_reference;
    }
    auto outcome = applyPaymentEvent(event);
    if (outcome &&
        (*outcome == selling::Settlement::kPaid || *outcome == selling::Settlement::kExpired ||
         *outcome == selling::Settlement::kRefundedLate)) {
      ++settled;
    }
  }
  return settled;
}

Result<Order> TicketingService::cancelTicket(const std::string& order_code,
                                             const std::string& ticket_code) {
  if (order_code.empty() || order_code.size() > 64 || ticket_code.empty() ||
      ticket_code.size() > 64) {
    return notFound("no such ticket in this order");
  }
  const SystemTime at = now();
  auto changed = write<Order>(WriteScope::ofOrder(order_code), [&](SellingTransaction& tx) {
    return selling::cancelTicket(tx, order_code, ticket_code, at, notify_);
  });
  if (changed && observer_ != nullptr && changed->provider != "box_office") {
    observer_->onRefund("ticket_cancelled");
  }
  return changed;
}

Result<Order> TicketingService::getOrder(const std::string& code, const std::string& secret) {
  if (code.empty() || code.size() > 64) {
    return notFound("no such order");
  }
  auto order = repository_.findOrder(code);
  if (!order) {
    // Not paid (yet): the payment is what there is.
    if (auto payment = repository_.findPayment(code)) {
      order = orderOf(*payment);
    }
  }
  if (!order || secret.empty() || !secretsEqual(secret, order->secret)) {
    return notFound("no such order");
  }
  return std::move(*order);
}

Result<Order> TicketingService::cancelOrder(const std::string& code, const std::string& secret) {
  auto order = getOrder(code, secret);
  if (!order) {
    return order.error();
  }
  // Judged again with the order locked: the rule refuses what a check-in made uncancellable.
  const SystemTime at = now();
  auto cancelled = write<Order>(WriteScope::ofOrder(code), [&](SellingTransaction& tx) {
    return selling::cancel(tx, code, at, notify_);
  });
  if (cancelled && observer_ != nullptr) {
    observer_->onOrder("cancelled");
    if (cancelled->status == OrderStatus::kRefunded) {
      observer_->onRefund("order_cancelled");
    }
  }
  return cancelled;
}

Result<Ticket> TicketingService::checkIn(const std::string& ticket_code, EventId event) {
  if (ticket_code.empty() || ticket_code.size() > 64) {
    return unprocessable("code", "code must be a ticket code");
  }
  if (event <= 0) {
    return unprocessable("event_id", "event_id must be a positive integer");
  }
  const SystemTime at = now();
  auto ticket = write<Ticket>(WriteScope::ofTicket(ticket_code), [&](SellingTransaction& tx) {
    return selling::checkIn(tx, ticket_code, event, at);
  });
  if (observer_ != nullptr) {
    if (ticket) {
      observer_->onCheckIn("admitted");
    } else {
      switch (ticket.error().code) {
        case ErrorCode::kConflict:
          observer_->onCheckIn("duplicate");
          break;
        case ErrorCode::kGone:
          observer_->onCheckIn("void");
          break;
        case ErrorCode::kWrongEvent:
          observer_->onCheckIn("wrong_event");
          break;
        default:
          observer_->onCheckIn("unknown");
      }
    }
  }
  return ticket;
}

Result<Ticket> TicketingService::getTicket(const std::string& ticket_code) {
  auto ticket = repository_.findTicket(ticket_code);
  if (!ticket) {
    return notFound("no such ticket");
  }
  return std::move(*ticket);
}

Result<SalesSeries> TicketingService::salesOverTime(EventId event, std::chrono::seconds bucket) {
  if (bucket != std::chrono::hours(1) && bucket != std::chrono::hours(24)) {
    return unprocessable("bucket", "bucket must be hour or day");
  }
  auto series = repository_.salesOverTime(event, bucket);
  if (!series) {
    return notFound("no such event");
  }
  return std::move(*series);
}

Result<EventStats> TicketingService::stats(EventId event) {
  auto stats = repository_.stats(event);
  if (!stats) {
    return notFound("no such event");
  }
  return std::move(*stats);
}

int64_t TicketingService::expireHolds(int64_t limit) {
  const SystemTime at = now();
  // Short transactions, so that no ticket type's row stays locked for long.
  int64_t expired = 0;
  while (expired < limit) {
    const int64_t batch =
        repository_.expireHolds(at, std::nullopt, std::min(kExpiryBatch, limit - expired));
    expired += batch;
    if (batch < kExpiryBatch) {
      break;
    }
  }
  if (observer_ != nullptr) {
    observer_->onHoldsExpired(expired);
    observer_->onActiveHolds(repository_.countLiveHolds(at));
  }
  return expired;
}

int64_t TicketingService::purgeEndedHolds(int64_t limit) {
  if (policy_.hold_retention.count() <= 0) {
    return 0;
  }
  const SystemTime before = now() - policy_.hold_retention;
  // Short transactions, like the expiry.
  int64_t purged = 0;
  while (purged < limit) {
    const int64_t batch =
        repository_.purgeEndedHolds(before, std::min(kPurgeBatch, limit - purged));
    purged += batch;
    if (batch < kPurgeBatch) {
      break;
    }
  }
  if (observer_ != nullptr && purged > 0) {
    observer_->onHoldsPurged(purged);
  }
  return purged;
}

InvariantReport TicketingService::checkInvariant() {
  auto report = repository_.checkInvariant();
  if (observer_ != nullptr) {
    observer_->onInvariantChecked(report);
  }
  return report;
}

}  // namespace tickets
