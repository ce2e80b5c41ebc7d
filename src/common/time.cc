#include "common/time.h"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace tickets {
namespace {

bool parseDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) {
    return false;
  }
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

bool isKnownTimeZone(std::string_view name) {
  // The name becomes a path: only the characters of IANA names, no absolute or parent parts.
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/' ||
      name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) {
    return false;
  }
  if (!std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '+';
      })) {
    return false;
  }
  const char* dir = std::getenv("TZDIR");
  std::string path = (dir != nullptr && *dir != '\0') ? dir : "/usr/share/zoneinfo";
  path += '/';
  path += name;
  std::ifstream file(path, std::ios::binary);
  char magic[4] = {};
  return file.read(magic, sizeof magic) && std::string_view(magic, 4) == "TZif";
}

std::string formatRfc3339(SystemTime t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buffer;
}

std::optional<SystemTime> parseRfc3339(std::string_view text) {
  using namespace std::chrono;
  int y, mo, d, h, mi, s;
  if (text.size() < 20 || !parseDigits(text, 0, 4, y) || text[4] != '-' ||
      !parseDigits(text, 5, 2, mo) || text[7] != '-' || !parseDigits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != 't') || !parseDigits(text, 11, 2, h) || text[13] != ':' ||
      !parseDigits(text, 14, 2, mi) || text[16] != ':' || !parseDigits(text, 17, 2, s)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (text[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  if (pos >= text.size()) {
    return std::nullopt;
  }
  int offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh, om;
    if (!parseDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !parseDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  if (s == 60) {
    s = 59;  // A leap second is not representable; clamp.
  }
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
  // An offset can carry the instant out of the years 0000-9999, which RFC 3339 cannot write.
  if (t < sys_days{year{0} / 1 / 1} || t >= sys_days{year{10000} / 1 / 1}) {
    return std::nullopt;
  }
  return time_point_cast<seconds>(t);
}

std::optional<std::string> formatInZone(SystemTime t, std::string_view zone) {
  try {
    const auto* tz = date::locate_zone(zone);
    const auto local = date::make_zoned(tz, t);
    std::string text = date::format("%a %d %b %Y, %H:%M %Z", local);
    // A day of the month without its leading zero reads better: "Sat 6 Dec".
    if (text.size() > 4 && text[4] == '0') {
      text.erase(4, 1);
    }
    return text;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace tickets
