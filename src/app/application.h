#pragma once

#include <cstdint>
#include <functional>

#include "config/config.h"

namespace tickets {

// The composition root: builds the database, domain, handlers, metrics and server from the
// configuration, serves until SIGTERM or SIGINT, drains, and returns the process exit code.
class Application {
 public:
  using Listening = std::function<void(uint16_t port)>;

  explicit Application(Config config) : config_(std::move(config)) {}
  // `on_listening`, if given, is told the port once the server accepts connections (for running
  // the whole service inside another program, such as a fuzzer).
  int run(const Listening& on_listening = {});

 private:
  Config config_;
};

}  // namespace tickets
