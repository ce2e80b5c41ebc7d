#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tickets {

// The error-budget policy of docs/error-budgets.md, decided from what Prometheus' recording
// rules say about the two SLOs (availability: 5xx ratio against 0.1%; latency: share of requests
// slower than 0.8 s against 5%). Pure: no I/O, no clock; the caller brings the readings.

enum class BudgetState {
  kHealthy,            // 75-100% remaining
  kCaution,            // 50-75%
  kFreezeNonCritical,  // 25-50%: only fixes, reliability work, scheduled on-sales
  kFullFreeze,         // 0-25%: fixes and rollbacks only
  kExhausted,          // below 0: all deploys halted, postmortem
  kUnknown,            // no data: the rules are not evaluated or ticketsd is not scraped
};

std::string_view budgetStateName(BudgetState state);

// What one SLO's recording rules report for one (job, namespace). A window whose rule has no
// value (no traffic in it, or not yet evaluated) is nullopt.
struct SloReading {
  std::string slo;                  // "availability" or "latency"
  std::optional<double> remaining;  // job_namespace:slo_<slo>:error_budget_remaining
  std::optional<double> burn_rate_1h;
  std::optional<double> burn_rate_6h;
  std::optional<double> burn_rate_1d;
  std::optional<double> burn_rate_3d;
};

// When the remaining budget runs out if the burn of a recent window continues; nullopt when that
// burn is at most 1x (not on course to run out within the 28-day window) or unknown.
struct Projection {
  std::string window;  // "1h" or "1d"
  std::optional<std::chrono::seconds> exhausted_in;
};

struct SloVerdict {
  SloReading reading;
  BudgetState state = BudgetState::kUnknown;
  std::vector<Projection> projections;
};

struct BudgetVerdict {
  std::vector<SloVerdict> slos;
  // The lower of the budgets sets the state; unknown when any SLO has no data.
  BudgetState state = BudgetState::kUnknown;
  std::optional<double> remaining;  // the lower remaining budget
  bool deploy_allowed = false;      // the gate: at least 25% remaining and every SLO known
  std::string reason;               // one sentence for people
};

// The 28-day SLO window, which the remaining budget is a share of.
inline constexpr std::chrono::hours kSloWindow{28 * 24};
// The deploy gate's line: below this share of budget remaining, deploys are blocked.
inline constexpr double kDeployGateRemaining = 0.25;

BudgetState stateForRemaining(std::optional<double> remaining);
std::vector<Projection> projectExhaustion(const SloReading& reading);
BudgetVerdict judgeBudgets(std::vector<SloReading> readings);

}  // namespace tickets
