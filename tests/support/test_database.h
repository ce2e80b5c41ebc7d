#pragma once

#include <memory>
#include <string>

#include "common/pool_observer.h"
#include "storage/database.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace tickets::test {

// A migrated database of `kind` ("sqlite" or "postgres") for a conformance test: SQLite in a
// temporary directory of its own (`dir`), PostgreSQL in a scratch database of the shared
// cluster (`scratch`). Returns nullptr if there is no cluster to use.
std::unique_ptr<Database> openTestDatabase(const std::string& kind, size_t pool_size,
                                           PoolObserver* observer, std::unique_ptr<TempDir>& dir,
                                           std::unique_ptr<ScratchDatabase>& scratch);

}  // namespace tickets::test
