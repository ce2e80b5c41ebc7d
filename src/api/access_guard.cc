#include "api/access_guard.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "api/errors.h"
#include "api/events_handler.h"
#include "api/json_body.h"
#include "http/problem.h"

namespace tickets::api {
namespace {

const char* idName(PathId path) {
  switch (path) {
    case PathId::kEvent:
      return "event id";
    case PathId::kTicketType:
      return "ticket type id";
    case PathId::kToken:
      return "token id";
    case PathId::kOutboxMessage:
      return "message id";
    case PathId::kNone:
      break;
  }
  return "id";
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view bearerToken(const http::Request& request) {
  std::string_view header = request[http::beast_http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() ||
      !equalsIgnoringCase(header.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') {
    token.remove_prefix(1);
  }
  while (!token.empty() && token.back() == ' ') {
    token.remove_suffix(1);
  }
  return token;
}

std::optional<http::Response> AccessGuard::refuseUnlessPermitted(
    const Principal& principal, Action action, EventId event, const http::Request& request,
    const http::RequestContext& context) {
  if (permits(principal, action, event)) {
    return std::nullopt;
  }
  return domainErrorResponse(forbidden(action), request, context);
}

boost::asio::awaitable<AccessGuard::Admitted> AccessGuard::admit(
    const http::Request& request, const http::RequestContext& context, Action action, PathId path,
    bool with_body) {
  std::string_view bearer = bearerToken(request);
  auto principal = access_.authenticateFromMemory(bearer);
  if (!principal) {
    auto looked_up = co_await workers_.run([&] { return access_.authenticate(bearer); });
    principal.emplace(std::move(looked_up));
  }
  if (!*principal) {
    co_return domainErrorResponse(principal->error(), request, context);
  }
  GuardedInput input;
  input.principal = std::move(principal->value());
  if (!permits(input.principal, action, std::nullopt)) {
    co_return domainErrorResponse(forbidden(action), request, context);
  }
  if (path != PathId::kNone) {
    auto id = parseId(context.params[0]);
    if (!id) {
      co_return http::problemResponse(
          http::badRequestProblem(std::string(idName(path)) + " must be a positive integer", "id"),
          context, request.version(), true);
    }
    input.id = *id;
    if (path == PathId::kEvent) {
      if (auto refused =
              refuseUnlessPermitted(input.principal, action, input.id, request, context)) {
        co_return std::move(*refused);
      }
    }
  }
  if (with_body) {
    auto body = parseJsonObject(request);
    if (auto* p = std::get_if<http::Problem>(&body)) {
      co_return http::problemResponse(*p, context, request.version(), true);
    }
    input.body = std::move(std::get<boost::json::object>(body));
  }
  co_return input;
}

}  // namespace tickets::api
