#include "common/utf8.h"

#include <gtest/gtest.h>

namespace tickets {
namespace {

TEST(ClippedUtf8, CutsAtACharacterBoundary) {
  const std::string text = "caf\xC3\xA9";  // "café": the é is two bytes
  EXPECT_EQ(clippedUtf8(text, 5), text);
  EXPECT_EQ(clippedUtf8(text, 4), "caf");
  EXPECT_EQ(clippedUtf8("\xF0\x9F\x8E\xAB tickets", 3), "");
}

TEST(ClippedUtf8, ReplacesWhatIsNotUtf8) {
  EXPECT_EQ(clippedUtf8("a\xFF"
                        "b",
                        64),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(clippedUtf8("\xC3", 64), "\xEF\xBF\xBD");                  // cut sequence
  EXPECT_EQ(clippedUtf8("\xC0\xAF", 64), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(clippedUtf8("\xED\xA0\x80", 64), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace tickets
