#pragma once

#include <optional>
#include <string>

#include "http/problem.h"
#include "http/types.h"

namespace tickets::api {

// Bearer-token authentication of the admin API. The token is compared in constant time. With
// no token configured the admin API is disabled (503). Thread-safe.
class AdminAuth {
 public:
  explicit AdminAuth(std::string token) : token_(std::move(token)) {}

  // nullopt if the request may proceed, else the problem to answer with.
  std::optional<http::Problem> check(const http::Request& request) const;

 private:
  std::string token_;
};

}  // namespace tickets::api
