#include "api/admin_catalogue_handler.h"

#include "api/errors.h"
#include "api/event_json.h"
#include "api/events_handler.h"
#include "api/handler_support.h"
#include "api/ticketing_codec.h"
#include "api/ticketing_json.h"
#include "common/utf8.h"
#include "http/problem.h"
#include "http/query.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

boost::json::object toJson(EventId event, const SalesSeries& series) {
  boost::json::array points;
  points.reserve(series.points.size());
  for (const SalesPoint& point : series.points) {
    points.push_back({{"at", formatRfc3339(point.at)},
                      {"tickets", point.tickets},
                      {"orders", point.orders},
                      {"revenue", point.revenue}});
  }
  return {{"event_id", event},
          {"bucket", series.bucket == std::chrono::hours(24) ? "day" : "hour"},
          {"currency", series.currency},
          {"points", std::move(points)}};
}

}  // namespace

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::listEvents(const http::Request& request,
                                                                   http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadStats, PathId::kNone);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto parsed = parseListQuery(context.target, true);
  if (auto* problem = std::get_if<http::Problem>(&parsed)) {
    co_return http::problemResponse(*problem, context, request.version(), true);
  }
  const auto& list = std::get<ParsedList>(parsed);
  auto listing = co_await workers_.run([&] { return catalogue_.listEvents(list.request); });
  if (!listing) {
    co_return domainErrorResponse(listing.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*listing), request.version());
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::getEvent(const http::Request& request,
                                                                 http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadStats, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  const EventId id = std::get<GuardedInput>(input).id;
  auto detail = co_await workers_.run([&] { return catalogue_.getEvent(id, true); });
  if (!detail) {
    co_return domainErrorResponse(detail.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*detail), request.version());
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::sales(const http::Request& request,
                                                              http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadStats, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  const EventId id = std::get<GuardedInput>(input).id;
  std::string error;
  auto params = http::QueryParams::parse(context.target, error);
  if (!params) {
    co_return http::problemResponse(http::badRequestProblem(error), context, request.version(),
                                    true);
  }
  if (auto unknown = params->firstUnknown({"bucket"})) {
    co_return http::problemResponse(
        http::badRequestProblem("unknown query parameter '" + clippedUtf8(*unknown, 64) + "'",
                                clippedUtf8(*unknown, 64)),
        context, request.version(), true);
  }
  std::chrono::seconds bucket = std::chrono::hours(1);
  if (auto text = params->get("bucket")) {
    if (*text == "day") {
      bucket = std::chrono::hours(24);
    } else if (*text != "hour") {
      co_return http::problemResponse(
          http::badRequestProblem("bucket must be hour or day", "bucket"), context,
          request.version(), true);
    }
  }
  auto series = co_await workers_.run([&] { return ticketing_.salesOverTime(id, bucket); });
  if (!series) {
    co_return domainErrorResponse(series.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(id, *series), request.version());
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::createEvent(const http::Request& request,
                                                                    http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto parsed = decodeNewEvent(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&parsed)) {
    co_return problem(*p, request, context);
  }
  auto& event = std::get<NewEvent>(parsed);
  auto created = co_await workers_.run([&]() -> Result<EventDetail> {
    auto id = catalogue_.createEvent(event);
    if (!id) {
      return id.error();
    }
    return catalogue_.getEvent(*id, true);
  });
  if (!created) {
    co_return domainErrorResponse(asEditError(created.error()), request, context);
  }
  auto response = http::privateJsonResponse(status::created, toJson(*created), request.version());
  response.set(http::beast_http::field::location,
               "/api/events/" + std::to_string(created->event.id));
  co_return response;
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::updateEvent(const http::Request& request,
                                                                    http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kEvent, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto decoded = decodeEventEdit(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& edit = std::get<EventEdit>(decoded);
  auto patch = [&edit](NewEvent& e) { edit.applyTo(e); };
  auto updated = co_await workers_.run([&] { return catalogue_.updateEvent(guarded.id, patch); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*updated), request.version());
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::addTicketType(
    const http::Request& request, http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kEvent, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto type = decodeTicketType(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&type)) {
    co_return problem(*p, request, context);
  }
  auto updated = co_await workers_.run(
      [&] { return catalogue_.addTicketType(guarded.id, std::get<NewTicketType>(type)); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  co_return http::privateJsonResponse(status::created, toJson(*updated), request.version());
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::updateTicketType(
    const http::Request& request, http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kTicketType, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto decoded = decodeTicketTypePatch(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& patch = std::get<TicketTypePatch>(decoded);
  auto updated =
      co_await workers_.run([&] { return catalogue_.updateTicketType(guarded.id, patch); });
  if (!updated) {
    co_return domainErrorResponse(asEditError(updated.error()), request, context);
  }
  const auto& t = *updated;
  co_return http::privateJsonResponse(status::ok,
                                      {{"id", t.id},
                                       {"event_id", t.event_id},
                                       {"name", t.name},
                                       {"price", t.price.amount},
                                       {"currency", t.price.currency},
                                       {"capacity", t.capacity},
                                       {"sold", t.sold},
                                       {"held", t.held},
                                       {"available", t.available()}},
                                      request.version());
}

AdminCatalogueHandler::Awaitable AdminCatalogueHandler::eventStats(const http::Request& request,
                                                                   http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadStats, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto stats = co_await workers_.run([&] { return ticketing_.stats(guarded.id); });
  if (!stats) {
    co_return domainErrorResponse(stats.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*stats), request.version());
}

}  // namespace tickets::api
