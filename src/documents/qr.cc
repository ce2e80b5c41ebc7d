#include "documents/qr.h"

#include <png.h>
#include <qrencode.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace tickets::documents {

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

std::optional<std::string> qrPng(std::string_view text, int scale) {
  auto code = qrMatrix(text);
  if (!code || scale < 1 || scale > 32) {
    return std::nullopt;
  }
  constexpr int kQuiet = 4;
  const int side = (code->width + 2 * kQuiet) * scale;
  std::vector<png_byte> pixels(static_cast<size_t>(side) * static_cast<size_t>(side), 0xff);
  for (int y = 0; y < code->width; ++y) {
    for (int x = 0; x < code->width; ++x) {
      if (!code->isDark(x, y)) {
        continue;
      }
      for (int dy = 0; dy < scale; ++dy) {
        const size_t row = static_cast<size_t>((y + kQuiet) * scale + dy) * side;
        for (int dx = 0; dx < scale; ++dx) {
          pixels[row + static_cast<size_t>((x + kQuiet) * scale + dx)] = 0;
        }
      }
    }
  }
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(side);
  image.height = static_cast<png_uint_32>(side);
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr)) {
    throw std::runtime_error(std::string("cannot encode a PNG: ") + image.message);
  }
  std::string png(size, '\0');
  if (!png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), 0, nullptr)) {
    throw std::runtime_error(std::string("cannot encode a PNG: ") + image.message);
  }
  png.resize(size);
  return png;
}

}  // namespace tickets::documents
