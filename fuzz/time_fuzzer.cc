// RFC 3339 time: parseRfc3339 against an independent reference of the grammar and the calendar,
// and formatRfc3339 re-parsing to the same instant, both for every parsed text and for every
// instant of the representable range (0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z).

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"
#include "fuzz_check.h"

namespace {

using tickets::SystemTime;
using tickets::fuzz::fail;
using tickets::fuzz::quoted;

// Howard Hinnant's days_from_civil, written out here so that the reference shares no code with
// <chrono>.
int64_t daysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr int64_t kFirstSecond = -62167219200;  // 0000-01-01T00:00:00Z
constexpr int64_t kLastSecond = 253402300799;   // 9999-12-31T23:59:59Z

bool digits(std::string_view text, size_t pos, size_t count, int64_t& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// RFC 3339 section 5.6 date-time, with the instant in seconds (fraction truncated, a leap second
// clamped to :59); nullopt for anything else, including an instant outside four-digit years.
std::optional<int64_t> referenceParse(std::string_view t) {
  int64_t y, mo, d, h, mi, s;
  if (!digits(t, 0, 4, y) || t.size() < 20 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
      !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != 't') || !digits(t, 11, 2, h) ||
      t[13] != ':' || !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {
    size_t start = ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int64_t oh, om;
    if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' ||
        !digits(t, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 60 + om) * 60 * (t[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] + (mo == 2 && leap ? 1 : 0) || h > 23 ||
      mi > 59 || s > 60) {
    return std::nullopt;
  }
  int64_t instant =
      daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s) - offset;
  if (instant < kFirstSecond || instant > kLastSecond) return std::nullopt;
  return instant;
}

void checkFormat(SystemTime t) {
  std::string text = tickets::formatRfc3339(t);
  auto back = tickets::parseRfc3339(text);
  auto seconds = std::to_string(t.time_since_epoch().count());
  if (text.size() != 20 || text[19] != 'Z' || !referenceParse(text)) {
    fail("formatRfc3339 writes YYYY-MM-DDTHH:MM:SSZ", seconds + " -> " + quoted(text));
  }
  if (!back || *back != t) {
    fail("parseRfc3339(formatRfc3339(t)) == t", seconds + " -> " + quoted(text));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = tickets::fuzz::asText(data, size);
  auto parsed = tickets::parseRfc3339(text);
  auto expected = referenceParse(text);
  if (parsed.has_value() != expected.has_value()) {
    fail(expected ? "parseRfc3339 accepts a valid RFC 3339 date-time"
                  : "parseRfc3339 rejects what is not an RFC 3339 date-time of years 0000-9999",
         quoted(text));
  }
  if (parsed) {
    if (parsed->time_since_epoch().count() != *expected) {
      fail("parseRfc3339 gives the instant written",
           quoted(text) + " -> " + std::to_string(parsed->time_since_epoch().count()) +
               ", expected " + std::to_string(*expected));
    }
    checkFormat(*parsed);
  }

  FuzzedDataProvider provider(data, size);
  checkFormat(SystemTime{
      std::chrono::seconds{provider.ConsumeIntegralInRange<int64_t>(kFirstSecond, kLastSecond)}});
  return 0;
}
