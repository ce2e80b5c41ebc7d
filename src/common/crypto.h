#pragma once

#include <string>
#include <string_view>

namespace tickets {

// The bytes in lower-case hex, two digits a byte.
std::string toHex(std::string_view bytes);
// Hex SHA-256 of the bytes, e.g. to fingerprint a request.
std::string sha256Hex(std::string_view bytes);
// Compares two secrets in time independent of their contents and lengths.
bool secretsEqual(std::string_view a, std::string_view b);

// HMAC-SHA-256 of `message` under `key`: 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view message);

// The number of leading zero bits of SHA-256(`bytes`) (0 to 256): the work a hashcash-style
// proof of work shows.
int sha256LeadingZeroBits(std::string_view bytes);

}  // namespace tickets
