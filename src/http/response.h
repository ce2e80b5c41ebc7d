#pragma once

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

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

// A JSON answer about one caller's own data (a basket, an order, admin figures): never cached.
inline Response privateJsonResponse(beast_http::status status, const boost::json::object& body,
                                    unsigned version) {
  auto response = jsonResponse(status, boost::json::serialize(body), version);
  response.set(beast_http::field::cache_control, "no-store");
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
