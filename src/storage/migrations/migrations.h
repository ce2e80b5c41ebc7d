#pragma once

#include <span>
#include <string_view>

namespace tickets {

// One versioned schema change. Versions are applied in ascending order, each exactly once, and
// recorded in the database's schema_migrations table. The PostgreSQL list has the same versions
// with the same meaning.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> sqliteMigrations();
std::span<const Migration> postgresMigrations();

}  // namespace tickets
