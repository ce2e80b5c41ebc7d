#include "storage/database_url.h"

#include <gtest/gtest.h>

namespace tickets {
namespace {

TEST(DatabaseUrl, RedactsThePasswordOfTheUserinfo) {
  EXPECT_EQ(redactDatabaseUrl("postgres://app:s3cret@db:5432/tickets"),
            "postgres://app:***@db:5432/tickets");
  EXPECT_EQ(redactDatabaseUrl("postgresql://app@db/tickets"), "postgresql://app@db/tickets");
  EXPECT_EQ(redactDatabaseUrl("sqlite:data/tickets.db"), "sqlite:data/tickets.db");
}

TEST(DatabaseUrl, RedactsPasswordsInTheQuery) {
  EXPECT_EQ(redactDatabaseUrl("postgres://db/tickets?user=app&password=s3cret&sslmode=require"),
            "postgres://db/tickets?user=app&password=***&sslmode=require");
  EXPECT_EQ(redactDatabaseUrl("postgres://db/tickets?sslpassword=k3y"),
            "postgres://db/tickets?sslpassword=***");
  EXPECT_EQ(redactDatabaseUrl("postgres://db/tickets?PASSWORD=s3cret"),
            "postgres://db/tickets?PASSWORD=***");
}

TEST(DatabaseUrl, HidesPasswordsWithUnescapedSeparators) {
  for (const char* url : {"postgres://app:a/b@c@db/tickets", "postgres://app:p@ss@db:5432/x",
                          "postgres://app:s3cret@db?password=s3cret"}) {
    EXPECT_EQ(redactDatabaseUrl(url).find("s3cret"), std::string::npos) << url;
    EXPECT_EQ(redactDatabaseUrl(url).find("a/b@c"), std::string::npos) << url;
    EXPECT_EQ(redactDatabaseUrl(url).find("p@ss"), std::string::npos) << url;
  }
}

}  // namespace
}  // namespace tickets
