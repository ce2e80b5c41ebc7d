#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tickets::http {

// The decoded parameters of a request target's query. Parsing fails on malformed
// percent-encoding, repeated names, or more than kMaxParams parameters.
class QueryParams {
 public:
  static constexpr size_t kMaxParams = 32;

  static std::optional<QueryParams> parse(std::string_view target, std::string& error);

  std::optional<std::string_view> get(std::string_view name) const;
  // Names present that are not in `known`, for rejecting misspelt parameters.
  std::optional<std::string> firstUnknown(std::initializer_list<std::string_view> known) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace tickets::http
