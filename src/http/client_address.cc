#include "http/client_address.h"

#include <boost/asio/ip/address.hpp>
#include <boost/range/iterator_range.hpp>

#include <optional>
#include <vector>

namespace tickets::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The client key of an address, or nullopt if `text` is not one.
std::optional<std::string> keyOf(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) {
    return std::nullopt;
  }
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  if (address.is_v4()) {
    return address.to_v4().to_string();
  }
  auto bytes = address.to_v6().to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) {
    bytes[i] = 0;
  }
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace

std::string clientAddress(std::string_view peer, std::string_view forwarded_for,
                          unsigned trusted_proxies) {
  const std::string fallback = keyOf(peer).value_or(std::string(peer));
  if (trusted_proxies == 0 || trim(forwarded_for).empty()) {
    return fallback;
  }
  std::vector<std::string_view> entries;
  size_t start = 0;
  while (start <= forwarded_for.size()) {
    size_t comma = forwarded_for.find(',', start);
    if (comma == std::string_view::npos) {
      comma = forwarded_for.size();
    }
    entries.push_back(trim(forwarded_for.substr(start, comma - start)));
    start = comma + 1;
  }
  const std::string_view chosen = entries.size() >= trusted_proxies
                                      ? entries[entries.size() - trusted_proxies]
                                      : entries.front();
  return keyOf(chosen).value_or(fallback);
}

std::string clientAddress(const Request& request, const RequestContext& context,
                          unsigned trusted_proxies) {
  std::string forwarded_for;
  for (const auto& field : boost::make_iterator_range(request.equal_range("X-Forwarded-For"))) {
    forwarded_for += forwarded_for.empty() ? "" : ",";
    forwarded_for += field.value();
  }
  return clientAddress(context.peer, forwarded_for, trusted_proxies);
}

}  // namespace tickets::http
