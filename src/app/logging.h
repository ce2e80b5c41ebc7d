#pragma once

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace tickets {

// The process logger: JSON lines on stdout, {"ts":...,"level":...,"msg":...,...}. Writes are
// buffered and flushed every second and at once for warnings and errors, so that an access line
// per request does not cost a system call each.
std::shared_ptr<spdlog::logger> makeJsonLogger(const std::string& level);

}  // namespace tickets
