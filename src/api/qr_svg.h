#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tickets::api {

// The modules of the text's QR code (error correction level M), row by row, without the quiet
// zone; nullopt if it cannot be encoded.
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;  // width * width
  bool isDark(int x, int y) const { return dark[static_cast<size_t>(y * width + x)]; }
};
std::optional<QrMatrix> qrMatrix(std::string_view text);

// The text as a QR code in SVG, with the standard four-module quiet zone.
std::optional<std::string> qrSvg(std::string_view text);

}  // namespace tickets::api
