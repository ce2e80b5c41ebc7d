#include "common/base64url.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>

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

TEST(TimeOrderedToken, IsAsLongAsARandomTokenStartsWithItsTimeAndDiffersInTheRest) {
  const auto ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const int64_t before = ms();
  auto a = timeOrderedToken();
  auto b = timeOrderedToken();
  const int64_t after = ms();
  EXPECT_EQ(a.size(), 22u);
  EXPECT_NE(a, b);
  auto bytes = base64urlDecode(a);
  ASSERT_TRUE(bytes);
  ASSERT_EQ(bytes->size(), 16u);
  const auto stamp = [](const std::string& token) {
    auto decoded = base64urlDecode(token).value_or(std::string(16, '\0'));
    int64_t value = 0;
    for (size_t i = 0; i < 6; ++i) {
      value = (value << 8) | static_cast<unsigned char>(decoded[i]);
    }
    return value;
  };
  EXPECT_GE(stamp(a), before);
  EXPECT_LE(stamp(a), stamp(b));
  EXPECT_LE(stamp(b), after);
  // Their 80 random bits differ.
  EXPECT_NE(bytes->substr(6), base64urlDecode(b)->substr(6));
}

}  // namespace
}  // namespace tickets
