#pragma once

#include <string>
#include <string_view>

#include "http/types.h"

namespace tickets::http {

// Who a request comes from, as a key for per-client limits.
//
// `peer` is the address of the TCP peer. Behind `trusted_proxies` proxies that each append the
// address they received from to X-Forwarded-For (`forwarded_for`: every such header's value,
// joined with commas), the client is the entry that the farthest trusted proxy appended: the
// `trusted_proxies`-th from the right. Entries to its left are what the client itself sent and
// are never trusted. Fewer entries than proxies (a request that bypassed some): the leftmost.
// An entry that is not an IP address, or no header: the peer.
//
// IPv4 addresses are returned as such; an IPv6 address as its /64 prefix ("2001:db8:1:2::/64"),
// since one subscriber usually has a whole /64; an IPv4-mapped IPv6 address as the IPv4 one.
std::string clientAddress(std::string_view peer, std::string_view forwarded_for,
                          unsigned trusted_proxies);

// The same for a request: its peer and every X-Forwarded-For field it carries.
std::string clientAddress(const Request& request, const RequestContext& context,
                          unsigned trusted_proxies);

}  // namespace tickets::http
