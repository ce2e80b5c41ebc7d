#include "api/json_body.h"

#include <boost/json/parser.hpp>

#include <algorithm>
#include <cctype>

#include <climits>
#include "common/utf8.h"

namespace tickets::api {

using http::beast_http::status;

http::Problem unprocessable(std::string field, std::string detail) {
  return http::makeProblem(http::ProblemType::kValidationFailed, std::move(detail),
                           std::move(field));
}

std::variant<boost::json::object, http::Problem> parseJsonObject(const http::Request& request) {
  auto type = request[http::beast_http::field::content_type];
  auto semicolon = type.find(';');
  auto media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') {
    media.remove_suffix(1);
  }
  // Media types compare without regard to case (RFC 9110 8.3.1).
  if (!std::equal(media.begin(), media.end(), std::string_view("application/json").begin(),
                  std::string_view("application/json").end(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == b;
                  })) {
    return http::makeProblem(http::ProblemType::kUnsupportedMediaType,
                             "the body must be application/json");
  }
  boost::json::parse_options options;
  options.max_depth = 16;
  boost::json::parser parser({}, options);
  boost::system::error_code ec;
  const std::string& body = request.body();
  // write() also rejects anything after the value.
  size_t consumed = parser.write(body.data(), body.size(), ec);
  if (ec) {
    return http::badRequestProblem("malformed JSON at byte " + std::to_string(consumed) + ": " +
                                   ec.message());
  }
  auto value = parser.release();
  if (!value.is_object()) {
    return unprocessable("", "the body must be a JSON object");
  }
  return std::move(value.as_object());
}

}  // namespace tickets::api

namespace tickets::api {

void JsonFields::fail(std::string_view name, std::string detail) {
  if (!problem_) {
    problem_ = unprocessable(prefix_ + std::string(name), std::move(detail));
  }
}

std::optional<std::string> JsonFields::text(std::string_view name, bool required, size_t max_size) {
  auto* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) {
      fail(name, std::string(name) + " is required");
    }
    return std::nullopt;
  }
  if (!value->is_string() || value->as_string().size() > max_size) {
    fail(name, std::string(name) + " must be a string of at most " + std::to_string(max_size) +
                   " characters");
    return std::nullopt;
  }
  return std::string(value->as_string());
}

std::optional<int64_t> JsonFields::integer(std::string_view name, bool required) {
  auto* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) {
      fail(name, std::string(name) + " is required");
    }
    return std::nullopt;
  }
  if (value->is_int64()) {
    return value->as_int64();
  }
  if (value->is_uint64() && value->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(value->as_uint64());
  }
  fail(name, std::string(name) + " must be an integer");
  return std::nullopt;
}

const boost::json::array* JsonFields::array(std::string_view name, bool required) {
  auto* value = object_.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) {
      fail(name, std::string(name) + " is required");
    }
    return nullptr;
  }
  if (!value->is_array()) {
    fail(name, std::string(name) + " must be an array");
    return nullptr;
  }
  return &value->as_array();
}

void JsonFields::rejectUnknown(std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object_) {
    if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
      std::string name = clippedUtf8(key, 64);
      fail(name, "unknown member '" + name + "'");
      return;
    }
  }
}

}  // namespace tickets::api
