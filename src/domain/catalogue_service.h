#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "domain/catalogue.h"
#include "domain/catalogue_repository.h"
#include "domain/error.h"

namespace tickets {

// A request for one page of the event listing, as the client phrased it.
struct EventListRequest {
  std::optional<int64_t> limit;
  std::optional<EventStatus> status;
  std::optional<SystemTime> from;
  std::optional<SystemTime> to;
  std::string text;
  std::optional<std::string> cursor;
  bool include_drafts = false;  // the admin listing: every status
};

struct EventListing {
  std::vector<EventSummary> events;
  std::optional<std::string> next_cursor;
};

// The catalogue's rules: validation of listing requests and new events, paging.
// Thread-safe; every call blocks on the repository, so call it off the I/O threads.
class CatalogueService {
 public:
  static constexpr int kDefaultLimit = 20;
  static constexpr int kMaxLimit = 100;
  static constexpr size_t kMaxTextLength = 100;

  explicit CatalogueService(CatalogueRepository& repository) : repository_(repository) {}

  Result<EventListing> listEvents(const EventListRequest& request);
  // Drafts are found only with include_drafts (the admin API).
  Result<EventDetail> getEvent(EventId id, bool include_drafts = false);
  Result<EventId> createEvent(const NewEvent& event);
  // Applies `patch` (an object of NewEvent's own fields, each optional) to an event.
  Result<EventDetail> updateEvent(EventId id, const std::function<void(NewEvent&)>& patch);
  Result<EventDetail> addTicketType(EventId id, const NewTicketType& type);
  Result<TicketType> updateTicketType(TicketTypeId id, const TicketTypePatch& patch);

  // Changes whenever this process writes to the catalogue; caches compare it to drop entries.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  CatalogueRepository& repository_;
  std::atomic<uint64_t> generation_{0};
};

// Validates a new event without touching storage.
std::optional<DomainError> validateNewEvent(const NewEvent& event);

}  // namespace tickets
