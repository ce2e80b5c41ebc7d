#pragma once

#include <string>

namespace tickets {

// A printable token carrying `bits` of cryptographically secure randomness (OpenSSL RAND_bytes),
// base64url-encoded. Thread-safe. Throws std::runtime_error if the generator fails.
std::string randomToken(int bits = 128);

}  // namespace tickets
