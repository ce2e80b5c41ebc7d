// Scoped API tokens through the storage port, against each real database, with an injected clock
// so that the cache's bound is tested without sleeping.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <memory>

#include "common/crypto.h"
#include "domain/access_service.h"
#include "domain/catalogue_service.h"
#include "storage/postgres/pg_database.h"
#include "storage/sqlite/sqlite_database.h"
#include "support/manual_clock.h"
#include "support/postgres.h"
#include "support/temp_dir.h"
#include "support/test_database.h"

namespace tickets {
namespace {

using namespace std::chrono;
using test::ManualClock;

const std::string kBootstrap = "bootstrap-admin-token-0123456789";

// The real repository, counting the reads that authentication makes.
class CountingAccess final : public AccessRepository {
 public:
  explicit CountingAccess(AccessRepository& inner) : inner_(inner) {}
  ApiToken createToken(const NewApiToken& token) override { return inner_.createToken(token); }
  std::optional<ApiToken> findTokenByHash(const std::string& hash) override {
    ++reads;
    return inner_.findTokenByHash(hash);
  }
  std::vector<ApiToken> listTokens() override { return inner_.listTokens(); }
  std::optional<ApiToken> revokeToken(ApiTokenId id, SystemTime now) override {
    return inner_.revokeToken(id, now);
  }
  std::vector<EventId> unknownEvents(const std::vector<EventId>& ids) override {
    return inner_.unknownEvents(ids);
  }
  std::atomic<int> reads{0};

 private:
  AccessRepository& inner_;
};

class AccessTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    database = test::openTestDatabase(GetParam(), 4, nullptr, dir, scratch);
    ASSERT_TRUE(database) << "no PostgreSQL cluster: run through ctest";
    repository = std::make_unique<CountingAccess>(database->access());
    catalogue = std::make_unique<CatalogueService>(database->catalogue());
    access = std::make_unique<AccessService>(*repository, clock, kBootstrap);
  }
  void TearDown() override {
    access.reset();
    catalogue.reset();
    repository.reset();
    database.reset();
    scratch.reset();
  }

  EventId event() {
    NewEvent e;
    e.name = "Show";
    e.venue = "Hall";
    e.starts_at = time_point_cast<seconds>(clock.now()) + days(30);
    e.ends_at = e.starts_at + hours(3);
    e.timezone = "Europe/London";
    e.status = EventStatus::kOnSale;
    return catalogue->createEvent(e).value();
  }

  // Every stored column of every token, as text.
  std::string storedTokens() {
    if (GetParam() == "postgres") {
      return test::querySingle(scratch->url(),
                               "SELECT COALESCE(string_agg(t::text, '|'), '') FROM api_tokens t");
    }
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir->path() + "/t.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT group_concat(id || name || role || secret_hash || hint || "
                       "created_at || COALESCE(revoked_at, ''), '|') FROM api_tokens",
                       -1, &stmt, nullptr);
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  ManualClock clock;
  std::unique_ptr<test::TempDir> dir;
  std::unique_ptr<test::ScratchDatabase> scratch;
  std::unique_ptr<Database> database;
  std::unique_ptr<CountingAccess> repository;
  std::unique_ptr<CatalogueService> catalogue;
  std::unique_ptr<AccessService> access;
};

TEST_P(AccessTest, IssuedTokenAuthenticatesAsItsRoleAndOnlyItsHashIsStored) {
  auto a = event();
  auto b = event();
  auto issued = access->issue({"Door 3", Role::kDoor, {b, a}}).value();
  EXPECT_EQ(issued.secret.size(), 43u) << "256 random bits, base64url";
  EXPECT_TRUE(looksLikeApiToken(issued.secret));
  EXPECT_EQ(issued.token.hint, issued.secret.substr(39));
  EXPECT_EQ(issued.token.event_ids, (std::vector<EventId>{std::min(a, b), std::max(a, b)}));
  EXPECT_EQ(issued.token.created_at, time_point_cast<seconds>(clock.now()));

  auto stored = storedTokens();
  EXPECT_EQ(stored.find(issued.secret), std::string::npos);
  EXPECT_NE(stored.find(sha256Hex(issued.secret)), std::string::npos);
  auto found = database->access().findTokenByHash(sha256Hex(issued.secret));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, issued.token.id);
  EXPECT_EQ(found->role, Role::kDoor);
  EXPECT_EQ(found->event_ids, issued.token.event_ids);

  auto principal = access->authenticate(issued.secret).value();
  EXPECT_EQ(principal.role, Role::kDoor);
  EXPECT_EQ(principal.event_ids, issued.token.event_ids);
  EXPECT_EQ(principal.token_id, issued.token.id);
  EXPECT_TRUE(canCheckIn(principal, a));
  EXPECT_FALSE(canCheckIn(principal, a + b));

  auto listed = access->list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "Door 3");
  EXPECT_EQ(listed[0].event_ids, issued.token.event_ids);
  EXPECT_FALSE(listed[0].revoked_at);
}

