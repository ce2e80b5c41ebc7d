#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace tickets::payments {

// One HTTP exchange with an outside service over libcurl (TLS verified against the system's
// certificates). Blocking; thread-safe (each call has its own handle).
struct HttpExchange {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{10000};
};

struct HttpAnswer {
  long status = 0;    // 0: no answer (error says why)
  std::string error;  // transport failure, for logs (never the request's secrets)
  std::string body;
};

HttpAnswer send(const HttpExchange& exchange);

// application/x-www-form-urlencoded, each name and value percent-encoded.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace tickets::payments
