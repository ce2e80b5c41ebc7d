#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace tickets::pg {

// A query parameter in text format; nullopt is SQL NULL.
using Param = std::optional<std::string>;

inline Param param(int64_t value) { return std::to_string(value); }
inline Param param(std::string_view value) { return std::string(value); }
inline Param param(const std::optional<int64_t>& value) {
  return value ? param(*value) : std::nullopt;
}

// The rows of one statement's result. Columns are 0-based and read as text.
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Result& operator=(Result&&) = delete;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  // Rows an INSERT, UPDATE or DELETE changed (0 for other statements).
  int64_t affectedRows() const;
  bool isNull(int row, int column) const;
  std::string_view text(int row, int column) const;
  int64_t integer(int row, int column) const;
  std::optional<int64_t> optionalInteger(int row, int column) const;

 private:
  pg_result* result_;
};

// One libpq connection with a statement timeout, using prepared statements prepared once per
// connection. Not thread-safe: the pool hands it to one thread at a time. Failures throw
// DatabaseUnavailable (connection lost, timeout, serialization failure: retry may succeed) or
// DatabaseError; broken() then tells whether the connection must be discarded.
class Connection {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds statement_timeout{5000};
  };

  Connection(const std::string& url, Options options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a named prepared statement, preparing it on this connection first if needed.
  Result execute(std::string_view name, std::string_view sql, const std::vector<Param>& params);
  // Runs SQL without parameters (transaction control, migrations).
  Result execute(const std::string& sql);

  // One statement without parameters or rows (BEGIN, SAVEPOINT) sent ahead of the next
  // execute(), in its round trip: a prepared statement follows it in one pipeline (libpq's
  // pipeline mode), plain SQL in one string. Its failure is that execute()'s. dropDeferred()
  // forgets what was not sent yet (before a ROLLBACK).
  void defer(std::string sql) { deferred_.push_back(std::move(sql)); }
  // One statement without parameters or rows (COMMIT) sent right after the next execute(), in
  // its round trip, the same way; its failure too is that execute()'s. A prepared statement's
  // execute() still answers with its own result.
  void follow(std::string sql) { following_.push_back(std::move(sql)); }
  // Forgets what was deferred or set to follow and not sent yet.
  void dropDeferred() {
    deferred_.clear();
    following_.clear();
  }

  bool broken() const;

 private:
  Result executePipelined(const std::string& statement, std::string_view sql,
                          const std::vector<const char*>& values);
  [[noreturn]] void fail(pg_result* result, std::string_view what);

  pg_conn* conn_ = nullptr;
  std::unordered_set<std::string> prepared_;
  std::vector<std::string> deferred_;
  std::vector<std::string> following_;
  bool unusable_ = false;  // a pipeline ended in a state this class cannot recover from
};

// BEGIN ... COMMIT, rolled back if destroyed before commit().
class Transaction {
 public:
  explicit Transaction(Connection& connection, std::string_view begin = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

}  // namespace tickets::pg
