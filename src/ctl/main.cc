// ticketsctl: operations commands for tickets. `ticketsctl budget` is the deploy gate of the
// error-budget policy (docs/error-budgets.md#policy).
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/time.h"
#include "ctl/budget_command.h"
#include "tickets/version.h"

int main(int argc, char** argv) {
  CLI::App app{"ticketsctl: operations commands for tickets", "ticketsctl"};
  app.set_version_flag("--version",
                       std::string(tickets::kVersion) + " (" + tickets::kRevision + ")");
  app.require_subcommand(1);

  tickets::BudgetCommandOptions budget;
  std::string at;
  int64_t timeout_ms = budget.timeout.count();
  CLI::App* budget_command = app.add_subcommand(
      "budget",
      "Remaining error budget, burn rates and policy state from Prometheus. Exit 0: deploy "
      "allowed; 3: blocked (below 25% remaining, exhausted, or no data); 4: Prometheus could "
      "not be asked; 2: usage");
  budget_command
      ->add_option("--prometheus", budget.prometheus_url,
                   "Prometheus base URL (kubectl -n monitoring port-forward "
                   "svc/kube-prometheus-stack-prometheus 9090:9090)")
      ->envname("PROMETHEUS_URL")
      ->capture_default_str();
  budget_command->add_option("-n,--namespace", budget.namespace_name, "Kubernetes namespace")
      ->capture_default_str();
  budget_command->add_option("--job", budget.job, "only this Prometheus job");
  budget_command->add_option("--at", at, "evaluate at this RFC 3339 time instead of now");
  budget_command->add_option("--timeout-ms", timeout_ms, "per query")
      ->check(CLI::Range(int64_t{100}, int64_t{120000}))
      ->capture_default_str();
  budget_command->add_flag("--json", budget.json, "one JSON document for machines");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << "ticketsctl: " << e.what() << " (see ticketsctl --help)\n";
    return tickets::kExitUsage;
  }

  if (budget_command->parsed()) {
    if (!at.empty()) {
      const auto when = tickets::parseRfc3339(at);
      if (!when) {
        std::cerr << "ticketsctl: --at must be an RFC 3339 time, e.g. 2026-12-01T19:30:00Z\n";
        return tickets::kExitUsage;
      }
      budget.at = *when;
    }
    budget.timeout = std::chrono::milliseconds(timeout_ms);
    return tickets::runBudgetCommand(budget, std::cout, std::cerr);
  }
  return tickets::kExitUsage;
}
