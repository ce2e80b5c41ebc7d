#pragma once

#include <memory>
#include <string>

#include "http/types.h"

namespace tickets::http {

inline Response jsonResponse(beast_http::status status, std::string body, unsigned version) {
  Response response{status, version};
  response.set(beast_http::field::content_type, "application/json");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// A JSON response sharing an immutable body, e.g. one held by a cache.
inline Response jsonResponse(beast_http::status status, std::shared_ptr<const std::string> body,
                             unsigned version) {
  Response response{status, version};
  response.set(beast_http::field::content_type, "application/json");
  response.body().share(std::move(body));
  response.prepare_payload();
  return response;
}

}  // namespace tickets::http
