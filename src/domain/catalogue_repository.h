#pragma once

#include <optional>

#include "domain/catalogue.h"

namespace tickets {

// The port through which the domain reads and writes the catalogue. Implementations are
// thread-safe and block the calling thread on database I/O; callers must not be I/O threads.
// Failures of the database itself throw (see storage/errors.h); absence is a value.
class CatalogueRepository {
 public:
  virtual ~CatalogueRepository() = default;

  // Events in (starts_at, id) order matching the query; at most query.limit + 1 are returned so
  // that the caller can tell whether another page follows.
  virtual std::vector<EventSummary> listEvents(const EventQuery& query) = 0;
  virtual std::optional<EventDetail> findEvent(EventId id) = 0;
  // Creates the event with its ticket types atomically; returns the new id.
  virtual EventId createEvent(const NewEvent& event) = 0;
  virtual int64_t countEvents() = 0;
};

}  // namespace tickets
