#pragma once

#include "config/config.h"

namespace tickets {

// The composition root: builds the database, domain, handlers, metrics and server from the
// configuration, serves until SIGTERM or SIGINT, drains, and returns the process exit code.
class Application {
 public:
  explicit Application(Config config) : config_(std::move(config)) {}
  int run();

 private:
  Config config_;
};

}  // namespace tickets
