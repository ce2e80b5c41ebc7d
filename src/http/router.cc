#include "http/router.h"

#include <stdexcept>

namespace tickets::http {
namespace {

constexpr std::string_view kFallbackAllow = "GET, HEAD, OPTIONS";

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) {
      next = path.size();
    }
    segments.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return segments;
}

}  // namespace

void Router::add(beast_http::verb method, std::string_view path_template, Handler handler) {
  if (!path_template.starts_with('/')) {
    throw std::invalid_argument("route template must start with /");
  }
  size_t endpoint = 0;
  for (; endpoint < templates_.size(); ++endpoint) {
    if (templates_[endpoint] == path_template) {
      break;
    }
  }
  if (endpoint == templates_.size()) {
    Endpoint entry;
    size_t placeholders = 0;
    for (auto segment : splitPath(path_template)) {
      bool placeholder = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
      placeholders += placeholder ? 1 : 0;
      entry.segments.push_back(
          Segment{placeholder ? std::string() : std::string(segment), placeholder});
    }
    if (placeholders > kMaxPathParams) {
      throw std::invalid_argument("too many placeholders in route template");
    }
    templates_.emplace_back(path_template);
    table_.push_back(std::move(entry));
  }
  for (const auto& route : table_[endpoint].routes) {
    if (route.method == method) {
      throw std::invalid_argument("duplicate route");
    }
  }
  auto& entry = table_[endpoint];
  entry.routes.push_back(Route{method, endpoint, std::move(handler)});
  entry.allow.clear();
  for (const auto& route : entry.routes) {
    entry.allow += std::string(beast_http::to_string(route.method)) + ", ";
    if (route.method == beast_http::verb::get) {
      entry.allow += "HEAD, ";
    }
  }
  entry.allow += "OPTIONS";
}

bool Router::matches(const Endpoint& endpoint, std::string_view path, RequestContext& context) {
  if (!path.starts_with('/')) {
    return false;
  }
  size_t pos = 1;
  size_t params = 0;
  for (size_t i = 0; i < endpoint.segments.size(); ++i) {
    if (pos > path.size()) {
      return false;
    }
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) {
      next = path.size();
    }
    std::string_view segment = path.substr(pos, next - pos);
    const Segment& expected = endpoint.segments[i];
    if (expected.placeholder) {
      if (segment.empty()) {
        return false;
      }
      context.params[params++] = segment;
    } else if (segment != expected.literal) {
      return false;
    }
    pos = next + 1;
  }
  if (pos <= path.size()) {
    return false;  // the path has more segments
  }
  context.param_count = params;
  return true;
}

void Router::setFallback(std::string_view name, Handler handler) {
  if (fallback_) {
    throw std::invalid_argument("the fallback is already set");
  }
  fallback_endpoint_ = templates_.size();
  templates_.emplace_back(name);
  table_.push_back(Endpoint{});  // keeps endpoint ids and table positions aligned; no routes
  fallback_ = std::move(handler);
}

Router::Match Router::match(beast_http::verb method, std::string_view path,
                            RequestContext& context) const {
  for (const auto& endpoint : table_) {
    if (endpoint.routes.empty() || !matches(endpoint, path, context)) {
      continue;
    }
    Match result;
    result.allow = endpoint.allow;
    result.endpoint = endpoint.routes.front().endpoint;
    const auto wanted = method == beast_http::verb::head ? beast_http::verb::get : method;
    for (const auto& route : endpoint.routes) {
      if (route.method == wanted) {
        result.outcome = Outcome::kFound;
        result.handler = &route.handler;
        return result;
      }
    }
    result.outcome = Outcome::kMethodNotAllowed;
    return result;
  }
  if (fallback_ && path != "/api" && !path.starts_with("/api/")) {
    Match result;
    result.endpoint = fallback_endpoint_;
    result.allow = kFallbackAllow;
    if (method == beast_http::verb::get || method == beast_http::verb::head) {
      result.outcome = Outcome::kFound;
      result.handler = &fallback_;
    } else {
      result.outcome = Outcome::kMethodNotAllowed;
    }
    return result;
  }
  return Match{};
}

}  // namespace tickets::http
