#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace tickets {

// Exit codes of `ticketsctl budget`, the deploy gate's answer.
inline constexpr int kExitDeployAllowed = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitDeployBlocked = 3;
inline constexpr int kExitPrometheusUnavailable = 4;

struct BudgetCommandOptions {
  std::string prometheus_url = "http://localhost:9090";
  std::string namespace_name = "tickets-dev";
  std::optional<std::string> job;
  std::optional<std::chrono::system_clock::time_point> at;
  std::chrono::milliseconds timeout{10000};
  bool json = false;
};

// Asks Prometheus for both SLOs' budgets and burn rates in one namespace, prints the policy
// state (text or JSON) and returns the exit code.
int runBudgetCommand(const BudgetCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace tickets
