#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tickets {

// A failure to get an answer from Prometheus: unreachable, timed out, not Prometheus, or the
// query refused. The message is for people and names the URL without credentials.
class PrometheusError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One element of an instant vector. A value Prometheus gives as NaN or ±Inf (0/0 when a window
// had no traffic) is nullopt.
struct PrometheusSample {
  std::map<std::string, std::string> labels;
  std::optional<double> value;
};

// A small client of Prometheus' HTTP API (GET /api/v1/query), over plain HTTP: the way to reach
// the cluster's Prometheus is `kubectl port-forward` to localhost. Blocking; one connection per
// query, each bounded by `timeout`.
class PrometheusClient {
 public:
  // base_url: http://host[:port][/path-prefix]. Throws PrometheusError when it is not one.
  PrometheusClient(std::string_view base_url, std::chrono::milliseconds timeout);

  // Evaluates an instant query at `at` (Prometheus' now when nullopt).
  std::vector<PrometheusSample> query(
      std::string_view promql,
      std::optional<std::chrono::system_clock::time_point> at = std::nullopt) const;

  const std::string& displayUrl() const { return display_url_; }

 private:
  std::string host_;
  std::string port_;
  std::string path_prefix_;
  std::string display_url_;
  std::chrono::milliseconds timeout_;
};

// Parses the JSON body of /api/v1/query (exposed for tests). Throws PrometheusError for an
// error status, a non-vector result, or a body that is not Prometheus' JSON.
std::vector<PrometheusSample> parsePrometheusVector(std::string_view body);

}  // namespace tickets
