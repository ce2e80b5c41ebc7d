#include "http/client_address.h"

#include <gtest/gtest.h>

namespace tickets::http {
namespace {

TEST(ClientAddress, WithoutTrustedProxiesThePeerIsTheClient) {
  EXPECT_EQ(clientAddress("198.51.100.7", "", 0), "198.51.100.7");
  // A client cannot pick its own address by sending the header.
  EXPECT_EQ(clientAddress("198.51.100.7", "203.0.113.9", 0), "198.51.100.7");
}

TEST(ClientAddress, BehindProxiesTheFarthestTrustedProxySaysWhoItIs) {
  // One load balancer: it appended the address it received from, the last entry.
  EXPECT_EQ(clientAddress("10.0.0.5", "203.0.113.9", 1), "203.0.113.9");
  // What the client sent itself, to the left, is not trusted.
  EXPECT_EQ(clientAddress("10.0.0.5", "1.2.3.4, 203.0.113.9", 1), "203.0.113.9");
  // Two proxies: the second from the right.
  EXPECT_EQ(clientAddress("10.0.0.5", "1.2.3.4,203.0.113.9, 10.0.0.9", 2), "203.0.113.9");
  // Fewer entries than proxies: the leftmost.
  EXPECT_EQ(clientAddress("10.0.0.5", "203.0.113.9", 3), "203.0.113.9");
  // No header, or garbage where the proxy's entry should be: the peer.
  EXPECT_EQ(clientAddress("10.0.0.5", "", 1), "10.0.0.5");
  EXPECT_EQ(clientAddress("10.0.0.5", "1.2.3.4, not-an-address", 1), "10.0.0.5");
  EXPECT_EQ(clientAddress("10.0.0.5", " , ", 1), "10.0.0.5");
}

TEST(ClientAddress, IPv6ClientsAreKeyedByTheirSlash64) {
  EXPECT_EQ(clientAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "", 0), "2001:db8:1:2::/64");
  EXPECT_EQ(clientAddress("2001:db8:1:2::1", "", 0), clientAddress("2001:db8:1:2::ffff", "", 0));
  EXPECT_NE(clientAddress("2001:db8:1:2::1", "", 0), clientAddress("2001:db8:1:3::1", "", 0));
  EXPECT_EQ(clientAddress("::ffff:198.51.100.7", "", 0), "198.51.100.7");
  EXPECT_EQ(clientAddress("10.0.0.5", "2001:db8::7", 1), "2001:db8::/64");
}

}  // namespace
}  // namespace tickets::http
