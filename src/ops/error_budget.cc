#include "ops/error_budget.h"

#include <algorithm>
#include <cmath>

namespace tickets {

std::string_view budgetStateName(BudgetState state) {
  switch (state) {
    case BudgetState::kHealthy:
      return "healthy";
    case BudgetState::kCaution:
      return "caution";
    case BudgetState::kFreezeNonCritical:
      return "freeze non-critical";
    case BudgetState::kFullFreeze:
      return "full freeze";
    case BudgetState::kExhausted:
      return "exhausted";
    case BudgetState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

BudgetState stateForRemaining(std::optional<double> remaining) {
  if (!remaining || !std::isfinite(*remaining)) {
    return BudgetState::kUnknown;
  }
  const double r = *remaining;
  if (r < 0) {
    return BudgetState::kExhausted;
  }
  if (r < 0.25) {
    return BudgetState::kFullFreeze;
  }
  if (r < 0.50) {
    return BudgetState::kFreezeNonCritical;
  }
  if (r < 0.75) {
    return BudgetState::kCaution;
  }
  return BudgetState::kHealthy;
}

namespace {

std::optional<std::chrono::seconds> exhaustedIn(std::optional<double> remaining,
                                                std::optional<double> burn_rate) {
  if (!remaining || !burn_rate || !std::isfinite(*remaining) || !std::isfinite(*burn_rate) ||
      *burn_rate <= 1.0) {
    return std::nullopt;
  }
  // At burn rate B the whole budget lasts window / B; what is left lasts remaining times that.
  const double window_seconds = std::chrono::duration<double>(kSloWindow).count();
  const double seconds = std::max(*remaining, 0.0) * window_seconds / *burn_rate;
  return std::chrono::seconds(static_cast<int64_t>(seconds));
}

// Lower states are worse; unknown is worst of all for a gate.
int severity(BudgetState state) {
  switch (state) {
    case BudgetState::kHealthy:
      return 0;
    case BudgetState::kCaution:
      return 1;
    case BudgetState::kFreezeNonCritical:
      return 2;
    case BudgetState::kFullFreeze:
      return 3;
    case BudgetState::kExhausted:
      return 4;
    case BudgetState::kUnknown:
      return 5;
  }
  return 5;
}

}  // namespace

std::vector<Projection> projectExhaustion(const SloReading& reading) {
  return {
      Projection{"1h", exhaustedIn(reading.remaining, reading.burn_rate_1h)},
      Projection{"1d", exhaustedIn(reading.remaining, reading.burn_rate_1d)},
  };
}

BudgetVerdict judgeBudgets(std::vector<SloReading> readings) {
  BudgetVerdict verdict;
  if (readings.empty()) {
    verdict.reason = "no SLO readings";
    return verdict;
  }
  const SloVerdict* worst = nullptr;
  for (SloReading& reading : readings) {
    if (reading.remaining && !std::isfinite(*reading.remaining)) {
      reading.remaining.reset();
    }
    SloVerdict slo;
    slo.state = stateForRemaining(reading.remaining);
    slo.projections = projectExhaustion(reading);
    slo.reading = std::move(reading);
    verdict.slos.push_back(std::move(slo));
  }
  for (const SloVerdict& slo : verdict.slos) {
    if (worst == nullptr || severity(slo.state) > severity(worst->state) ||
        (slo.state == worst->state && slo.reading.remaining && worst->reading.remaining &&
         *slo.reading.remaining < *worst->reading.remaining)) {
      worst = &slo;
    }
  }
  verdict.state = worst->state;
  verdict.remaining = worst->reading.remaining;
  if (verdict.state == BudgetState::kUnknown) {
    verdict.deploy_allowed = false;
    verdict.reason = "no data for the " + worst->reading.slo +
                     " SLO: the recording rules are not evaluated or ticketsd is not scraped; "
                     "a missing budget is a failed check, not a full one";
    return verdict;
  }
  verdict.deploy_allowed = *verdict.remaining >= kDeployGateRemaining;
  const std::string percent =
      std::to_string(static_cast<int>(std::floor(*verdict.remaining * 100)));
  switch (verdict.state) {
    case BudgetState::kHealthy:
      verdict.reason = "budgets healthy: deploy whenever ready";
      break;
    case BudgetState::kCaution:
      verdict.reason = "caution: the " + worst->reading.slo + " budget is at " + percent +
                       "%; watch the SLO Overview dashboard for 30 minutes after deploying";
      break;
    case BudgetState::kFreezeNonCritical:
      verdict.reason = "non-critical deploys frozen: the " + worst->reading.slo + " budget is at " +
                       percent +
                       "%; deploy only fixes, reliability work or what a scheduled on-sale needs";
      break;
    case BudgetState::kFullFreeze:
      verdict.reason = "full freeze: the " + worst->reading.slo + " budget is at " + percent +
                       "%, below 25%; fixes and rollbacks only (--emergency)";
      break;
    case BudgetState::kExhausted:
      verdict.reason = "budget exhausted: the " + worst->reading.slo + " budget is at " + percent +
                       "%; all deploys halted except the fix for the cause, with the on-call "
                       "lead's approval (--emergency); a postmortem is due";
      break;
    case BudgetState::kUnknown:
      break;
  }
  return verdict;
}

}  // namespace tickets
