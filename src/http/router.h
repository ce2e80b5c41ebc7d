#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace tickets::http {

// Maps (method, path) to a handler through route templates such as /api/events/{id}.
// Each distinct template is one endpoint with a stable id (its index in endpoints()), which is
// the metrics label. A HEAD request is served by the endpoint's GET handler (the server drops
// the body); OPTIONS is answered by the server from allow. Built at start-up, then read-only
// and thread-safe.
class Router {
 public:
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };

  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Handler* handler = nullptr;
    size_t endpoint = 0;     // valid unless kNotFound
    std::string_view allow;  // unless kNotFound: the methods the endpoint accepts
  };

  // Adds a route; a template segment in braces matches any one non-empty path segment.
  void add(beast_http::verb method, std::string_view path_template, Handler handler);

  // Serves GET (and HEAD) of every path that no route matches and that is outside `/api/` (the
  // web app's files and its client-side routes); other methods there are 405. `name` is the
  // endpoint's label, e.g. "/*". Paths under /api/ keep their 404 problem.
  void setFallback(std::string_view name, Handler handler);

  // Fills context.params for kFound.
  Match match(beast_http::verb method, std::string_view path, RequestContext& context) const;

  const std::vector<std::string>& endpoints() const { return templates_; }

 private:
  struct Segment {
    std::string literal;
    bool placeholder = false;
  };
  struct Route {
    beast_http::verb method;
    size_t endpoint;
    Handler handler;
  };
  struct Endpoint {
    std::vector<Segment> segments;
    std::vector<Route> routes;
    std::string allow;  // e.g. "GET, HEAD, OPTIONS"
  };

  static bool matches(const Endpoint& endpoint, std::string_view path, RequestContext& context);

  std::vector<std::string> templates_;
  std::vector<Endpoint> table_;
  Handler fallback_;
  size_t fallback_endpoint_ = 0;
};

}  // namespace tickets::http
