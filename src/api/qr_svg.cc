#include "api/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace tickets::api {

std::optional<QrMatrix> qrMatrix(std::string_view text) {
  std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) {
    return std::nullopt;
  }
  QrMatrix matrix;
  matrix.width = code->width;
  matrix.dark.resize(static_cast<size_t>(code->width) * static_cast<size_t>(code->width));
  for (size_t i = 0; i < matrix.dark.size(); ++i) {
    matrix.dark[i] = (code->data[i] & 1) != 0;  // bit 0: dark module
  }
  return matrix;
}

std::optional<std::string> qrSvg(std::string_view text) {
  auto code = qrMatrix(text);
  if (!code) {
    return std::nullopt;
  }
  constexpr int kQuiet = 4;
  const int width = code->width;
  const int size = width + 2 * kQuiet;
  std::string svg =
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 )" + std::to_string(size) + " " +
      std::to_string(size) +
      R"(" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=")";
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if (code->isDark(x, y)) {
        svg += 'M' + std::to_string(x + kQuiet) + ' ' + std::to_string(y + kQuiet) + "h1v1h-1z";
      }
    }
  }
  svg += R"("/></svg>)";
  return svg;
}

}  // namespace tickets::api
