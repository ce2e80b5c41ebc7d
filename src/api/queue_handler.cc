#include "api/queue_handler.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

#include "api/errors.h"
#include "api/handler_support.h"
#include "api/json_body.h"
#include "common/time.h"
#include "http/client_address.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;
namespace json = boost::json;

json::object toJson(const QueueTicket& t) {
  json::object o{{"token", t.token},
                 {"event_id", t.event},
                 {"status", toString(t.status)},
                 {"position", t.position}};
  o["estimated_wait_seconds"] =
      t.estimated_wait_seconds ? json::value(*t.estimated_wait_seconds) : json::value(nullptr);
  o["admitted_until"] =
      t.admitted_until ? json::value(formatRfc3339(*t.admitted_until)) : json::value(nullptr);
  return o;
}

json::object toJson(const QueueReport& r) {
  return {{"event_id", r.event},
          {"enabled", r.settings.enabled},
          {"admit_per_minute", r.settings.admit_per_minute},
          {"pow_difficulty", r.settings.pow_difficulty},
          {"waiting", r.waiting},
          {"admitted", r.admitted},
          {"oldest_wait_seconds", r.oldest_wait_seconds}};
}

json::object toJson(const QueueChallenge& c) {
  json::object o{{"event_id", c.event}, {"enabled", c.enabled}, {"pow_difficulty", c.difficulty}};
  o["challenge"] = c.challenge.empty() ? json::value(nullptr) : json::value(c.challenge);
  return o;
}

std::optional<EventId> eventInPath(const http::RequestContext& context) {
  auto text = context.params[0];
  EventId id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

// {"enabled": bool, "admit_per_minute": int, "pow_difficulty": int}; a number left out keeps its
// current value (0 for a new queue).
struct SettingsUpdate {
  bool enabled = false;
  std::optional<int64_t> admit_per_minute;
  std::optional<int64_t> pow_difficulty;
};

std::variant<SettingsUpdate, http::Problem> decodeSettings(const json::object& body) {
  JsonFields fields(body);
  fields.rejectUnknown({"enabled", "admit_per_minute", "pow_difficulty"});
  SettingsUpdate update;
  if (const auto* enabled = body.if_contains("enabled");
      enabled == nullptr || !enabled->is_bool()) {
    fields.fail("enabled", "enabled must be true or false");
  } else {
    update.enabled = enabled->as_bool();
  }
  update.admit_per_minute = fields.integer("admit_per_minute", false);
  update.pow_difficulty = fields.integer("pow_difficulty", false);
  if (!fields.ok()) {
    return *fields.problem();
  }
  return update;
}

}  // namespace

QueueHandler::Awaitable QueueHandler::configure(const http::Request& request,
                                                http::RequestContext& context) {
  auto input =
      co_await guard_.admit(request, context, Action::kEditCatalogue, PathId::kEvent, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto decoded = decodeSettings(guarded.body);
  if (auto* p = std::get_if<http::Problem>(&decoded)) {
    co_return problem(*p, request, context);
  }
  const auto& update = std::get<SettingsUpdate>(decoded);
  auto report = co_await workers_.run([&]() -> Result<QueueReport> {
    auto current = room_.report(guarded.id);
    if (!current) {
      return current.error();
    }
    QueueSettings settings{
        update.enabled, update.admit_per_minute.value_or(current->settings.admit_per_minute),
        static_cast<int>(std::clamp<int64_t>(
            update.pow_difficulty.value_or(current->settings.pow_difficulty), -1, 1000))};
    return room_.configure(guarded.id, settings);
  });
  if (!report) {
    co_return domainErrorResponse(asEditError(report.error()), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*report), request.version());
}

QueueHandler::Awaitable QueueHandler::report(const http::Request& request,
                                             http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kReadStats, PathId::kEvent);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  const EventId event = std::get<GuardedInput>(input).id;
  auto report = co_await workers_.run([&] { return room_.report(event); });
  if (!report) {
    co_return domainErrorResponse(report.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*report), request.version());
}

QueueHandler::Awaitable QueueHandler::challenge(const http::Request& request,
                                                http::RequestContext& context) {
  auto event = eventInPath(context);
  if (!event) {
    co_return domainErrorResponse(notFound("no such event"), request, context);
  }
  auto challenge = co_await workers_.run([&] { return room_.challenge(*event); });
  if (!challenge) {
    co_return domainErrorResponse(challenge.error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(*challenge), request.version());
}

QueueHandler::Awaitable QueueHandler::join(const http::Request& request,
                                           http::RequestContext& context) {
  auto event = eventInPath(context);
  if (!event) {
    co_return domainErrorResponse(notFound("no such event"), request, context);
  }
  std::string challenge, nonce;
  if (!request.body().empty()) {
    auto body = parseJsonObject(request);
    if (auto* p = std::get_if<http::Problem>(&body)) {
      co_return problem(*p, request, context);
    }
    JsonFields fields(std::get<json::object>(body));
    fields.rejectUnknown({"challenge", "nonce"});
    challenge = fields.text("challenge", false, 256).value_or("");
    nonce = fields.text("nonce", false, 64).value_or("");
    if (!fields.ok()) {
      co_return problem(*fields.problem(), request, context);
    }
  }
  const std::string client = http::clientAddress(request, context, trusted_proxies_);
  // Joining an enabled queue needs only memory: answered here, without a worker's hop.
  auto ticket = room_.tryJoin(*event, client, challenge, nonce);
  if (!ticket) {
    ticket = co_await workers_.run([&] { return room_.join(*event, client, challenge, nonce); });
  }
  if (!*ticket) {
    co_return domainErrorResponse(ticket->error(), request, context);
  }
  auto response = http::privateJsonResponse(status::created, toJson(**ticket), request.version());
  response.set(http::beast_http::field::location, "/api/queue/" + (*ticket)->token);
  co_return response;
}

QueueHandler::Awaitable QueueHandler::status(const http::Request& request,
                                             http::RequestContext& context) {
  const std::string token(context.params[0]);
  if (token.empty() || token.size() > 256) {
    co_return domainErrorResponse(notFound("no such queue token"), request, context);
  }
  // A buyer still waiting is answered from memory, here; an admitted one needs a read.
  auto ticket = room_.tryStatus(token);
  if (!ticket) {
    ticket = co_await workers_.run([&] { return room_.status(token); });
  }
  if (!*ticket) {
    co_return domainErrorResponse(ticket->error(), request, context);
  }
  co_return http::privateJsonResponse(status::ok, toJson(**ticket), request.version());
}

}  // namespace tickets::api
