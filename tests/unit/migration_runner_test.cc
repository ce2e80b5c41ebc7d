#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "storage/migrations/migrations.h"

namespace tickets {
namespace {

// A test double of the ledger: remembers versions in memory.
class InMemoryLedger final : public MigrationLedger {
 public:
  std::set<int> versions;
  std::vector<int> applied_now;
  bool created = false;

  void create() override { created = true; }
  bool applied(int version) override { return versions.count(version) > 0; }
  void apply(const Migration& migration) override {
    versions.insert(migration.version);
    applied_now.push_back(migration.version);
  }
};

TEST(MigrationRunner, AppliesWhatIsMissingInOrderAndOnlyOnce) {
  const Migration list[] = {{1, "one", "a"}, {2, "two", "b"}, {5, "five", "c"}};
  InMemoryLedger ledger;
  ledger.versions = {2, 9};  // 9: a newer release's, left alone
  EXPECT_EQ(runMigrations(ledger, list), 2);
  EXPECT_TRUE(ledger.created);
  EXPECT_EQ(ledger.applied_now, (std::vector<int>{1, 5}));
  ledger.applied_now.clear();
  EXPECT_EQ(runMigrations(ledger, list), 0);
  EXPECT_TRUE(ledger.applied_now.empty());
}

TEST(MigrationRunner, RefusesAListOutOfOrderBeforeApplyingAnything) {
  const Migration list[] = {{1, "one", "a"}, {3, "three", "b"}, {3, "again", "c"}};
  InMemoryLedger ledger;
  EXPECT_THROW(runMigrations(ledger, list), std::logic_error);
  EXPECT_TRUE(ledger.applied_now.empty());
}

TEST(MigrationRunner, BothDatabasesListTheSameVersions) {
  std::vector<int> sqlite, postgres;
  for (const auto& m : sqliteMigrations()) {
    sqlite.push_back(m.version);
  }
  for (const auto& m : postgresMigrations()) {
    postgres.push_back(m.version);
  }
  EXPECT_EQ(sqlite, postgres);
}

}  // namespace
}  // namespace tickets
