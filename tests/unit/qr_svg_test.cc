#include "documents/qr.h"

#include <gtest/gtest.h>

namespace tickets::documents {
namespace {

TEST(QrSvg, DrawsAVersion2SymbolWithQuietZoneAndFinderPatterns) {
  auto svg = qrSvg("AAAAAAAAAAAAAAAAAAAAAA");  // 22 characters, like a ticket code
  ASSERT_TRUE(svg);
  // Version 2 is 25 modules wide; with four quiet modules a side, 33.
  EXPECT_NE(svg->find(R"(viewBox="0 0 33 33")"), std::string::npos);
  // The top-left finder pattern: a dark 7x7 ring from (4,4) to (10,10), a light separator at 11.
  for (const char* dark : {"M4 4h1", "M10 4h1", "M4 10h1", "M10 10h1", "M6 6h1", "M8 8h1"}) {
    EXPECT_NE(svg->find(dark), std::string::npos) << dark;
  }
  for (const char* light : {"M11 4h1", "M5 5h1", "M3 3h1"}) {
    EXPECT_EQ(svg->find(light), std::string::npos) << light;
  }
  EXPECT_TRUE(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg->ends_with("</svg>"));
}

TEST(QrSvg, DifferentCodesDrawDifferently) { EXPECT_NE(qrSvg("code-one"), qrSvg("code-two")); }

}  // namespace
}  // namespace tickets::documents
