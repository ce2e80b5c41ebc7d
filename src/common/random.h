#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tickets {

// A printable token carrying `bits` of cryptographically secure randomness (OpenSSL RAND_bytes),
// base64url-encoded. Thread-safe. Throws std::runtime_error if the generator fails.
std::string randomToken(int bits = 128);

// A token as long as randomToken(128)'s, whose first 48 bits are the time it was made (Unix
// milliseconds, big-endian) and the other 80 random. Tokens made close together share a prefix,
// so a B-tree index puts a batch of them on one or two pages instead of one random page each;
// 80 random bits remain unguessable. Its creation time can be read from it.
std::string timeOrderedToken();

// `length` characters drawn uniformly from a 32-character alphabet, from the same generator.
std::string randomCode(size_t length, std::string_view alphabet32);

// A number drawn uniformly from [0, 1) with 53 random bits, from the same generator.
double randomFraction();

}  // namespace tickets
