#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tickets {

// Where the data lives, from DATABASE_URL: `sqlite:PATH` (or a bare PATH ending in .db/.sqlite),
// `postgres://...` or `postgresql://...`.
struct DatabaseUrl {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;
  std::string target;  // the file path for SQLite, the whole URL for PostgreSQL
};

// Returns nullopt with `error` set for anything else.
std::optional<DatabaseUrl> parseDatabaseUrl(std::string_view url, std::string& error);

// The URL with any password replaced by ***, for logs.
std::string redactDatabaseUrl(std::string_view url);

}  // namespace tickets
