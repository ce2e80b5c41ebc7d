#include "support/stripe_double.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/http_client.h"

extern char** environ;

namespace tickets::test {

StripeDouble::StripeDouble() {
  const std::string port_file = dir_.path() + "/port";
  std::vector<std::string> args = {"python3", STRIPE_DOUBLE_PY, "--port",
                                   "0",       "--port-file",    port_file};
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    throw std::runtime_error("cannot start the Stripe double");
  }
  posix_spawn_file_actions_destroy(&actions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<uint16_t>(port);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  throw std::runtime_error("the Stripe double did not start");
}

StripeDouble::~StripeDouble() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

boost::json::value StripeDouble::control(const std::string& method, const std::string& path,
                                         const std::string& body) {
  auto r = httpRequest(port_, method, path, method == "GET" ? "" : body,
                       {{"Content-Type", "application/json"}});
  EXPECT_GE(r.status, 200) << method << " " << path << ": " << r.body;
  EXPECT_LT(r.status, 300) << method << " " << path << ": " << r.body;
  return boost::json::parse(r.body.empty() ? "null" : r.body);
}

}  // namespace tickets::test
