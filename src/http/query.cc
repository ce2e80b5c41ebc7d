#include "http/query.h"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace tickets::http {

std::optional<QueryParams> QueryParams::parse(std::string_view target, std::string& error) {
  QueryParams result;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    error = "the request target is not a valid URL path and query";
    return std::nullopt;
  }
  for (auto param : url->params()) {
    if (result.params_.size() == kMaxParams) {
      error = "too many query parameters";
      return std::nullopt;
    }
    std::string key = param.key;
    if (std::any_of(result.params_.begin(), result.params_.end(),
                    [&](const auto& p) { return p.first == key; })) {
      error = "query parameter '" + key + "' is repeated";
      return std::nullopt;
    }
    result.params_.emplace_back(std::move(key), param.has_value ? std::string(param.value) : "");
  }
  return result;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

std::optional<std::string> QueryParams::firstUnknown(
    std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : params_) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return key;
    }
  }
  return std::nullopt;
}

}  // namespace tickets::http
