#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tickets {

// Base64url without padding (RFC 4648 section 5).
std::string base64urlEncode(std::string_view bytes);
// Returns nullopt for characters outside the alphabet or an impossible length.
std::optional<std::string> base64urlDecode(std::string_view text);

}  // namespace tickets
