#pragma once

#include <fmt/format.h>

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
    for (char c : value.text) {
      switch (c) {
        case '"':
          out = fmt::format_to(out, "\\\"");
          break;
        case '\\':
          out = fmt::format_to(out, "\\\\");
          break;
        case '\n':
          out = fmt::format_to(out, "\\n");
          break;
        case '\r':
          out = fmt::format_to(out, "\\r");
          break;
        case '\t':
          out = fmt::format_to(out, "\\t");
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out = fmt::format_to(out, "\\u{:04x}", static_cast<int>(c));
          } else {
            *out++ = c;
          }
      }
    }
    return out;
  }
};
