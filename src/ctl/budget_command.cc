#include "ctl/budget_command.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <regex>

#include "common/time.h"
#include "ops/error_budget.h"
#include "ops/prometheus_client.h"

namespace tickets {

namespace json = boost::json;

namespace {

// Label values go into PromQL verbatim, so they are held to the shapes Kubernetes allows.
bool isNamespaceName(const std::string& name) {
  static const std::regex kDnsLabel("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  return std::regex_match(name, kDnsLabel);
}

bool isJobName(const std::string& name) {
  static const std::regex kJob("[A-Za-z0-9_.:-]{1,128}");
  return std::regex_match(name, kJob);
}

std::string selector(const BudgetCommandOptions& options) {
  std::string s = "{namespace=\"" + options.namespace_name + "\"";
  if (options.job) {
    s += ",job=\"" + *options.job + "\"";
  }
  return s + "}";
}

// With several jobs in the namespace the gate looks at the worst one: the least budget left and
// the fastest burn.
std::optional<double> queryOne(const PrometheusClient& prometheus, const std::string& aggregation,
                               const std::string& series, const BudgetCommandOptions& options) {
  const auto samples =
      prometheus.query(aggregation + "(" + series + selector(options) + ")", options.at);
  if (samples.empty()) {
    return std::nullopt;
  }
  return samples.front().value;
}

SloReading readSlo(const PrometheusClient& prometheus, const std::string& slo,
                   const BudgetCommandOptions& options) {
  const std::string prefix = "job_namespace:slo_" + slo + ":";
  SloReading reading;
  reading.slo = slo;
  reading.remaining = queryOne(prometheus, "min", prefix + "error_budget_remaining", options);
  reading.burn_rate_1h = queryOne(prometheus, "max", prefix + "burnrate1h", options);
  reading.burn_rate_6h = queryOne(prometheus, "max", prefix + "burnrate6h", options);
  reading.burn_rate_1d = queryOne(prometheus, "max", prefix + "burnrate1d", options);
  reading.burn_rate_3d = queryOne(prometheus, "max", prefix + "burnrate3d", options);
  return reading;
}

std::string percent(std::optional<double> share) {
  if (!share) {
    return "no data";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", *share * 100);
  return buffer;
}

std::string rate(std::optional<double> burn) {
  if (!burn) {
    return "-";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fx", *burn);
  return buffer;
}

std::string duration(std::chrono::seconds d) {
  const auto total = d.count();
  if (total < 3600) {
    return std::to_string(total / 60) + " min";
  }
  if (total < 2 * 86400) {
    return std::to_string(total / 3600) + " h " + std::to_string(total % 3600 / 60) + " min";
  }
  return std::to_string(total / 86400) + " d " + std::to_string(total % 86400 / 3600) + " h";
}

json::value optionalNumber(std::optional<double> value) {
  return value ? json::value(*value) : json::value(nullptr);
}

void printJson(const BudgetCommandOptions& options, const PrometheusClient& prometheus,
               const BudgetVerdict& verdict, std::ostream& out) {
  json::array slos;
  for (const SloVerdict& slo : verdict.slos) {
    json::object projected;
    for (const Projection& p : slo.projections) {
      projected[p.window] =
          p.exhausted_in ? json::value(p.exhausted_in->count()) : json::value(nullptr);
    }
    slos.push_back(json::object{
        {"slo", slo.reading.slo},
        {"remaining", optionalNumber(slo.reading.remaining)},
        {"state", budgetStateName(slo.state)},
        {"burn_rates", json::object{{"1h", optionalNumber(slo.reading.burn_rate_1h)},
                                    {"6h", optionalNumber(slo.reading.burn_rate_6h)},
                                    {"24h", optionalNumber(slo.reading.burn_rate_1d)},
                                    {"3d", optionalNumber(slo.reading.burn_rate_3d)}}},
        {"projected_exhaustion_seconds", std::move(projected)},
    });
  }
  json::object document{
      {"namespace", options.namespace_name},
      {"prometheus", prometheus.displayUrl()},
      {"window_days", 28},
      {"state", budgetStateName(verdict.state)},
      {"remaining", optionalNumber(verdict.remaining)},
      {"deploy_allowed", verdict.deploy_allowed},
      {"reason", verdict.reason},
      {"slos", std::move(slos)},
  };
  if (options.job) {
    document["job"] = *options.job;
  }
  out << json::serialize(document) << "\n";
}

void printText(const BudgetCommandOptions& options, const PrometheusClient& prometheus,
               const BudgetVerdict& verdict, std::ostream& out) {
  out << "Error budgets of " << options.namespace_name
      << (options.job ? " (job " + *options.job + ")" : std::string()) << ", rolling 28 days, from "
      << prometheus.displayUrl() << "\n\n";
  for (const SloVerdict& slo : verdict.slos) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "  %-13s remaining %-9s %-20s burn 1h %-8s 6h %-8s 24h %-8s 3d %s\n",
                  slo.reading.slo.c_str(), percent(slo.reading.remaining).c_str(),
                  std::string(budgetStateName(slo.state)).c_str(),
                  rate(slo.reading.burn_rate_1h).c_str(), rate(slo.reading.burn_rate_6h).c_str(),
                  rate(slo.reading.burn_rate_1d).c_str(), rate(slo.reading.burn_rate_3d).c_str());
    out << line;
    out << "  " << std::string(13, ' ') << " exhausted";
    bool first = true;
    for (const Projection& p : slo.projections) {
      out << (first ? " " : "; ") << "at the last " << (p.window == "1d" ? "day" : "hour")
          << "'s burn: " << (p.exhausted_in ? "in " + duration(*p.exhausted_in) : "not on course");
      first = false;
    }
    out << "\n";
  }
  out << "\nPolicy: " << budgetStateName(verdict.state) << " (" << verdict.reason << ")\n";
  out << "Deploy: " << (verdict.deploy_allowed ? "allowed" : "BLOCKED") << "\n";
}

}  // namespace

int runBudgetCommand(const BudgetCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (!isNamespaceName(options.namespace_name)) {
    err << "ticketsctl: --namespace must be a Kubernetes namespace name, e.g. tickets-prod\n";
    return kExitUsage;
  }
  if (options.job && !isJobName(*options.job)) {
    err << "ticketsctl: --job must be a Prometheus job name (letters, digits, _ . : -)\n";
    return kExitUsage;
  }
  try {
    const PrometheusClient prometheus(options.prometheus_url, options.timeout);
    std::vector<SloReading> readings{readSlo(prometheus, "availability", options),
                                     readSlo(prometheus, "latency", options)};
    const BudgetVerdict verdict = judgeBudgets(std::move(readings));
    if (options.json) {
      printJson(options, prometheus, verdict, out);
    } else {
      printText(options, prometheus, verdict, out);
    }
    return verdict.deploy_allowed ? kExitDeployAllowed : kExitDeployBlocked;
  } catch (const PrometheusError& e) {
    err << "ticketsctl: " << e.what() << "\n";
    err << "ticketsctl: the budget is unknown, so the gate cannot allow a deploy\n";
    return kExitPrometheusUnavailable;
  }
}

}  // namespace tickets
