#include "http/problem.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/utf8.h"

namespace tickets::http {

Response problemResponse(const Problem& problem, const RequestContext& context, unsigned version,
                         bool keep_alive) {
  boost::json::object body;
  body["type"] = "/problems/" + problem.type;
  body["title"] = problem.title;
  body["status"] = static_cast<int>(problem.status);
  // Whatever of the request is echoed here is made valid UTF-8, so the body is valid JSON.
  constexpr size_t kMaxEchoed = 1024;
  if (!problem.detail.empty()) {
    body["detail"] = clippedUtf8(problem.detail, kMaxEchoed);
  }
  if (!problem.field.empty()) {
    body["field"] = clippedUtf8(problem.field, kMaxEchoed);
  }
  for (const auto& [name, value] : problem.extensions) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      body[name] = clippedUtf8(*text, kMaxEchoed);
    } else {
      body[name] = std::get<int64_t>(value);
    }
  }
  body["instance"] = clippedUtf8(context.path, kMaxEchoed);
  body["request_id"] = context.request_id;
  Response response{problem.status, version};
  response.set(beast_http::field::content_type, "application/problem+json");
  response.set(beast_http::field::cache_control, "no-store");
  response.set("X-Request-Id", context.request_id);
  response.body() = boost::json::serialize(body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

Problem notFoundProblem(std::string detail) {
  return Problem{beast_http::status::not_found, "not-found", "Not Found", std::move(detail), {}};
}

Problem badRequestProblem(std::string detail, std::string field) {
  if (!field.empty()) {
    return Problem{beast_http::status::bad_request, "invalid-parameter", "Invalid Parameter",
                   std::move(detail), std::move(field)};
  }
  return Problem{
      beast_http::status::bad_request, "invalid-request", "Bad Request", std::move(detail), {}};
}

}  // namespace tickets::http
