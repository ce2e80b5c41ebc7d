#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace tickets::http {

// Request ids: a sane incoming X-Request-Id is kept (so that a trace crosses services), otherwise
// a new one is made from a random per-process prefix and a counter. Thread-safe.
class RequestIdGenerator {
 public:
  RequestIdGenerator();
  static bool isAcceptable(std::string_view incoming);
  std::string next();

 private:
  std::string prefix_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace tickets::http
