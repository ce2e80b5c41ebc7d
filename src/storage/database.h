#pragma once

#include <chrono>
#include <cstddef>

#include "domain/access_repository.h"
#include "domain/catalogue_repository.h"
#include "domain/outbox.h"
#include "domain/ticketing_repository.h"
#include "domain/waiting_room.h"

namespace tickets {

// One database, whichever the backend: the repositories the domain uses plus what operations
// need. Thread-safe; every call blocks on I/O, so call it off the I/O threads.
class Database {
 public:
  virtual ~Database() = default;

  // Applies the migrations this binary knows and the database has not recorded yet.
  virtual void migrate() = 0;
  // Answers quickly whether the database serves queries; throws DatabaseError if not. Uses a
  // connection of its own, outside the pool: a pool busy with slow requests is a degraded
  // service, not an unreachable database. One probe at a time; a second waits for the first.
  virtual void ping(std::chrono::milliseconds timeout) = 0;

  virtual CatalogueRepository& catalogue() = 0;
  virtual TicketingRepository& ticketing() = 0;
  virtual AccessRepository& access() = 0;
  virtual QueueRepository& queues() = 0;
  virtual OutboxRepository& outbox() = 0;

  virtual size_t poolSize() const = 0;
};

}  // namespace tickets
