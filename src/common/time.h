#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tickets {

using SystemTime = std::chrono::sys_seconds;

// Source of the current time, injected so that tests of expiry and caching never sleep.
// Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  virtual std::chrono::steady_clock::time_point steadyNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point steadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

// Whether `name` is a time zone of the system's IANA zone database (TZDIR, by default
// /usr/share/zoneinfo), e.g. Europe/London or UTC. Reads the zone file; thread-safe.
bool isKnownTimeZone(std::string_view name);

// RFC 3339 in UTC with a Z suffix, e.g. 2026-12-01T19:30:00Z.
std::string formatRfc3339(SystemTime t);

// The wall-clock time at `t` in an IANA time zone, for people: "Sat 6 Dec 2026, 19:00 GMT".
// nullopt when the zone is not in the system's zone database.
std::optional<std::string> formatInZone(SystemTime t, std::string_view zone);
// Accepts RFC 3339 date-times with Z or a numeric offset (+01:00); fractional seconds are
// truncated. Returns nullopt for anything else, including impossible dates.
std::optional<SystemTime> parseRfc3339(std::string_view text);

}  // namespace tickets
