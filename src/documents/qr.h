#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tickets::documents {

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

// The text as a QR code in a PNG image (8-bit grey), `scale` pixels a module, with the quiet
// zone: for emails, whose readers do not all show SVG. Throws std::runtime_error if the PNG
// library fails.
std::optional<std::string> qrPng(std::string_view text, int scale = 6);

}  // namespace tickets::documents
