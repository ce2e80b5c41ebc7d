#include "common/json_log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace tickets {
namespace {

TEST(JsonEscaped, ProducesValidJsonStringsForAnyInput) {
  for (std::string text : {std::string("plain"), std::string(""), std::string("a\"b\\c"),
                           std::string("line\nbreak\r\ttab"), std::string("\x01\x1f", 2),
                           std::string("ends with quote\""), std::string("caf\xc3\xa9")}) {
    auto line = fmt::format(R"({{"v":"{}"}})", JsonEscaped{text});
    auto parsed = boost::json::parse(line);
    EXPECT_EQ(std::string(parsed.at("v").as_string()), text) << line;
  }
}

TEST(JsonEscaped, EscapesControlCharactersAsUnicode) {
  EXPECT_EQ(fmt::format("{}", JsonEscaped{std::string_view("\x01", 1)}), "\\u0001");
}

}  // namespace
}  // namespace tickets
