#pragma once

#include <optional>

#include "domain/catalogue.h"
#include "domain/error.h"

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
  // Replaces the event's own fields (not its ticket types); false if there is no such event.
  virtual bool updateEvent(EventId id, const NewEvent& event) = 0;
  // nullopt if there is no such event.
  virtual std::optional<TicketTypeId> addTicketType(EventId event, const NewTicketType& type) = 0;
  // Applies the patch atomically. A capacity below what is sold and held is refused with
  // kConflict ("committed": sold + held); kNotFound if there is no such ticket type.
  virtual Result<TicketType> updateTicketType(TicketTypeId id, const TicketTypePatch& patch) = 0;
};

}  // namespace tickets
