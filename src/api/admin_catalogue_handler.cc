#include "api/admin_catalogue_handler.h"

#include "api/errors.h"
#include "api/event_json.h"
#include "api/events_handler.h"
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

}  // namespace tickets::api
