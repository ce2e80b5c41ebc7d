#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/time.h"

namespace tickets::sql {

// How both backends pass times (Unix seconds) and text patterns to SQL.

inline int64_t unixSeconds(SystemTime t) { return t.time_since_epoch().count(); }
inline SystemTime fromUnix(int64_t s) { return SystemTime{std::chrono::seconds{s}}; }

inline std::optional<int64_t> optionalUnix(const std::optional<SystemTime>& t) {
  return t ? std::optional<int64_t>(unixSeconds(*t)) : std::nullopt;
}

inline std::optional<SystemTime> optionalTime(const std::optional<int64_t>& s) {
  return s ? std::optional<SystemTime>(fromUnix(*s)) : std::nullopt;
}

// A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped by a backslash.
inline std::string containsPattern(const std::string& text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

}  // namespace tickets::sql
