#include "api/admin_auth.h"

#include "common/crypto.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

}  // namespace

std::optional<http::Problem> AdminAuth::check(const http::Request& request) const {
  if (token_.empty()) {
    return http::Problem{status::service_unavailable,
                         "admin-disabled",
                         "Admin API Disabled",
                         "the admin API is disabled: ADMIN_TOKEN is not set",
                         {}};
  }
  auto header = request[http::beast_http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() || !header.starts_with(kScheme) ||
      !secretsEqual(header.substr(kScheme.size()), token_)) {
    return http::Problem{status::unauthorized,
                         "unauthorized",
                         "Unauthorized",
                         "a valid admin bearer token is required",
                         {}};
  }
  return std::nullopt;
}

}  // namespace tickets::api
