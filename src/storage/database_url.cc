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

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The query with the value of every parameter whose name (percent-decoded, as libpq reads it) ends
// in "password" replaced.
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
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c == '%' && i + 2 < name.size() && hexDigit(name[i + 1]) >= 0 &&
          hexDigit(name[i + 2]) >= 0) {
        c = static_cast<char>(hexDigit(name[i + 1]) * 16 + hexDigit(name[i + 2]));
        i += 2;
      }
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
  const size_t start = scheme_end + 3;
  // The password is what follows the first ':' of the userinfo, up to its '@'. libpq ends the
  // userinfo at the first '@' before any '/' (so a password may hold a '?'); going on to the last
  // '@' before the query hides a password with an unescaped '/' or '@' too.
  auto at = url.find_first_of("@/", start);
  if (at != std::string_view::npos && url[at] != '@') {
    at = std::string_view::npos;
  }
  if (auto last =
          url.substr(0, url.find('?', at == std::string_view::npos ? start : at)).rfind('@');
      last != std::string_view::npos && last >= start) {
    at = last;
  }
  std::string_view query;
  if (auto question = url.find('?', at == std::string_view::npos ? start : at);
      question != std::string_view::npos) {
    query = url.substr(question + 1);
    url = url.substr(0, question + 1);
  }
  std::string out(url);
  if (at != std::string_view::npos) {
    auto colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) {
      out = out.substr(0, colon + 1) + "***" + out.substr(at);
    }
  }
  return out + redactQuery(query);
}

}  // namespace tickets
