#include "storage/database_url.h"

namespace tickets {

std::optional<DatabaseUrl> parseDatabaseUrl(std::string_view url, std::string& error) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return DatabaseUrl{DatabaseUrl::Kind::kPostgres, std::string(url)};
  }
  if (url.starts_with("sqlite:")) {
    std::string_view path = url.substr(7);
    if (path.starts_with("//")) {
      path.remove_prefix(2);
    }
    if (path.empty()) {
      error = "sqlite: URL has no file path";
      return std::nullopt;
    }
    return DatabaseUrl{DatabaseUrl::Kind::kSqlite, std::string(path)};
  }
  error = "must start with sqlite:, postgres:// or postgresql://";
  return std::nullopt;
}

namespace {

// The query with the value of every parameter whose name ends in "password" replaced.
std::string redactQuery(std::string_view query) {
  std::string out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) {
      end = query.size();
    }
    auto param = query.substr(pos, end - pos);
    auto equals = param.find('=');
    auto name = param.substr(0, equals);
    std::string lower;
    for (char c : name) {
      lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (equals != std::string_view::npos && lower.ends_with("password")) {
      out += name;
      out += "=***";
    } else {
      out += param;
    }
    if (end < query.size()) {
      out += '&';
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string redactDatabaseUrl(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  std::string_view query;
  if (auto question = url.find('?', scheme_end + 3); question != std::string_view::npos) {
    query = url.substr(question + 1);
    url = url.substr(0, question + 1);
  }
  std::string out(url);
  // The password is what follows the first ':' of the userinfo, up to the last '@' (searched
  // widely, so that a password with an unescaped '/' or '@' is still hidden).
  auto at = out.rfind('@');
  if (at != std::string::npos && at > scheme_end + 3) {
    auto colon = out.find(':', scheme_end + 3);
    if (colon != std::string::npos && colon < at) {
      out = out.substr(0, colon + 1) + "***" + out.substr(at);
    }
  }
  return out + redactQuery(query);
}

}  // namespace tickets
