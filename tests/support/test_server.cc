#include "support/test_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace tickets::test {
namespace {

std::vector<std::string> buildEnv(const TestServer::Env& overrides) {
  TestServer::Env env = {{"PATH", "/usr/bin:/bin"},
                         {"HOST", "127.0.0.1"},
                         {"PORT", "0"},
                         {"LOG_LEVEL", "info"},
                         {"SHUTDOWN_DRAIN_SECONDS", "0"},
                         // Every test client is 127.0.0.1: tests play many buyers from one
                         // address. The limit's own tests set it.
                         {"HOLD_LIMIT_PER_CLIENT", "0"}};
  // Keep the sanitizer settings of the test run, if any.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) {
      env[name] = value;
    }
  }
  for (const auto& [k, v] : overrides) {
    env[k] = v;
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) {
    out.push_back(k + "=" + v);
  }
  return out;
}

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int& out_fd,
            std::vector<std::string> launcher = {}) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  std::vector<char*> argv;
  std::string path = TICKETSD_PATH;
  for (auto& part : launcher) {
    argv.push_back(part.data());
  }
  argv.push_back(path.data());
  std::vector<std::string> args_copy = args;
  for (auto& a : args_copy) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_copy = env;
  std::vector<char*> envp;
  for (auto& e : env_copy) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  pid_t pid = -1;
  int rc =
      launcher.empty()
          ? posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), envp.data())
          : posix_spawnp(&pid, launcher[0].c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot start ticketsd");
  }
  out_fd = fds[0];
  return pid;
}

}  // namespace

TestServer::TestServer(Env env, std::vector<std::string> args, std::vector<std::string> launcher) {
  if (env.find("DATA_DIR") == env.end()) {
    env["DATA_DIR"] = data_.path();
  }
  pid_ = spawn(args, buildEnv(env), output_fd_, std::move(launcher));
  reader_ = std::thread([this] { readOutput(); });
  auto line = waitForLog("\"msg\":\"listening\"", std::chrono::seconds(30));
  if (!line) {
    std::string all;
    for (const auto& l : logLines()) {
      all += l + "\n";
    }
    throw std::runtime_error("ticketsd did not start:\n" + all);
  }
  auto pos = line->find("\"port\":");
  port_ = static_cast<uint16_t>(std::stoi(line->substr(pos + 7)));
}

TestServer::~TestServer() {
  if (!exited_) {
    ::kill(pid_, SIGKILL);
    waitForExit(std::chrono::seconds(10));
  }
  if (reader_.joinable()) {
    reader_.join();
  }
  if (output_fd_ >= 0) {
    close(output_fd_);
  }
}

void TestServer::readOutput() {
  std::string pending;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(output_fd_, chunk, sizeof chunk);
    if (n <= 0) {
      break;
    }
    pending.append(chunk, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::lock_guard lock(mutex_);
      lines_.push_back(pending.substr(0, newline));
      pending.erase(0, newline + 1);
    }
  }
  if (!pending.empty()) {
    std::lock_guard lock(mutex_);
    lines_.push_back(pending);
  }
}

void TestServer::signal(int signo) { ::kill(pid_, signo); }

std::optional<int> TestServer::waitForExit(std::chrono::milliseconds timeout) {
  if (exited_) {
    return WIFEXITED(exit_status_) ? std::optional<int>(WEXITSTATUS(exit_status_)) : std::nullopt;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      exit_status_ = status;
      return WIFEXITED(status) ? std::optional<int>(WEXITSTATUS(status)) : std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

std::string TestServer::exitReport() const {
  std::string report;
  if (!exited_) {
    report = "ticketsd is still running";
  } else if (WIFEXITED(exit_status_)) {
    report = "ticketsd exited with " + std::to_string(WEXITSTATUS(exit_status_));
  } else if (WIFSIGNALED(exit_status_)) {
    report = "ticketsd was killed by signal " + std::to_string(WTERMSIG(exit_status_)) + " (" +
             strsignal(WTERMSIG(exit_status_)) + ")";
  }
  const auto lines = logLines();
  report += "; its last log lines:\n";
  for (size_t i = lines.size() > 30 ? lines.size() - 30 : 0; i < lines.size(); ++i) {
    report += lines[i] + "\n";
  }
  return report;
}

std::vector<std::string> TestServer::logLines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::optional<std::string> TestServer::waitForLog(const std::string& needle,
                                                  std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    {
      std::lock_guard lock(mutex_);
      for (const auto& line : lines_) {
        if (line.find(needle) != std::string::npos) {
          return line;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < deadline);
  return std::nullopt;
}

std::pair<int, std::string> runTicketsd(const std::vector<std::string>& args,
                                        const TestServer::Env& env) {
  int fd = -1;
  pid_t pid = spawn(args, buildEnv(env), fd);
  std::string output;
  char chunk[4096];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) {
    output.append(chunk, static_cast<size_t>(n));
  }
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace tickets::test
