#pragma once

#include <boost/json/value.hpp>

#include <variant>

#include "http/problem.h"
#include "http/types.h"

namespace tickets::api {

// The request body as a JSON object, or the problem to answer with: 415 for another media type,
// 400 for malformed JSON (saying where), 422 for JSON that is not an object.
std::variant<boost::json::object, http::Problem> parseJsonObject(const http::Request& request);

http::Problem unprocessable(std::string detail, std::string field);

}  // namespace tickets::api
