#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace tickets::sqlite {

class Connection;

// A prepared statement owned by its connection's cache. Use it through a Query, which binds
// parameters and resets the statement when it goes out of scope.
class Statement {
 public:
  Statement(Connection& connection, sqlite3_stmt* stmt) : connection_(connection), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

 private:
  friend class Query;
  Connection& connection_;
  sqlite3_stmt* stmt_;
};

// One execution of a cached prepared statement. Parameters are 1-based, columns 0-based.
class Query {
 public:
  explicit Query(Statement& statement) : statement_(statement) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, int64_t value);
  Query& bind(int index, std::string_view value);
  Query& bind(int index, std::nullopt_t);
  template <class T>
  Query& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  // Advances to the next row; false when done. Throws DatabaseError on failure.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  bool isNull(int column) const;
  int64_t getInt(int column) const;
  std::string getText(int column) const;
  std::optional<int64_t> getOptionalInt(int column) const;

 private:
  Statement& statement_;
};

// One SQLite connection in WAL mode with a busy timeout and a per-operation deadline.
// Not thread-safe: the pool hands it to one thread at a time.
class Connection {
 public:
  struct Options {
    std::chrono::milliseconds busy_timeout{5000};
    bool synchronous_full = true;
  };

  Connection(const std::string& path, Options options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The statement for this SQL text, prepared once per connection.
  Statement& prepare(std::string_view sql);
  // Runs SQL without parameters or results (migrations, transaction control).
  void execute(const std::string& sql);

  // Statements running past the deadline are interrupted and throw DatabaseUnavailable.
  void setDeadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }

  int64_t lastInsertId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int changes() const;

  // Throws the right DatabaseError for an SQLite result code.
  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  static int onProgress(void* self);

  sqlite3* db_ = nullptr;
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> statements_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if destroyed before commit().
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace tickets::sqlite
