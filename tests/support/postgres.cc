#include "support/postgres.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace tickets::test {
namespace {

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run " + command);
  }
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) {
    output += buffer;
  }
  int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("failed: " + command);
  }
  while (!output.empty() && output.back() == '\n') {
    output.pop_back();
  }
  return output;
}

PGconn* connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot connect to " + url + ": " + message);
  }
  return conn;
}

std::string withDatabase(const std::string& url, const std::string& name) {
  auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + name;
}

}  // namespace

std::string sharedPostgresUrl() {
  const char* dir = std::getenv("TICKETS_TEST_PG_DIR");
  if (dir == nullptr) {
    return "";
  }
  std::ifstream in(std::string(dir) + "/url");
  std::string url;
  std::getline(in, url);
  return url;
}

void runSql(const std::string& url, const std::string& sql) {
  PGconn* conn = connect(url);
  PGresult* result = PQexec(conn, sql.c_str());
  auto status = PQresultStatus(result);
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(sql + ": " + message);
  }
}

std::string querySingle(const std::string& url, const std::string& sql) {
  PGconn* conn = connect(url);
  PGresult* result = PQexec(conn, sql.c_str());
  std::string value;
  bool ok = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0;
  if (ok) {
    value = PQgetvalue(result, 0, 0);
  }
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  if (!ok) {
    throw std::runtime_error(sql + ": " + message);
  }
  return value;
}

ScratchDatabase::ScratchDatabase(const std::string& cluster_url) : cluster_url_(cluster_url) {
  static std::atomic<int> counter{0};
  name_ = "t_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  runSql(cluster_url_, "CREATE DATABASE " + name_);
  url_ = withDatabase(cluster_url_, name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    runSql(cluster_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
  }
}

OwnPostgresCluster::OwnPostgresCluster() {
  dir_ = (std::filesystem::temp_directory_path() /
          ("tickets-pg-" + std::to_string(getpid()) + "-" + std::to_string(rand())))
             .string();
  url_ = run(std::string(PG_CLUSTER_SCRIPT) + " start " + dir_);
}

OwnPostgresCluster::~OwnPostgresCluster() {
  try {
    run(std::string(PG_CLUSTER_SCRIPT) + " stop " + dir_);
  } catch (const std::exception&) {
  }
}

void OwnPostgresCluster::pause() { run(std::string(PG_CLUSTER_SCRIPT) + " pause " + dir_); }
void OwnPostgresCluster::resume() { run(std::string(PG_CLUSTER_SCRIPT) + " resume " + dir_); }

}  // namespace tickets::test
