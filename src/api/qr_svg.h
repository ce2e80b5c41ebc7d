#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tickets::api {

// The text as a QR code (error correction level M) in SVG, with the standard four-module quiet
// zone; nullopt if it cannot be encoded.
std::optional<std::string> qrSvg(std::string_view text);

}  // namespace tickets::api
