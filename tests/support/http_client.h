#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tickets::test {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One request on a new connection to 127.0.0.1:port; fails the test on I/O errors.
HttpResult httpRequest(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = {},
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

inline HttpResult httpGet(uint16_t port, const std::string& target) {
  return httpRequest(port, "GET", target);
}

// Sends raw bytes and returns everything the server writes until it closes the connection or
// `timeout_ms` passes.
std::string rawExchange(uint16_t port, const std::string& bytes, int timeout_ms = 3000);

}  // namespace tickets::test
