#include <stdexcept>
#include <string>

#include "storage/migrations/migrations.h"

namespace tickets {

int runMigrations(MigrationLedger& ledger, std::span<const Migration> list) {
  for (size_t i = 1; i < list.size(); ++i) {
    if (list[i].version <= list[i - 1].version) {
      throw std::logic_error("migration " + std::to_string(list[i].version) + " is out of order");
    }
  }
  ledger.create();
  int count = 0;
  for (const auto& migration : list) {
    if (!ledger.applied(migration.version)) {
      ledger.apply(migration);
      ++count;
    }
  }
  return count;
}

}  // namespace tickets
