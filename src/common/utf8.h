#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tickets {

// `text` made safe to echo in a JSON answer or a log: at most `max_bytes` bytes, cut at a
// character boundary, each byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string clippedUtf8(std::string_view text, size_t max_bytes);

}  // namespace tickets
