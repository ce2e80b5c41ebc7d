#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "domain/error.h"

// The transactional outbox: every side effect outside the database (a refund at the payment
// provider, an email) is a message written in the same transaction as the change that causes
// it, and delivered afterwards, at least once, with retries. Nothing is lost between a commit
// and its effect: a crash leaves the message in the table for the next dispatch.
namespace tickets {

namespace outbox_kind {
inline constexpr std::string_view kRefund = "payment.refund";
// A payment page that must no longer take money (its order was cancelled before it was paid).
inline constexpr std::string_view kExpireSession = "payment.expire_session";
inline constexpr std::string_view kOrderConfirmation = "email.order_confirmation";
inline constexpr std::string_view kRefundNotice = "email.refund";
inline constexpr std::string_view kCancellationNotice = "email.cancellation";
}  // namespace outbox_kind

// A message to write with a change. `payload` is JSON the deliverer of its kind reads.
struct NewOutboxMessage {
  std::string kind;
  std::string aggregate;  // what it is about: an order code
  std::string payload;
};

struct OutboxMessage {
  int64_t id = 0;
  std::string kind;
  std::string aggregate;
  std::string payload;
  SystemTime created_at;
  int attempts = 0;  // delivery attempts started, this one included once claimed
  SystemTime next_attempt_at;
  std::string last_error;
  std::optional<SystemTime> delivered_at;
  std::optional<SystemTime> dead_at;
};

struct OutboxStats {
  int64_t depth = 0;                 // neither delivered nor dead
  std::optional<SystemTime> oldest;  // of those
  int64_t dead = 0;
};

enum class OutboxState { kPending, kDead, kDelivered };

// Where the outbox is kept. Claims are leases: a claimed message is not handed out again until
// `lease` has passed, so a dispatcher that died mid-delivery is retried, never lost.
class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;
  // At most `limit` messages due by `now`, oldest first, each claimed until now + lease and its
  // attempts counted.
  virtual std::vector<OutboxMessage> claimDue(SystemTime now, std::chrono::seconds lease,
                                              int64_t limit) = 0;
  virtual void markDelivered(int64_t id, SystemTime now) = 0;
  // A failed attempt: due again at `retry_at`, or dead (given up on) when `dead`.
  virtual void markFailed(int64_t id, SystemTime now, SystemTime retry_at, const std::string& error,
                          bool dead) = 0;
  virtual OutboxStats stats() = 0;
  // Newest first, at most `limit`.
  virtual std::vector<OutboxMessage> list(OutboxState state, int64_t limit) = 0;
  // A dead message due again now with its attempts reset; false if it is not dead.
  virtual bool retry(int64_t id, SystemTime now) = 0;
};

// Delivers one kind of message; an error is retried later, its detail kept for the operator.
class OutboxDeliverer {
 public:
  virtual ~OutboxDeliverer() = default;
  // Throws or returns an error text on failure; empty on success. Must be idempotent toward its
  // receiver: a message may be delivered more than once.
  virtual std::string deliver(const OutboxMessage& message) = 0;
};

class OutboxObserver {
 public:
  virtual ~OutboxObserver() = default;
  // "delivered", "failed", "dead"
  virtual void onDelivery(std::string_view kind, std::string_view result) = 0;
  virtual void onStats(const OutboxStats& stats, SystemTime now) = 0;
};

// Told of each email sent or failed: kind "order_confirmation", "refund", "cancellation".
class EmailObserver {
 public:
  virtual ~EmailObserver() = default;
  virtual void onEmail(std::string_view kind, bool sent) = 0;
};

// Sends due messages to the deliverer of their kind, with exponential backoff: 5 s, 10 s,
// 20 s... at most an hour between attempts; after kMaxAttempts a message is dead (an alert
// fires, an operator retries it). Thread-safe; blocks on I/O.
class OutboxDispatcher {
 public:
  static constexpr int kMaxAttempts = 10;
  static constexpr std::chrono::seconds kLease{120};
  static constexpr int64_t kBatch = 50;

  using Log = std::function<void(const OutboxMessage&, const std::string& error, bool dead)>;

  OutboxDispatcher(OutboxRepository& repository, const Clock& clock,
                   OutboxObserver* observer = nullptr, Log log = {})
      : repository_(repository), clock_(clock), observer_(observer), log_(std::move(log)) {}

  // Before the first dispatch.
  void addDeliverer(std::string_view kind, OutboxDeliverer& deliverer) {
    deliverers_[std::string(kind)] = &deliverer;
  }

  // Delivers what is due; returns how many were delivered.
  int64_t dispatch();
  // Reports the outbox's depth, age and dead letters to the observer.
  OutboxStats report();

  static std::chrono::seconds backoff(int attempts);

 private:
  OutboxRepository& repository_;
  const Clock& clock_;
  OutboxObserver* observer_;
  Log log_;
  std::map<std::string, OutboxDeliverer*, std::less<>> deliverers_;
};

}  // namespace tickets
