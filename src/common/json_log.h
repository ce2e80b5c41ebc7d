#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace tickets {

// Formats a string as the inside of a JSON string literal, for building JSON log lines.
struct JsonEscaped {
  std::string_view text;
};

}  // namespace tickets

template <>
struct fmt::formatter<tickets::JsonEscaped> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const tickets::JsonEscaped& value, Context& ctx) const {
    auto out = ctx.out();
    std::string_view text = value.text;
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      const char* escape = nullptr;
      switch (c) {
        case '"':
          escape = "\\\"";
          break;
        case '\\':
          escape = "\\\\";
          break;
        case '\n':
          escape = "\\n";
          break;
        case '\r':
          escape = "\\r";
          break;
        case '\t':
          escape = "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x20) {
            continue;
          }
      }
      // Copy the clean run before this character in one go, then its escape.
      out = std::copy(text.data() + start, text.data() + i, out);
      if (escape != nullptr) {
        out = fmt::format_to(out, "{}", escape);
      } else {
        out = fmt::format_to(out, "\\u{:04x}", static_cast<int>(c));
      }
      start = i + 1;
    }
    return std::copy(text.data() + start, text.data() + text.size(), out);
  }
};
