#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace tickets::test {

// The real ticketsd binary, started on a free loopback port with its own SQLite file, its
// stdout and stderr collected. Killed (SIGKILL) when destroyed if still running.
class TestServer {
 public:
  using Env = std::map<std::string, std::string>;

  TestServer() : TestServer(Env{}) {}
  // `launcher`, if given, runs ticketsd, e.g. {"prlimit", "--nofile=256:256"}.
  explicit TestServer(Env env, std::vector<std::string> args = {},
                      std::vector<std::string> launcher = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return port_; }
  int pid() const { return pid_; }
  const std::string& dataDir() const { return data_.path(); }
  std::string databasePath() const { return data_.path() + "/tickets.db"; }

  void signal(int signo);
  // Waits for the process to exit; returns its exit code, or nullopt on timeout or a signal death.
  std::optional<int> waitForExit(std::chrono::milliseconds timeout);
  // How the process ended (exit code, or the signal that killed it) and its last log lines, for
  // a failed assertion's message.
  std::string exitReport() const;

  std::vector<std::string> logLines() const;
  // Waits until a log line contains `needle`; returns that line.
  std::optional<std::string> waitForLog(const std::string& needle,
                                        std::chrono::milliseconds timeout) const;

 private:
  void readOutput();

  TempDir data_;
  int pid_ = -1;
  int output_fd_ = -1;
  uint16_t port_ = 0;
  bool exited_ = false;
  int exit_status_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Runs ticketsd to completion with the given arguments and environment; returns exit code and
// combined output.
std::pair<int, std::string> runTicketsd(const std::vector<std::string>& args,
                                        const TestServer::Env& env);

}  // namespace tickets::test
