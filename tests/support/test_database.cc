#include "support/test_database.h"

#include "storage/postgres/pg_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace tickets::test {

std::unique_ptr<Database> openTestDatabase(const std::string& kind, size_t pool_size,
                                           PoolObserver* observer, std::unique_ptr<TempDir>& dir,
                                           std::unique_ptr<ScratchDatabase>& scratch) {
  std::unique_ptr<Database> database;
  if (kind == "sqlite") {
    dir = std::make_unique<TempDir>();
    SqliteSettings settings{dir->path() + "/t.db"};
    settings.pool_size = pool_size;
    database = std::make_unique<SqliteDatabase>(settings, observer);
  } else {
    auto cluster = sharedPostgresUrl();
    if (cluster.empty()) {
      return nullptr;
    }
    scratch = std::make_unique<ScratchDatabase>(cluster);
    PostgresSettings settings;
    settings.url = scratch->url();
    settings.pool_size = pool_size;
    settings.pool_timeout = std::chrono::milliseconds(10000);
    database = std::make_unique<PostgresDatabase>(settings, observer);
  }
  database->migrate();
  return database;
}

}  // namespace tickets::test
