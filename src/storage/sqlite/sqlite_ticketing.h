#pragma once

#include <functional>
#include <mutex>

#include "domain/ticketing_repository.h"
#include "storage/connection_pool.h"
#include "storage/sqlite/sqlite_connection.h"

namespace tickets {

// Holds, orders, tickets and check-in on SQLite. Every change runs under BEGIN IMMEDIATE, so
// writers are serialised by the database and a conditional update of a ticket type's counters
// can never oversell. Within the process, writers also queue on a mutex: SQLite admits one
// writer at a time anyway, and a mutex hands over at once where SQLite's busy handler would
// sleep and retry. Thread-safe.
class SqliteTicketing final : public TicketingRepository {
 public:
  using Acquire = std::function<ConnectionPool<sqlite::Connection>::Lease()>;

  explicit SqliteTicketing(Acquire acquire) : acquire_(std::move(acquire)) {}

  std::vector<TicketTypeOffer> offers(const std::vector<TicketTypeId>& ids) override;
  Result<Hold> reserve(const Hold& hold) override;
  std::optional<Hold> findHold(const std::string& id) override;
  Result<Hold> releaseHold(const std::string& id, SystemTime now) override;
  int64_t expireHolds(SystemTime now, std::optional<TicketTypeId> of_type, int64_t limit) override;
  int64_t countLiveHolds(SystemTime now) override;
  Result<std::pair<Order, bool>> checkOut(const NewOrder& order) override;
  std::optional<Order> findOrder(const std::string& code) override;
  Result<Order> cancelOrder(const std::string& code, SystemTime now) override;
  std::optional<Ticket> findTicket(const std::string& code) override;
  Result<Ticket> checkIn(const std::string& code, EventId event, SystemTime now) override;
  std::optional<EventStats> stats(EventId event) override;
  std::optional<SalesSeries> salesOverTime(EventId event, std::chrono::seconds bucket) override;

 private:
  Acquire acquire_;
  std::mutex writer_;
};

}  // namespace tickets
