#include "api/json_body.h"

#include <boost/json/parser.hpp>

namespace tickets::api {

using http::beast_http::status;

http::Problem unprocessable(std::string detail, std::string field) {
  return http::Problem{status::unprocessable_entity, "validation-failed", "Unprocessable Content",
                       std::move(detail), std::move(field)};
}

std::variant<boost::json::object, http::Problem> parseJsonObject(const http::Request& request) {
  auto type = request[http::beast_http::field::content_type];
  auto semicolon = type.find(';');
  auto media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') {
    media.remove_suffix(1);
  }
  if (media != "application/json") {
    return http::Problem{status::unsupported_media_type,
                         "unsupported-media-type",
                         "Unsupported Media Type",
                         "the body must be application/json",
                         {}};
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
    return unprocessable("the body must be a JSON object", "");
  }
  return std::move(value.as_object());
}

}  // namespace tickets::api
