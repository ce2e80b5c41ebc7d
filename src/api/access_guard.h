#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>
#include <variant>

#include "api/worker_pool.h"
#include "domain/access.h"
#include "domain/access_service.h"
#include "http/types.h"

namespace tickets::api {

// What the path id of a guarded route names.
enum class PathId { kNone, kEvent, kTicketType, kToken, kOutboxMessage };

// What a guarded request carries once its preamble passed.
struct GuardedInput {
  Principal principal;
  int64_t id = 0;            // from the path, unless PathId::kNone
  boost::json::object body;  // when asked for
};

// The one preamble of every admin and door handler. Thread-safe.
class AccessGuard {
 public:
  using Admitted = std::variant<GuardedInput, http::Response>;

  AccessGuard(AccessService& access, WorkerPool& workers) : access_(access), workers_(workers) {}

  // Who presents the bearer token (401, or 403 admin-disabled without ADMIN_TOKEN), whether they
  // may attempt `action` at all (403), then a positive id in the path (400) and, when it names an
  // event, whether they may do `action` for that event (403), then with `with_body` a JSON object
  // body; or the response refusing the request. Reads storage (off the I/O thread) only for a
  // scoped token it does not remember.
  boost::asio::awaitable<Admitted> admit(const http::Request& request,
                                         const http::RequestContext& context, Action action,
                                         PathId path = PathId::kNone, bool with_body = false);

  // The 403 response unless `principal` may do `action` for `event` (named in a body).
  static std::optional<http::Response> refuseUnlessPermitted(const Principal& principal,
                                                             Action action, EventId event,
                                                             const http::Request& request,
                                                             const http::RequestContext& context);

 private:
  AccessService& access_;
  WorkerPool& workers_;
};

// The token of an `Authorization: Bearer` header, or "" if the request has none.
std::string_view bearerToken(const http::Request& request);

}  // namespace tickets::api
