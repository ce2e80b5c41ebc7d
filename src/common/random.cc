#include "common/random.h"

#include <openssl/rand.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "common/base64url.h"

namespace tickets {
namespace {

// Fills `size` bytes from OpenSSL's generator; throws if it fails.
void fillRandom(unsigned char* bytes, size_t size) {
  if (RAND_bytes(bytes, static_cast<int>(size)) != 1) {
    throw std::runtime_error("random generator failed");
  }
}

}  // namespace

std::string randomToken(int bits) {
  std::vector<unsigned char> bytes(static_cast<size_t>((bits + 7) / 8));
  fillRandom(bytes.data(), bytes.size());
  return base64urlEncode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string timeOrderedToken() {
  unsigned char bytes[16];
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  for (int i = 0; i < 6; ++i) {
    bytes[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  }
  fillRandom(bytes + 6, 10);
  return base64urlEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string randomCode(size_t length, std::string_view alphabet32) {
  if (alphabet32.size() != 32) {
    throw std::invalid_argument("randomCode needs a 32-character alphabet");
  }
  std::vector<unsigned char> bytes(length);
  fillRandom(bytes.data(), bytes.size());
  std::string code;
  code.reserve(length);
  for (unsigned char b : bytes) {
    code += alphabet32[b & 31];
  }
  return code;
}

double randomFraction() {
  unsigned char bytes[8];
  fillRandom(bytes, sizeof bytes);
  uint64_t value = 0;
  for (unsigned char b : bytes) {
    value = (value << 8) | b;
  }
  return static_cast<double>(value >> 11) / static_cast<double>(uint64_t{1} << 53);
}

}  // namespace tickets
