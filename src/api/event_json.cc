#include "api/event_json.h"

#include <boost/json/array.hpp>

#include <algorithm>

namespace tickets::api {
namespace {

boost::json::value optionalTime(const std::optional<SystemTime>& t) {
  if (!t) {
    return nullptr;
  }
  return boost::json::string(formatRfc3339(*t));
}

boost::json::value money(const std::optional<Money>& m) {
  if (!m) {
    return nullptr;
  }
  return boost::json::object{{"amount", m->amount}, {"currency", m->currency}};
}

boost::json::object eventFields(const Event& e) {
  return boost::json::object{
      {"id", e.id},
      {"name", e.name},
      {"description", e.description},
      {"venue", e.venue},
      {"starts_at", formatRfc3339(e.starts_at)},
      {"ends_at", formatRfc3339(e.ends_at)},
      {"timezone", e.timezone},
      {"status", toString(e.status)},
      {"sale_starts_at", optionalTime(e.sale_starts_at)},
      {"sale_ends_at", optionalTime(e.sale_ends_at)},
      {"max_tickets_per_order", e.max_tickets_per_order},
  };
}

}  // namespace

boost::json::object toJson(const EventSummary& summary) {
  auto object = eventFields(summary.event);
  object["available_tickets"] = summary.available_tickets;
  object["price_from"] = money(summary.price_from);
  return object;
}

boost::json::object toJson(const EventDetail& detail) {
  auto object = eventFields(detail.event);
  boost::json::array types;
  int64_t available = 0;
  std::optional<Money> cheapest;
  for (const auto& t : detail.ticket_types) {
    available += t.available();
    if (!cheapest || t.price.amount < cheapest->amount) {
      cheapest = t.price;
    }
    types.push_back(boost::json::object{{"id", t.id},
                                        {"name", t.name},
                                        {"price", t.price.amount},
                                        {"currency", t.price.currency},
                                        {"capacity", t.capacity},
                                        {"available", t.available()}});
  }
  object["available_tickets"] = available;
  object["price_from"] = money(cheapest);
  object["ticket_types"] = std::move(types);
  return object;
}

boost::json::object toJson(const EventListing& listing) {
  boost::json::array events;
  events.reserve(listing.events.size());
  for (const auto& summary : listing.events) {
    events.push_back(toJson(summary));
  }
  boost::json::object object;
  object["events"] = std::move(events);
  object["count"] = listing.events.size();
  if (listing.next_cursor) {
    object["next_cursor"] = *listing.next_cursor;
  } else {
    object["next_cursor"] = nullptr;
  }
  return object;
}

}  // namespace tickets::api
