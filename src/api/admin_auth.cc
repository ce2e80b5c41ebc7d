#include "api/admin_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace tickets::api {
namespace {

using http::beast_http::status;

// Hashing first makes the comparison independent of both lengths.
bool sameSecret(std::string_view a, std::string_view b) {
  unsigned char ha[SHA256_DIGEST_LENGTH];
  unsigned char hb[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), ha);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), hb);
  return CRYPTO_memcmp(ha, hb, sizeof ha) == 0;
}

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
      !sameSecret(header.substr(kScheme.size()), token_)) {
    return http::Problem{status::unauthorized,
                         "unauthorized",
                         "Unauthorized",
                         "a valid admin bearer token is required",
                         {}};
  }
  return std::nullopt;
}

}  // namespace tickets::api
