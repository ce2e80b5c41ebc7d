#include <iostream>

#include "app/application.h"
#include "app/crash_report.h"
#include "config/config.h"

int main(int argc, char** argv) {
  auto outcome = tickets::parseConfig(argc, argv, std::cout, std::cerr);
  if (const int* exit_code = std::get_if<int>(&outcome)) {
    return *exit_code;
  }
  tickets::installCrashReport();
  tickets::Application app(std::get<tickets::Config>(std::move(outcome)));
  return app.run();
}
