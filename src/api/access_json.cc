#include "api/access_json.h"

#include <boost/json/array.hpp>

namespace tickets::api {

boost::json::object toJson(const ApiToken& token) {
  boost::json::array events;
  for (EventId id : token.event_ids) {
    events.push_back(id);
  }
  boost::json::object out{{"id", token.id},
                          {"name", token.name},
                          {"role", toString(token.role)},
                          {"event_ids", std::move(events)},
                          {"hint", token.hint},
                          {"created_at", formatRfc3339(token.created_at)},
                          {"revoked_at", nullptr}};
  if (token.revoked_at) {
    out["revoked_at"] = formatRfc3339(*token.revoked_at);
  }
  return out;
}

}  // namespace tickets::api
