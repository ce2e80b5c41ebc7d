#include "http/request_id.h"

#include <algorithm>

#include "common/random.h"

namespace tickets::http {

RequestIdGenerator::RequestIdGenerator() : prefix_(randomToken(48)) {}

bool RequestIdGenerator::isAcceptable(std::string_view incoming) {
  return !incoming.empty() && incoming.size() <= 128 &&
         std::all_of(incoming.begin(), incoming.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == ':';
         });
}

std::string RequestIdGenerator::next() {
  uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed) + 1;
  char digits[17];
  int len = 0;
  do {
    digits[len++] = "0123456789abcdef"[n & 0xF];
    n >>= 4;
  } while (n != 0);
  std::string id;
  id.reserve(prefix_.size() + 1 + static_cast<size_t>(len));
  id = prefix_;
  id += '-';
  while (len > 0) {
    id += digits[--len];
  }
  return id;
}

}  // namespace tickets::http
