#include "common/base64url.h"

#include <gtest/gtest.h>

#include "common/random.h"

namespace tickets {
namespace {

TEST(Base64url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    auto encoded = base64urlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    auto decoded = base64urlDecode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37 + 200));
  }
}

TEST(Base64url, KnownVector) { EXPECT_EQ(base64urlEncode("\xfb\xff"), "-_8"); }

TEST(Base64url, RejectsForeignCharactersAndImpossibleLengths) {
  EXPECT_FALSE(base64urlDecode("ab+c"));
  EXPECT_FALSE(base64urlDecode("ab=="));
  EXPECT_FALSE(base64urlDecode("abcde"));
  EXPECT_FALSE(base64urlDecode("ab\xff"));
}

TEST(Base64url, RejectsNonCanonicalTrailingBits) {
  // "-_8" is canonical for fb ff; "-_9" has a stray low bit.
  EXPECT_TRUE(base64urlDecode("-_8"));
  EXPECT_FALSE(base64urlDecode("-_9"));
}

TEST(RandomToken, CarriesRequestedEntropyAndDiffers) {
  auto a = randomToken(128);
  auto b = randomToken(128);
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
  EXPECT_EQ(base64urlDecode(a)->size(), 16u);
}

}  // namespace
}  // namespace tickets
