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

namespace tickets {

// Where migrations are recorded and applied: the database's schema_migrations table.
class MigrationLedger {
 public:
  virtual ~MigrationLedger() = default;
  // Creates schema_migrations if it does not exist.
  virtual void create() = 0;
  virtual bool applied(int version) = 0;
  // Runs the migration's SQL and records it, both or neither.
  virtual void apply(const Migration& migration) = 0;
};

// The one migration runner of both databases: applies, in ascending version order, every
// migration of `list` the ledger has not recorded, and returns how many. A list whose versions
// do not strictly ascend is a programming mistake (std::logic_error, nothing applied). Versions
// the ledger has beyond the list (a newer release's) are left alone: by the expand/contract
// rule, this release still works on that schema.
int runMigrations(MigrationLedger& ledger, std::span<const Migration> list);

}  // namespace tickets
