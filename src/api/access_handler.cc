#include "api/access_handler.h"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/access_json.h"
#include "api/errors.h"
#include "api/json_body.h"
#include "common/json_log.h"
#include "http/problem.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

// Who acted, for the audit log: a token id, or the bootstrap credential.
std::string actor(const Principal& principal) {
  return principal.token_id ? "token " + std::to_string(*principal.token_id) : "ADMIN_TOKEN";
}

}  // namespace

AccessHandler::Awaitable AccessHandler::create(const http::Request& request,
                                               http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kManageTokens, PathId::kNone, true);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  JsonFields fields(guarded.body);
  fields.rejectUnknown({"name", "role", "event_ids"});
  TokenRequest token;
  token.name = fields.text("name", true, AccessService::kMaxNameLength).value_or("");
  if (auto role = fields.text("role", true, 16)) {
    auto parsed = parseRole(*role);
    if (!parsed) {
      fields.fail("role", "role must be admin, door or reports");
    }
    token.role = parsed.value_or(Role::kReports);
  }
  if (const auto* events = fields.array("event_ids", false)) {
    if (events->size() > AccessService::kMaxEventsPerToken) {
      fields.fail("event_ids", "at most 100 event ids");
    }
    for (const auto& value : *events) {
      // Boost.JSON keeps every integer that fits in int64 as one; larger ones are no event id.
      if (!value.is_int64()) {
        fields.fail("event_ids", "event_ids must be an array of event ids");
        break;
      }
      token.event_ids.push_back(value.as_int64());
    }
  }
  if (!fields.ok()) {
    co_return http::problemResponse(*fields.problem(), context, request.version(), true);
  }
  auto issued = co_await workers_.run([&] { return access_.issue(token); });
  if (!issued) {
    co_return domainErrorResponse(issued.error(), request, context);
  }
  log_->info(R"("msg":"api token issued","request_id":"{}","token_id":{},"role":"{}","by":"{}")",
             JsonEscaped{context.request_id}, issued->token.id, toString(issued->token.role),
             actor(guarded.principal));
  auto body = toJson(issued->token);
  body["token"] = issued->secret;
  co_return http::privateJsonResponse(status::created, body, request.version());
}

AccessHandler::Awaitable AccessHandler::list(const http::Request& request,
                                             http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kManageTokens);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto tokens = co_await workers_.run([&] { return access_.list(); });
  boost::json::array out;
  for (const auto& token : tokens) {
    out.push_back(toJson(token));
  }
  co_return http::privateJsonResponse(status::ok, {{"tokens", std::move(out)}}, request.version());
}

AccessHandler::Awaitable AccessHandler::revoke(const http::Request& request,
                                               http::RequestContext& context) {
  auto input = co_await guard_.admit(request, context, Action::kManageTokens, PathId::kToken);
  if (auto* refused = std::get_if<http::Response>(&input)) {
    co_return std::move(*refused);
  }
  auto& guarded = std::get<GuardedInput>(input);
  auto revoked = co_await workers_.run([&] { return access_.revoke(guarded.id); });
  if (!revoked) {
    co_return domainErrorResponse(revoked.error(), request, context);
  }
  log_->info(R"("msg":"api token revoked","request_id":"{}","token_id":{},"by":"{}")",
             JsonEscaped{context.request_id}, guarded.id, actor(guarded.principal));
  co_return http::Response{status::no_content, request.version()};
}

}  // namespace tickets::api
