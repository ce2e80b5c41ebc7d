#pragma once

#include <algorithm>
#include <string_view>

#include "domain/error.h"
#include "http/problem.h"
#include "http/response.h"
#include "http/types.h"

// What the API's handlers share: the problem answer and the checks of path segments.
namespace tickets::api {

inline http::Response problem(const http::Problem& p, const http::Request& request,
                              const http::RequestContext& context) {
  return http::problemResponse(p, context, request.version(), true);
}

// A path segment that must be a token we issued (base64url or base32, bounded).
inline bool isToken(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// The admin's answer to a domain error about an edit: input problems are 422 here.
inline DomainError asEditError(DomainError error) {
  if (error.code == ErrorCode::kInvalidArgument) {
    error.code = ErrorCode::kUnprocessable;
  }
  return error;
}

}  // namespace tickets::api
