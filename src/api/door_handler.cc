#include "api/door_handler.h"

#include "api/errors.h"
#include "api/handler_support.h"
#include "api/ticketing_codec.h"
#include "api/ticketing_json.h"

namespace tickets::api {

using http::beast_http::status;

DoorHandler::Awaitable DoorHandler::checkIn(const http::Request& request,
                                            http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kCheckIn, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto decoded = decodeCheckIn(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& scan = std::get<CheckInRequest>(decoded);
  if (auto refused = AccessGuard::refuseUnlessPermitted(guarded.principal, Action::kCheckIn,
                                                        scan.event_id, request, context)) {
    co_return std::move(*refused);
  }
  auto ticket = co_await workers_.run([&] { return ticketing_.checkIn(scan.code, scan.event_id); });
  if (!ticket) {
    co_return domainErrorResponse(ticket.error(), request, context);
  }
  co_return http::privateJsonResponse(
      status::ok, {{"result", "admitted"}, {"ticket", toJson(*ticket)}}, request.version());
}

DoorHandler::Awaitable DoorHandler::doorFigures(const http::Request& request,
                                                http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadDoorFigures, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  const EventId id = std::get<GuardedInput>(input).id;
  auto stats = co_await workers_.run([&] { return ticketing_.stats(id); });
  if (!stats) {
    co_return domainErrorResponse(stats.error(), request, context);
  }
  // Never revenue: door staff see who came in, not what was paid.
  co_return http::privateJsonResponse(status::ok,
                                      {{"event_id", id},
                                       {"checked_in", stats->checked_in},
                                       {"sold", stats->sold},
                                       {"capacity", stats->capacity}},
                                      request.version());
}

}  // namespace tickets::api
