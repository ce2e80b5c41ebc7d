// Request ids: an incoming X-Request-Id is kept exactly when it is 1 to 128 characters of
// [A-Za-z0-9._:-], and every id the server makes itself would be kept by the next service too.

#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/request_id.h"

namespace {

using tickets::fuzz::fail;
using tickets::fuzz::quoted;

bool referenceAcceptable(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tickets::http::RequestIdGenerator generator;
  static std::string previous;

  std::string_view incoming = tickets::fuzz::asText(data, size);
  if (tickets::http::RequestIdGenerator::isAcceptable(incoming) != referenceAcceptable(incoming)) {
    fail("isAcceptable(id) iff id is 1-128 characters of [A-Za-z0-9._:-]", quoted(incoming));
  }

  std::string made = generator.next();
  if (!tickets::http::RequestIdGenerator::isAcceptable(made)) {
    fail("isAcceptable(next())", quoted(made));
  }
  if (made == previous) {
    fail("next() never repeats an id", quoted(made));
  }
  previous = std::move(made);
  return 0;
}
