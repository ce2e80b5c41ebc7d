#include "app/crash_report.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "common/sanitizers.h"

namespace tickets {
#ifndef TICKETS_SANITIZED
namespace {

constexpr std::array kFatalSignals{SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

// A line built in a fixed buffer without allocating: the heap may be what broke.
class Line {
 public:
  void add(const char* text) {
    for (; *text != '\0' && size_ < buffer_.size(); ++text) {
      buffer_[size_++] = *text;
    }
  }
  void addHex(uintptr_t value) {
    char digits[2 * sizeof value];
    size_t n = 0;
    do {
      digits[n++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    } while (value != 0);
    add("0x");
    while (n > 0 && size_ < buffer_.size()) {
      buffer_[size_++] = digits[--n];
    }
  }
  void addDecimal(int value) {
    char digits[12];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value > 0);
    while (n > 0 && size_ < buffer_.size()) {
      buffer_[size_++] = digits[--n];
    }
  }
  void write(int fd) const {
    size_t done = 0;
    while (done < size_) {
      ssize_t n = ::write(fd, buffer_.data() + done, size_ - done);
      if (n <= 0) {
        return;
      }
      done += static_cast<size_t>(n);
    }
  }

 private:
  std::array<char, 8192> buffer_{};
  size_t size_ = 0;
};

// The module's file name without its directory: paths of the host stay out of the log.
const char* baseName(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

void onFatalSignal(int signal) {
  static Line line;  // static: the handler may run on the small alternate stack
  line.add(R"({"level":"critical","msg":"fatal signal","signal":)");
  line.addDecimal(signal);
  line.add(R"(,"name":"SIG)");
  line.add(sigabbrev_np(signal) != nullptr ? sigabbrev_np(signal) : "?");
  line.add(R"(","stack":[)");
  void* frames[64];
  const int depth = backtrace(frames, 64);
  for (int i = 0; i < depth; ++i) {
    Dl_info info{};
    line.add(i == 0 ? "\"" : ",\"");
    if (dladdr(frames[i], &info) != 0 && info.dli_fname != nullptr) {
      line.add(baseName(info.dli_fname));
      line.add("+");
      line.addHex(reinterpret_cast<uintptr_t>(frames[i]) -
                  reinterpret_cast<uintptr_t>(info.dli_fbase));
    } else {
      line.addHex(reinterpret_cast<uintptr_t>(frames[i]));
    }
    line.add("\"");
  }
  line.add(
      R"q(],"action":"report it with the version (ticketsd --version); addr2line -e ticketsd OFFSET names each frame"})q");
  line.add("\n");
  line.write(STDERR_FILENO);
  // SA_RESETHAND restored the default action: the signal now ends the process (and dumps core
  // where that is enabled), as without this handler.
  ::raise(signal);
}

}  // namespace
#endif

void installCrashReport() {
#ifndef TICKETS_SANITIZED
  // backtrace() loads its unwinder on first use; do it now, not in the handler.
  void* warm[1];
  backtrace(warm, 1);
  // Its own stack, so that a stack overflow can be reported too.
  static std::array<char, 64 * 1024> alternate_stack;
  stack_t stack{};
  stack.ss_sp = alternate_stack.data();
  stack.ss_size = alternate_stack.size();
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_handler = onFatalSignal;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signal : kFatalSignals) {
    sigaction(signal, &action, nullptr);
  }
#endif
}

}  // namespace tickets
