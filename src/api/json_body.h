#pragma once

#include <boost/json/value.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <variant>

#include "http/problem.h"
#include "http/types.h"

namespace tickets::api {

// The request body as a JSON object, or the problem to answer with: 415 for another media type,
// 400 for malformed JSON (saying where), 422 for JSON that is not an object.
std::variant<boost::json::object, http::Problem> parseJsonObject(const http::Request& request);

// 422 validation-failed naming the offending `field` (arguments in the order of the domain's
// tickets::unprocessable).
http::Problem unprocessable(std::string field, std::string detail);

}  // namespace tickets::api

namespace tickets::api {

// Typed reading of a JSON object's members; the first problem found is kept (422 naming the
// member), and reading after it is harmless.
class JsonFields {
 public:
  explicit JsonFields(const boost::json::object& object, std::string prefix = {})
      : object_(object), prefix_(std::move(prefix)) {}

  std::optional<std::string> text(std::string_view name, bool required, size_t max_size = 10000);
  std::optional<int64_t> integer(std::string_view name, bool required);
  const boost::json::array* array(std::string_view name, bool required);
  // A problem if a member not in `known` is present.
  void rejectUnknown(std::initializer_list<std::string_view> known);

  bool ok() const { return !problem_; }
  const std::optional<http::Problem>& problem() const { return problem_; }
  void fail(std::string_view name, std::string detail);

 private:
  const boost::json::object& object_;
  std::string prefix_;
  std::optional<http::Problem> problem_;
};

}  // namespace tickets::api
