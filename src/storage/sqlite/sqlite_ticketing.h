#pragma once

#include <functional>

#include "domain/ticketing_repository.h"
#include "storage/connection_pool.h"
#include "storage/group_commit.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

// The store of holds, orders, tickets and check-ins on SQLite; the selling rules that change
// them are the domain's (domain/selling_rules.h). Every change goes through the database's one
// writer, a group-commit lane (storage/group_commit.h): while one batch of writes is
// committing, the next ones queue and then run together under one BEGIN IMMEDIATE and one
// COMMIT, each under its own savepoint. With synchronous=FULL a commit costs an fsync; a batch
// shares it. Conditional updates of a ticket type's counters, run one after another inside the
// batch, can never oversell. Thread-safe.
class SqliteTicketing final : public TicketingRepository {
 public:
  using Acquire = std::function<ConnectionPool<sqlite::Connection>::Lease()>;

  // Reads take a connection of the pool; writes go through the database's one `writer`.
  SqliteTicketing(Acquire acquire, GroupCommit<sqlite::Connection>& writer)
      : acquire_(std::move(acquire)), batch_(writer) {}

  void write(const WriteScope& scope, const Work& work) override;
  std::vector<TicketTypeOffer> offers(const std::vector<TicketTypeId>& ids) override;
  std::optional<Hold> findHold(const std::string& id) override;
  std::optional<HoldWithEvents> findHoldWithEvents(const std::string& id) override;
  int64_t expireHolds(SystemTime now, std::optional<TicketTypeId> of_type, int64_t limit) override;
  int64_t countLiveHolds(SystemTime now) override;
  int64_t purgeEndedHolds(SystemTime ended_before, int64_t limit) override;
  InvariantReport checkInvariant() override;
  std::optional<Order> findOrder(const std::string& code) override;
  std::optional<Ticket> findTicket(const std::string& code) override;
  std::optional<Payment> findPayment(const std::string& order_code) override;
  std::vector<Payment> stalePayments(SystemTime due, SystemTime unopened_before,
                                     int64_t limit) override;
  void notePaymentChecked(const std::string& order_code, SystemTime now) override;
  std::optional<EventStats> stats(EventId event) override;
  std::optional<SalesSeries> salesOverTime(EventId event, std::chrono::seconds bucket) override;

 private:
  Acquire acquire_;
  GroupCommit<sqlite::Connection>& batch_;
};

}  // namespace tickets
