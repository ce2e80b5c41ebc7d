#include "ops/error_budget.h"

#include <gtest/gtest.h>

#include <limits>

#include "ops/prometheus_client.h"

namespace tickets {
namespace {

SloReading reading(std::string slo, std::optional<double> remaining,
                   std::optional<double> burn_1h = std::nullopt,
                   std::optional<double> burn_1d = std::nullopt) {
  SloReading r;
  r.slo = std::move(slo);
  r.remaining = remaining;
  r.burn_rate_1h = burn_1h;
  r.burn_rate_1d = burn_1d;
  return r;
}

TEST(ErrorBudgetPolicy, StatesFollowThePolicyTable) {
  EXPECT_EQ(stateForRemaining(1.0), BudgetState::kHealthy);
  EXPECT_EQ(stateForRemaining(0.75), BudgetState::kHealthy);
  EXPECT_EQ(stateForRemaining(0.7499), BudgetState::kCaution);
  EXPECT_EQ(stateForRemaining(0.50), BudgetState::kCaution);
  EXPECT_EQ(stateForRemaining(0.4999), BudgetState::kFreezeNonCritical);
  EXPECT_EQ(stateForRemaining(0.25), BudgetState::kFreezeNonCritical);
  EXPECT_EQ(stateForRemaining(0.2499), BudgetState::kFullFreeze);
  EXPECT_EQ(stateForRemaining(0.0), BudgetState::kFullFreeze);
  EXPECT_EQ(stateForRemaining(-0.01), BudgetState::kExhausted);
  EXPECT_EQ(stateForRemaining(std::nullopt), BudgetState::kUnknown);
  EXPECT_EQ(stateForRemaining(std::numeric_limits<double>::quiet_NaN()), BudgetState::kUnknown);
}

TEST(ErrorBudgetPolicy, TheLowerBudgetDecidesAndTheGateIsAt25Percent) {
  auto verdict = judgeBudgets({reading("availability", 0.9), reading("latency", 0.3)});
  EXPECT_EQ(verdict.state, BudgetState::kFreezeNonCritical);
  EXPECT_DOUBLE_EQ(*verdict.remaining, 0.3);
  EXPECT_TRUE(verdict.deploy_allowed);
  EXPECT_NE(verdict.reason.find("latency"), std::string::npos);

  verdict = judgeBudgets({reading("availability", 0.2), reading("latency", 0.9)});
  EXPECT_EQ(verdict.state, BudgetState::kFullFreeze);
  EXPECT_FALSE(verdict.deploy_allowed);
  EXPECT_NE(verdict.reason.find("availability"), std::string::npos);

  verdict = judgeBudgets({reading("availability", 0.25), reading("latency", 0.25)});
  EXPECT_TRUE(verdict.deploy_allowed);

  verdict = judgeBudgets({reading("availability", -0.5), reading("latency", 0.1)});
  EXPECT_EQ(verdict.state, BudgetState::kExhausted);
  EXPECT_FALSE(verdict.deploy_allowed);
}

TEST(ErrorBudgetPolicy, NoDataIsAFailedCheckNotAFullBudget) {
  auto verdict = judgeBudgets({reading("availability", 1.0), reading("latency", std::nullopt)});
  EXPECT_EQ(verdict.state, BudgetState::kUnknown);
  EXPECT_FALSE(verdict.deploy_allowed);
  EXPECT_NE(verdict.reason.find("latency"), std::string::npos);
  EXPECT_FALSE(judgeBudgets({}).deploy_allowed);
}

TEST(ErrorBudgetPolicy, ProjectsExhaustionOnlyForBurnsAbove1x) {
  // Half the budget left at 14x: the whole budget lasts 28 d / 14 = 2 d, half of it 1 d.
  auto projections = projectExhaustion(reading("availability", 0.5, 14.0, 0.5));
  ASSERT_EQ(projections.size(), 2u);
  EXPECT_EQ(projections[0].window, "1h");
  ASSERT_TRUE(projections[0].exhausted_in);
  EXPECT_EQ(projections[0].exhausted_in->count(), 86400);
  EXPECT_FALSE(projections[1].exhausted_in);  // 0.5x: not on course to run out

  // An overspent budget is gone now.
  projections = projectExhaustion(reading("availability", -0.2, 3.0));
  ASSERT_TRUE(projections[0].exhausted_in);
  EXPECT_EQ(projections[0].exhausted_in->count(), 0);
}

TEST(PrometheusVector, ParsesSamplesAndTreatsNaNAsNoValue) {
  const auto samples = parsePrometheusVector(
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"namespace":"tickets-prod"},"value":[1700000000.5,"0.8125"]},)"
      R"({"metric":{},"value":[1700000000.5,"NaN"]}]}})");
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].labels.at("namespace"), "tickets-prod");
  EXPECT_DOUBLE_EQ(*samples[0].value, 0.8125);
  EXPECT_FALSE(samples[1].value);
}

TEST(PrometheusVector, RefusesErrorsAndForeignDocuments) {
  EXPECT_THROW(parsePrometheusVector(R"({"status":"error","errorType":"bad_data","error":"x"})"),
               PrometheusError);
  EXPECT_THROW(parsePrometheusVector("<html>login</html>"), PrometheusError);
  EXPECT_THROW(
      parsePrometheusVector(R"({"status":"success","data":{"resultType":"matrix","result":[]}})"),
      PrometheusError);
  EXPECT_THROW(
      parsePrometheusVector(R"({"status":"success","data":{"resultType":"vector","result":[)"
                            R"({"metric":{},"value":[1,"twelve"]}]}})"),
      PrometheusError);
}

TEST(PrometheusClientUrl, AcceptsHttpBaseUrlsOnly) {
  EXPECT_EQ(PrometheusClient("http://localhost:9090/", std::chrono::seconds(1)).displayUrl(),
            "http://localhost:9090");
  EXPECT_EQ(
      PrometheusClient("http://prom.internal/prometheus", std::chrono::seconds(1)).displayUrl(),
      "http://prom.internal/prometheus");
  EXPECT_THROW(PrometheusClient("https://prom", std::chrono::seconds(1)), PrometheusError);
  EXPECT_THROW(PrometheusClient("localhost:9090", std::chrono::seconds(1)), PrometheusError);
  EXPECT_THROW(PrometheusClient("http://user:pw@prom:9090", std::chrono::seconds(1)),
               PrometheusError);
}

}  // namespace
}  // namespace tickets
