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

std::string redactDatabaseUrl(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  auto at = url.find('@', scheme_end + 3);
  if (at == std::string_view::npos) {
    return std::string(url);
  }
  auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string_view::npos || colon > at) {
    return std::string(url);
  }
  std::string out(url.substr(0, colon + 1));
  out += "***";
  out += url.substr(at);
  return out;
}

}  // namespace tickets