TEST_P(AccessTest, TheBootstrapTokenIsAnAdminAndNothingElseIs) {
  auto admin = access->authenticate(kBootstrap).value();
  EXPECT_EQ(admin.role, Role::kAdmin);
  EXPECT_FALSE(admin.token_id);
  for (std::string wrong : {std::string(), kBootstrap + "x", kBootstrap.substr(1),
                            std::string(43, 'A'), std::string("not a token")}) {
    auto refused = access->authenticate(wrong);
    ASSERT_FALSE(refused) << wrong;
    EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated) << wrong;
  }
  EXPECT_EQ(repository->reads, 1) << "only the token-shaped string was looked up";
}

TEST_P(AccessTest, WithoutABootstrapTokenOnlyScopedTokensAuthenticate) {
  auto issued = access->issue({"Reports", Role::kReports, {}}).value();
  AccessService without(*repository, clock, "");
  EXPECT_EQ(without.authenticate(issued.secret).value().role, Role::kReports);
  for (std::string refused : {std::string(), kBootstrap, std::string(43, 'A')}) {
    EXPECT_EQ(without.authenticate(refused).error().code, ErrorCode::kAccessDisabled) << refused;
  }
}

TEST_P(AccessTest, AuthenticatedTokensAreRememberedForTheCacheTtl) {
  auto secret = access->issue({"Admin 2", Role::kAdmin, {}}).value().secret;
  EXPECT_FALSE(access->authenticateFromMemory(secret)) << "not yet remembered";
  ASSERT_TRUE(access->authenticate(secret));
  ASSERT_TRUE(access->authenticate(secret));
  auto remembered = access->authenticateFromMemory(secret);
  ASSERT_TRUE(remembered);
  EXPECT_EQ(remembered->value().role, Role::kAdmin);
  EXPECT_EQ(repository->reads, 1);
  clock.advance(AccessService::kDefaultCacheTtl);
  EXPECT_FALSE(access->authenticateFromMemory(secret));
  ASSERT_TRUE(access->authenticate(secret));
  EXPECT_EQ(repository->reads, 2);
}

// Two services on one database are two replicas: the one that revokes refuses at once, the other
// within the cache's bound.
TEST_P(AccessTest, RevocationTakesEffectAtOnceHereAndWithinTheCacheTtlElsewhere) {
  auto door = access->issue({"Door", Role::kDoor, {event()}}).value();
  AccessService replica(*repository, clock, kBootstrap);
  ASSERT_TRUE(access->authenticate(door.secret));
  ASSERT_TRUE(replica.authenticate(door.secret));

  auto revoked = access->revoke(door.token.id).value();
  ASSERT_TRUE(revoked.revoked_at);
  EXPECT_EQ(*revoked.revoked_at, time_point_cast<seconds>(clock.now()));
  EXPECT_EQ(access->authenticate(door.secret).error().code, ErrorCode::kUnauthenticated);
  clock.advance(AccessService::kDefaultCacheTtl - milliseconds(1));
  EXPECT_TRUE(replica.authenticate(door.secret)) << "still remembered by the other replica";
  clock.advance(milliseconds(1));
  EXPECT_EQ(replica.authenticate(door.secret).error().code, ErrorCode::kUnauthenticated);

  clock.advance(hours(1));
  EXPECT_EQ(access->revoke(door.token.id).value().revoked_at, revoked.revoked_at)
      << "revoking again keeps the first revocation";
  EXPECT_EQ(access->list().at(0).revoked_at, revoked.revoked_at);
  EXPECT_EQ(access->revoke(door.token.id + 1000).error().code, ErrorCode::kNotFound);
}

TEST_P(AccessTest, RefusesInvalidTokenRequestsAndStoresNothing) {
  auto known = event();
  struct Case {
    TokenRequest request;
    const char* field;
  };
  for (const auto& c : std::vector<Case>{
           {{"", Role::kAdmin, {}}, "name"},
           {{std::string(101, 'n'), Role::kAdmin, {}}, "name"},
           {{"Door", Role::kDoor, {}}, "event_ids"},
           {{"Door", Role::kDoor, {known, known}}, "event_ids"},
           {{"Door", Role::kDoor, {0}}, "event_ids"},
           {{"Door", Role::kDoor, {known, known + 1000}}, "event_ids"},
           {{"Door", Role::kDoor, std::vector<EventId>(101, known)}, "event_ids"},
           {{"Reports", Role::kReports, {known}}, "event_ids"},
           {{"Admin", Role::kAdmin, {known}}, "event_ids"},
       }) {
    auto refused = access->issue(c.request);
    ASSERT_FALSE(refused) << c.request.name;
    EXPECT_EQ(refused.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(refused.error().field, c.field) << refused.error().detail;
  }
  EXPECT_TRUE(access->list().empty());
  EXPECT_EQ(database->access().unknownEvents({known, known + 7, known + 1000}),
            (std::vector<EventId>{known + 7, known + 1000}));
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace tickets
