// base64url without padding: every byte string encodes to the alphabet and decodes back, and a text
// that decodes is the one canonical encoding of its bytes; a text that does not decode has a
// reason (a character outside the alphabet, a length of 1 mod 4, or non-zero leftover bits).

#include <string_view>

#include "common/base64url.h"
#include "fuzz_check.h"

namespace {

using tickets::fuzz::fail;
using tickets::fuzz::quoted;

int alphabetValue(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = tickets::fuzz::asText(data, size);

  std::string encoded = tickets::base64urlEncode(input);
  if (encoded.size() != (input.size() * 4 + 2) / 3) {
    fail("base64urlEncode length is ceil(4n/3)", quoted(encoded));
  }
  for (unsigned char c : encoded) {
    if (alphabetValue(c) < 0) {
      fail("base64urlEncode emits only the base64url alphabet", quoted(encoded));
    }
  }
  auto decoded = tickets::base64urlDecode(encoded);
  if (!decoded || *decoded != input) {
    fail("base64urlDecode(base64urlEncode(x)) == x", quoted(input) + " -> " + quoted(encoded));
  }

  auto bytes = tickets::base64urlDecode(input);
  bool in_alphabet = true;
  for (unsigned char c : input) {
    in_alphabet = in_alphabet && alphabetValue(c) >= 0;
  }
  bool leftover_bits = false;
  if (in_alphabet && !input.empty()) {
    int last = alphabetValue(static_cast<unsigned char>(input.back()));
    leftover_bits = (input.size() % 4 == 2 && (last & 0x0F) != 0) ||
                    (input.size() % 4 == 3 && (last & 0x03) != 0);
  }
  bool expect_ok = in_alphabet && input.size() % 4 != 1 && !leftover_bits;
  if (bytes.has_value() != expect_ok) {
    fail(expect_ok ? "base64urlDecode accepts a canonical encoding"
                   : "base64urlDecode rejects a non-canonical or invalid text",
         quoted(input));
  }
  if (bytes) {
    if (bytes->size() != input.size() * 3 / 4) {
      fail("base64urlDecode length is floor(3n/4)", quoted(input));
    }
    if (tickets::base64urlEncode(*bytes) != input) {
      fail("base64urlEncode(base64urlDecode(x)) == x", quoted(input));
    }
  }
  return 0;
}
