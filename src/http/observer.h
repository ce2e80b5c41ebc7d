#pragma once

#include <cstddef>
#include <string_view>

namespace tickets::http {

// What the server reports of its requests, for whoever measures them (the Prometheus
// instruments implement it); the server knows nothing of how. Thread-safe and fast.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // A request is being handled: from its parsed header until its answer is ready.
  virtual void onStarted() = 0;
  virtual void onAnswered() = 0;
  // A response was written. `endpoint` is the route template's index in Router::endpoints(), or
  // Router::endpoints().size() for a request that matched no route; `seconds` run from the
  // request's first byte read to the response's last byte written.
  virtual void onCompleted(size_t endpoint, std::string_view method, int status,
                           double seconds) = 0;
};

}  // namespace tickets::http
