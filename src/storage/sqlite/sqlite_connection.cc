#include "storage/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include <string>

#include "common/database_errors.h"

namespace tickets::sqlite {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Query::~Query() {
  sqlite3_reset(statement_.stmt_);
  sqlite3_clear_bindings(statement_.stmt_);
}

Query& Query::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(statement_.stmt_, index, value);
  if (rc != SQLITE_OK) {
    statement_.connection_.fail(rc, "bind");
  }
  return *this;
}

Query& Query::bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text(statement_.stmt_, index, value.data(), static_cast<int>(value.size()),
                             SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) {
    statement_.connection_.fail(rc, "bind");
  }
  return *this;
}

Query& Query::bind(int index, std::nullopt_t) {
  int rc = sqlite3_bind_null(statement_.stmt_, index);
  if (rc != SQLITE_OK) {
    statement_.connection_.fail(rc, "bind");
  }
  return *this;
}

bool Query::step() {
  int rc = sqlite3_step(statement_.stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  statement_.connection_.fail(rc, "step");
}

void Query::run() {
  while (step()) {
  }
}

bool Query::isNull(int column) const {
  return sqlite3_column_type(statement_.stmt_, column) == SQLITE_NULL;
}

int64_t Query::getInt(int column) const { return sqlite3_column_int64(statement_.stmt_, column); }

std::string Query::getText(int column) const {
  const auto* text = sqlite3_column_text(statement_.stmt_, column);
  int size = sqlite3_column_bytes(statement_.stmt_, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
}

std::optional<int64_t> Query::getOptionalInt(int column) const {
  if (isNull(column)) {
    return std::nullopt;
  }
  return getInt(column);
}

Connection::Connection(const std::string& path, Options options) {
  int rc =
      sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw DatabaseUnavailable("cannot open SQLite database " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  sqlite3_progress_handler(db_, 1000, &Connection::onProgress, this);
  try {
    execute("PRAGMA journal_mode=WAL");
    // FULL: a commit reaches the disk before it is acknowledged, so no order is lost on power
    // failure. NORMAL is only crash-safe for the process.
    execute(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    execute("PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Connection::~Connection() {
  statements_.clear();
  sqlite3_close_v2(db_);
}

Statement& Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    return *it->second;
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    fail(rc, "prepare");
  }
  auto [inserted, ok] =
      statements_.emplace(std::string(sql), std::make_unique<Statement>(*this, stmt));
  return *inserted->second;
}

void Connection::execute(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) {
    fail(rc, "execute");
  }
}

int64_t Connection::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }

int Connection::changes() const { return sqlite3_changes(db_); }

void Connection::fail(int rc, std::string_view what) const {
  std::string message = std::string("SQLite ") + std::string(what) + ": " + sqlite3_errmsg(db_);
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      throw DatabaseUnavailable(message);
    default:
      throw DatabaseError(message);
  }
}

int Connection::onProgress(void* self) {
  auto* connection = static_cast<Connection*>(self);
  return std::chrono::steady_clock::now() > connection->deadline_ ? 1 : 0;
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
  connection_.execute("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      connection_.execute("ROLLBACK");
    } catch (const DatabaseError&) {
      // The transaction is already gone (SQLite rolls back on some errors by itself).
    }
  }
}

void Transaction::commit() {
  connection_.execute("COMMIT");
  done_ = true;
}

}  // namespace tickets::sqlite
