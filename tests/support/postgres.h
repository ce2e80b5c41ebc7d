#pragma once

#include <string>

namespace tickets::test {

// The test run's shared PostgreSQL cluster, started by the CTest fixture `postgres`
// (TICKETS_TEST_PG_DIR names its directory). Returns its URL, or "" if there is none.
std::string sharedPostgresUrl();

// A fresh database on a cluster, dropped when destroyed, so that tests never see each other.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& cluster_url);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& url() const { return url_; }

 private:
  std::string cluster_url_;
  std::string name_;
  std::string url_;
};

// A cluster of this test's own, for tests that stop the database (an outage).
class OwnPostgresCluster {
 public:
  OwnPostgresCluster();
  ~OwnPostgresCluster();
  OwnPostgresCluster(const OwnPostgresCluster&) = delete;
  OwnPostgresCluster& operator=(const OwnPostgresCluster&) = delete;
  const std::string& url() const { return url_; }
  void pause();   // the server stops, keeping its data
  void resume();  // and comes back on the same port

 private:
  std::string dir_;
  std::string url_;
};

// Runs one SQL statement on `url`; throws with the server's message on failure.
void runSql(const std::string& url, const std::string& sql);
// The first column of the first row of a query, as text.
std::string querySingle(const std::string& url, const std::string& sql);

}  // namespace tickets::test
