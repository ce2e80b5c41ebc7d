// Page cursors: whatever decodes re-encodes to a cursor that decodes to the same position and fits
// the length limit, and every position of an event (a start from 1970 to 9999, a positive id)
// survives decodeCursor(encodeCursor(c)) == c.

#include <fuzzer/FuzzedDataProvider.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "domain/cursor.h"
#include "fuzz_check.h"

namespace {

using tickets::fuzz::fail;
using tickets::fuzz::quoted;

std::string describe(const tickets::EventCursor& c) {
  return "{starts_at " + std::to_string(c.starts_at.time_since_epoch().count()) + ", id " +
         std::to_string(c.id) + "}";
}

void checkRoundTrip(const tickets::EventCursor& cursor) {
  std::string text = tickets::encodeCursor(cursor);
  if (text.size() > 64) {
    fail("encodeCursor fits the 64-character limit of decodeCursor",
         describe(cursor) + " -> " + quoted(text));
  }
  auto back = tickets::decodeCursor(text);
  if (!back || *back != cursor) {
    fail("decodeCursor(encodeCursor(c)) == c", describe(cursor) + " -> " + quoted(text));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = tickets::fuzz::asText(data, size);
  if (auto cursor = tickets::decodeCursor(text)) {
    if (text.size() > 64 || cursor->id <= 0) {
      fail("decodeCursor accepts only short cursors of positive ids",
           quoted(text) + " -> " + describe(*cursor));
    }
    checkRoundTrip(*cursor);
  }

  FuzzedDataProvider provider(data, size);
  auto seconds = provider.ConsumeIntegralInRange<int64_t>(0, 253'402'300'799);
  auto id = provider.ConsumeIntegralInRange<int64_t>(1, std::numeric_limits<int64_t>::max());
  checkRoundTrip({tickets::SystemTime{std::chrono::seconds{seconds}}, id});
  return 0;
}
