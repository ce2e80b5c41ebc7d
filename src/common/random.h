#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tickets {

// A printable token carrying `bits` of cryptographically secure randomness (OpenSSL RAND_bytes),
// base64url-encoded. Thread-safe. Throws std::runtime_error if the generator fails.
std::string randomToken(int bits = 128);

// `length` characters drawn uniformly from a 32-character alphabet, from the same generator.
std::string randomCode(size_t length, std::string_view alphabet32);

// A number drawn uniformly from [0, 1) with 53 random bits, from the same generator.
double randomFraction();

}  // namespace tickets
