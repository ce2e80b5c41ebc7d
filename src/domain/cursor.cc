#include "domain/cursor.h"

#include <charconv>

#include "common/base64url.h"

namespace tickets {
namespace {

constexpr std::string_view kPrefix = "e1:";
constexpr size_t kMaxCursorLength = 64;
// Start times a cursor may carry: those of events (years 1970 to 9999), which every database
// can represent.
constexpr int64_t kMinSeconds = 0;
constexpr int64_t kMaxSeconds = 253'402'300'799;

bool parseInt(std::string_view text, int64_t& out) {
  if (text.empty() || text.size() > 19) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

}  // namespace

std::string encodeCursor(const EventCursor& cursor) {
  std::string plain(kPrefix);
  plain += std::to_string(cursor.starts_at.time_since_epoch().count());
  plain += ':';
  plain += std::to_string(cursor.id);
  return base64urlEncode(plain);
}

std::optional<EventCursor> decodeCursor(std::string_view text) {
  if (text.empty() || text.size() > kMaxCursorLength) {
    return std::nullopt;
  }
  auto plain = base64urlDecode(text);
  if (!plain || !plain->starts_with(kPrefix)) {
    return std::nullopt;
  }
  std::string_view rest(*plain);
  rest.remove_prefix(kPrefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  int64_t id = 0;
  if (!parseInt(rest.substr(0, colon), seconds) || !parseInt(rest.substr(colon + 1), id) ||
      id <= 0 || seconds < kMinSeconds || seconds > kMaxSeconds) {
    return std::nullopt;
  }
  return EventCursor{SystemTime{std::chrono::seconds{seconds}}, id};
}

}  // namespace tickets
