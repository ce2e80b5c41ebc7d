#pragma once

#include <string>
#include <string_view>

namespace tickets {

// Hex SHA-256 of the bytes, e.g. to fingerprint a request.
std::string sha256Hex(std::string_view bytes);
// Compares two secrets in time independent of their contents and lengths.
bool secretsEqual(std::string_view a, std::string_view b);

}  // namespace tickets
