#include "config/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

namespace tickets {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      unsetenv(name);
    }
  }
  void TearDown() override { SetUp(); }

  ConfigOutcome parse(std::vector<const char*> args = {}) {
    args.insert(args.begin(), "ticketsd");
    out.str("");
    err.str("");
    return parseConfig(static_cast<int>(args.size()), args.data(), out, err);
  }

  static constexpr const char* kVariables[] = {"PORT",
                                               "HOST",
                                               "DATABASE_URL",
                                               "DATA_DIR",
                                               "DB_POOL_SIZE",
                                               "DB_POOL_TIMEOUT_MS",
                                               "LOG_LEVEL",
                                               "THREADS",
                                               "SHUTDOWN_DRAIN_SECONDS",
                                               "SHUTDOWN_TIMEOUT_SECONDS",
                                               "MAX_CONNECTIONS",
                                               "CATALOGUE_CACHE_MS",
                                               "SEED_DEMO_DATA"};
  std::ostringstream out, err;
};

TEST_F(ConfigTest, Defaults) {
  auto config = std::get<Config>(parse());
  EXPECT_EQ(config.port, 8000);
  EXPECT_EQ(config.host, "0.0.0.0");
  EXPECT_EQ(config.db_pool_size, 20u);
  EXPECT_EQ(config.database.kind, DatabaseUrl::Kind::kSqlite);
  EXPECT_EQ(config.database.target, "data/tickets.db");
  EXPECT_EQ(config.shutdown_drain, std::chrono::seconds(5));
  EXPECT_FALSE(config.seed_demo_data);
}

TEST_F(ConfigTest, EnvironmentAndFlags) {
  setenv("PORT", "9000", 1);
  setenv("DB_POOL_SIZE", "7", 1);
  setenv("DATABASE_URL", "postgres://app:hunter2@db:5432/tickets", 1);
  auto config = std::get<Config>(parse({"--threads", "3"}));
  EXPECT_EQ(config.port, 9000);
  EXPECT_EQ(config.db_pool_size, 7u);
  EXPECT_EQ(config.threads, 3u);
  EXPECT_EQ(config.database.kind, DatabaseUrl::Kind::kPostgres);
  EXPECT_EQ(config.database_url_for_logs.find("hunter2"), std::string::npos);
  // A flag wins over the environment.
  EXPECT_EQ(std::get<Config>(parse({"--port", "9100"})).port, 9100);
}

TEST_F(ConfigTest, InvalidValuesNameTheVariable) {
  struct Case {
    const char* name;
    const char* value;
  };
  for (auto c : {Case{"PORT", "eighty"}, Case{"PORT", "70000"}, Case{"DB_POOL_SIZE", "0"},
                 Case{"DB_POOL_SIZE", "-1"}, Case{"DB_POOL_TIMEOUT_MS", "1.5"},
                 Case{"LOG_LEVEL", "loud"}, Case{"THREADS", "0"}, Case{"DATABASE_URL", "mysql://x"},
                 Case{"SEED_DEMO_DATA", "perhaps"}, Case{"CATALOGUE_CACHE_MS", "5000"}}) {
    SetUp();
    setenv(c.name, c.value, 1);
    auto outcome = parse();
    ASSERT_TRUE(std::holds_alternative<int>(outcome)) << c.name << "=" << c.value;
    EXPECT_NE(std::get<int>(outcome), 0);
    auto message = err.str();
    EXPECT_NE(message.find(c.name), std::string::npos) << message;
    EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  }
}

TEST_F(ConfigTest, HelpListsEveryVariableWithDefaults) {
  auto outcome = parse({"--help"});
  ASSERT_EQ(std::get<int>(outcome), 0);
  for (const char* name : kVariables) {
    EXPECT_NE(out.str().find(name), std::string::npos) << name;
  }
  EXPECT_NE(out.str().find("8000"), std::string::npos);
}

TEST_F(ConfigTest, VersionPrintsRevision) {
  ASSERT_EQ(std::get<int>(parse({"--version"})), 0);
  EXPECT_NE(out.str().find("revision"), std::string::npos);
}

TEST_F(ConfigTest, UnknownFlagFails) {
  auto outcome = parse({"--colour", "blue"});
  ASSERT_TRUE(std::holds_alternative<int>(outcome));
  EXPECT_NE(std::get<int>(outcome), 0);
}

}  // namespace
}  // namespace tickets
