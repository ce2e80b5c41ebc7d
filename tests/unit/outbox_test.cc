// The outbox dispatcher against an in-memory test double of its repository: delivery, retries
// with backoff, dead letters, leases, and what it reports.
#include "domain/outbox.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "support/manual_clock.h"

namespace tickets {
namespace {

using namespace std::chrono_literals;

SystemTime secondsOf(const Clock& clock) {
  return std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
}

// A test double of the outbox table.
class InMemoryOutbox final : public OutboxRepository {
 public:
  std::map<int64_t, OutboxMessage> rows;
  int64_t next_id = 1;

  int64_t add(std::string kind, SystemTime now) {
    OutboxMessage m;
    m.id = next_id++;
    m.kind = std::move(kind);
    m.aggregate = "ORDER1";
    m.payload = "{}";
    m.created_at = now;
    m.next_attempt_at = now;
    rows[m.id] = m;
    return m.id;
  }

  std::vector<OutboxMessage> claimDue(SystemTime now, std::chrono::seconds lease,
                                      int64_t limit) override {
    std::vector<OutboxMessage> due;
    for (auto& [id, m] : rows) {
      if (!m.delivered_at && !m.dead_at && m.next_attempt_at <= now &&
          static_cast<int64_t>(due.size()) < limit) {
        m.attempts += 1;
        m.next_attempt_at = now + lease;
        due.push_back(m);
      }
    }
    return due;
  }
  void markDelivered(int64_t id, SystemTime now) override { rows.at(id).delivered_at = now; }
  void markFailed(int64_t id, SystemTime now, SystemTime retry_at, const std::string& error,
                  bool dead) override {
    auto& m = rows.at(id);
    m.next_attempt_at = retry_at;
    m.last_error = error;
    if (dead) {
      m.dead_at = now;
    }
  }
  OutboxStats stats() override {
    OutboxStats s;
    for (const auto& [id, m] : rows) {
      if (m.delivered_at) {
        continue;
      }
      if (m.dead_at) {
        ++s.dead;
      } else {
        ++s.depth;
        s.oldest = s.oldest ? std::min(*s.oldest, m.created_at) : m.created_at;
      }
    }
    return s;
  }
  std::vector<OutboxMessage> list(OutboxState, int64_t) override { return {}; }
  bool retry(int64_t id, SystemTime now) override {
    auto& m = rows.at(id);
    if (!m.dead_at) {
      return false;
    }
    m.dead_at.reset();
    m.attempts = 0;
    m.next_attempt_at = now;
    return true;
  }
};

// A receiver that fails while `failing` is set, counting what it was given.
class CountingDeliverer final : public OutboxDeliverer {
 public:
  bool failing = false;
  bool throwing = false;
  int delivered = 0;
  std::string deliver(const OutboxMessage&) override {
    if (throwing) {
      throw std::runtime_error("connection refused");
    }
    if (failing) {
      return "the receiver is down";
    }
    ++delivered;
    return "";
  }
};

class RecordingObserver final : public OutboxObserver {
 public:
  std::map<std::string, int> results;
  OutboxStats last;
  double oldest_age = -1;
  void onDelivery(std::string_view kind, std::string_view result) override {
    ++results[std::string(kind) + "/" + std::string(result)];
  }
  void onStats(const OutboxStats& stats, SystemTime now) override {
    last = stats;
    oldest_age = stats.oldest ? static_cast<double>((now - *stats.oldest).count()) : 0;
  }
};

TEST(OutboxDispatcher, DeliversWhatIsDueOnceAndReportsTheOutbox) {
  test::ManualClock clock;
  InMemoryOutbox repository;
  CountingDeliverer refunds;
  RecordingObserver observer;
  OutboxDispatcher dispatcher(repository, clock, &observer);
  dispatcher.addDeliverer(outbox_kind::kRefund, refunds);
  repository.add(std::string(outbox_kind::kRefund), secondsOf(clock));
  repository.add(std::string(outbox_kind::kRefund), secondsOf(clock));
  clock.advance(30s);
  dispatcher.report();
  EXPECT_EQ(observer.last.depth, 2);
  EXPECT_EQ(observer.oldest_age, 30);
  EXPECT_EQ(dispatcher.dispatch(), 2);
  EXPECT_EQ(dispatcher.dispatch(), 0);
  EXPECT_EQ(refunds.delivered, 2);
  EXPECT_EQ(observer.results["payment.refund/delivered"], 2);
  dispatcher.report();
  EXPECT_EQ(observer.last.depth, 0);
  EXPECT_EQ(observer.oldest_age, 0);
}

TEST(OutboxDispatcher, RetriesWithExponentialBackoffThenDeadLetters) {
  EXPECT_EQ(OutboxDispatcher::backoff(1), 5s);
  EXPECT_EQ(OutboxDispatcher::backoff(2), 10s);
  EXPECT_EQ(OutboxDispatcher::backoff(5), 80s);
  EXPECT_EQ(OutboxDispatcher::backoff(11), 3600s);

  test::ManualClock clock;
  InMemoryOutbox repository;
  CountingDeliverer refunds;
  refunds.failing = true;
  RecordingObserver observer;
  std::vector<std::string> logged;
  OutboxDispatcher dispatcher(
      repository, clock, &observer,
      [&](const OutboxMessage& m, const std::string& error, bool dead) {
        logged.push_back(std::to_string(m.attempts) + ":" + error + (dead ? ":dead" : ""));
      });
  dispatcher.addDeliverer(outbox_kind::kRefund, refunds);
  const int64_t id = repository.add(std::string(outbox_kind::kRefund), secondsOf(clock));
  for (int attempt = 1; attempt <= OutboxDispatcher::kMaxAttempts; ++attempt) {
    dispatcher.dispatch();
    const auto& m = repository.rows.at(id);
    EXPECT_EQ(m.attempts, attempt);
    if (attempt < OutboxDispatcher::kMaxAttempts) {
      ASSERT_FALSE(m.dead_at);
      EXPECT_EQ(m.next_attempt_at, secondsOf(clock) + OutboxDispatcher::backoff(attempt));
      // Not due before its backoff has passed.
      clock.advance(OutboxDispatcher::backoff(attempt) - 1s);
      dispatcher.dispatch();
      EXPECT_EQ(repository.rows.at(id).attempts, attempt);
      clock.advance(1s);
    }
  }
  EXPECT_TRUE(repository.rows.at(id).dead_at);
  EXPECT_EQ(repository.rows.at(id).last_error, "the receiver is down");
  EXPECT_EQ(observer.results["payment.refund/failed"], OutboxDispatcher::kMaxAttempts - 1);
  EXPECT_EQ(observer.results["payment.refund/dead"], 1);
  EXPECT_EQ(logged.back(), "10:the receiver is down:dead");
  dispatcher.report();
  EXPECT_EQ(observer.last.dead, 1);
  EXPECT_EQ(observer.last.depth, 0);
  // Dead stays dead until an operator retries it; then it is delivered.
  clock.advance(24h);
  dispatcher.dispatch();
  EXPECT_EQ(refunds.delivered, 0);
  refunds.failing = false;
  ASSERT_TRUE(repository.retry(id, secondsOf(clock)));
  EXPECT_EQ(dispatcher.dispatch(), 1);
  EXPECT_EQ(refunds.delivered, 1);
}

TEST(OutboxDispatcher, AThrowingOrMissingDelivererIsAFailureNotACrash) {
  test::ManualClock clock;
  InMemoryOutbox repository;
  CountingDeliverer refunds;
  refunds.throwing = true;
  OutboxDispatcher dispatcher(repository, clock);
  dispatcher.addDeliverer(outbox_kind::kRefund, refunds);
  const int64_t refund = repository.add(std::string(outbox_kind::kRefund), secondsOf(clock));
  const int64_t unknown = repository.add("email.unknown", secondsOf(clock));
  EXPECT_EQ(dispatcher.dispatch(), 0);
  EXPECT_EQ(repository.rows.at(refund).last_error, "connection refused");
  EXPECT_EQ(repository.rows.at(unknown).last_error, "no deliverer for this kind of message");
  EXPECT_FALSE(repository.rows.at(refund).dead_at);
}

TEST(OutboxDispatcher, AClaimIsALeaseSoAMessageOfADeadDispatcherIsDeliveredLater) {
  test::ManualClock clock;
  InMemoryOutbox repository;
  const int64_t id = repository.add(std::string(outbox_kind::kRefund), secondsOf(clock));
  // A dispatcher claims it and dies before saying how the delivery went.
  ASSERT_EQ(repository.claimDue(secondsOf(clock), OutboxDispatcher::kLease, 10).size(), 1u);
  CountingDeliverer refunds;
  OutboxDispatcher dispatcher(repository, clock);
  dispatcher.addDeliverer(outbox_kind::kRefund, refunds);
  EXPECT_EQ(dispatcher.dispatch(), 0);  // leased
  clock.advance(OutboxDispatcher::kLease);
  EXPECT_EQ(dispatcher.dispatch(), 1);
  EXPECT_EQ(repository.rows.at(id).attempts, 2);
}

}  // namespace
}  // namespace tickets
