#include "http/problem.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tickets::http {

Response problemResponse(const Problem& problem, const RequestContext& context, unsigned version,
                         bool keep_alive) {
  boost::json::object body;
  body["type"] = "/problems/" + problem.type;
  body["title"] = problem.title;
  body["status"] = static_cast<int>(problem.status);
  if (!problem.detail.empty()) {
    body["detail"] = problem.detail;
  }
  if (!problem.field.empty()) {
    body["field"] = problem.field;
  }
  for (const auto& [name, value] : problem.extensions) {
    std::visit([&, &name = name](const auto& v) { body[name] = v; }, value);
  }
  body["instance"] = context.path;
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
