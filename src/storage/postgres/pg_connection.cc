#include "storage/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "common/database_errors.h"

namespace tickets::pg {
namespace {

// SQLSTATE classes after which the same work may succeed if tried again.
bool isTransient(std::string_view state) {
  return state == "40001"             // serialization_failure
         || state == "40P01"          // deadlock_detected
         || state == "55P03"          // lock_not_available
         || state == "57014"          // query_canceled (statement_timeout)
         || state.starts_with("08")   // connection exceptions
         || state.starts_with("53")   // insufficient resources (too many connections)
         || state.starts_with("57");  // operator intervention (shutdown)
}

}  // namespace

Result::~Result() { PQclear(result_); }

int Result::rows() const { return PQntuples(result_); }

int64_t Result::affectedRows() const {
  const char* count = PQcmdTuples(result_);
  return count == nullptr || *count == '\0' ? 0 : std::strtoll(count, nullptr, 10);
}

bool Result::isNull(int row, int column) const { return PQgetisnull(result_, row, column) == 1; }

std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(result_, row, column), static_cast<size_t>(PQgetlength(result_, row, column))};
}

int64_t Result::integer(int row, int column) const {
  auto t = text(row, column);
  int64_t value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

std::optional<int64_t> Result::optionalInteger(int row, int column) const {
  if (isNull(row, column)) {
    return std::nullopt;
  }
  return integer(row, column);
}

Connection::Connection(const std::string& url, Options options) {
  const std::string connect_timeout =
      std::to_string(std::max<int64_t>(1, options.connect_timeout.count() / 1000));
  const std::string startup_options =
      "-c statement_timeout=" + std::to_string(options.statement_timeout.count()) +
      " -c lock_timeout=" + std::to_string(options.statement_timeout.count());
  const char* keys[] = {"dbname", "connect_timeout", "application_name", "options", nullptr};
  const char* values[] = {url.c_str(), connect_timeout.c_str(), "ticketsd", startup_options.c_str(),
                          nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string message = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    PQfinish(conn_);
    conn_ = nullptr;
    throw DatabaseUnavailable("cannot connect to PostgreSQL: " + message);
  }
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::broken() const { return unusable_ || PQstatus(conn_) != CONNECTION_OK; }

Result Connection::execute(std::string_view name, std::string_view sql,
                           const std::vector<Param>& params) {
  std::string statement(name);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) {
    values.push_back(p ? p->c_str() : nullptr);
  }
  if (!deferred_.empty() || !following_.empty()) {
    return executePipelined(statement, sql, values);
  }
  if (!prepared_.contains(statement)) {
    pg_result* prepared = PQprepare(conn_, statement.c_str(), std::string(sql).c_str(), 0, nullptr);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
      fail(prepared, "prepare " + statement);
    }
    PQclear(prepared);
    prepared_.insert(statement);
  }
  pg_result* result = PQexecPrepared(conn_, statement.c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, 0);
  auto status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    fail(result, statement);
  }
  return Result(result);
}

Result Connection::executePipelined(const std::string& statement, std::string_view sql,
                                    const std::vector<const char*>& values) {
  const std::vector<std::string> deferred = std::exchange(deferred_, {});
  const std::vector<std::string> following = std::exchange(following_, {});
  const bool prepare = !prepared_.contains(statement);
  // The statement's own result comes after those of the deferred ones and of its preparing.
  const size_t own = deferred.size() + (prepare ? 1 : 0);
  const size_t commands = own + 1 + following.size();
  if (PQenterPipelineMode(conn_) != 1) {
    fail(nullptr, statement);
  }
  bool sent = true;
  auto send_text = [&](const std::string& text) {
    sent = sent &&
           PQsendQueryParams(conn_, text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  };
  for (const auto& text : deferred) {
    send_text(text);
  }
  if (prepare) {
    sent =
        sent && PQsendPrepare(conn_, statement.c_str(), std::string(sql).c_str(), 0, nullptr) == 1;
  }
  sent = sent && PQsendQueryPrepared(conn_, statement.c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, 0) == 1;
  for (const auto& text : following) {
    send_text(text);
  }
  sent = sent && PQpipelineSync(conn_) == 1;
  // Each command's result is followed by a null; the sync point ends the pipeline. More nulls
  // than that, or a broken connection, and the connection is given up.
  std::vector<pg_result*> results;
  bool synced = false;
  for (size_t nulls = 0; sent && nulls <= commands + 1;) {
    pg_result* result = PQgetResult(conn_);
    if (result == nullptr) {
      ++nulls;
      if (PQstatus(conn_) != CONNECTION_OK) {
        break;
      }
      continue;
    }
    if (PQresultStatus(result) == PGRES_PIPELINE_SYNC) {
      PQclear(result);
      synced = true;
      break;
    }
    results.push_back(result);
  }
  if (!synced || PQexitPipelineMode(conn_) != 1) {
    unusable_ = true;
  }
  // A statement prepared stays prepared, whatever follows (preparing is not transactional).
  if (prepare && results.size() > deferred.size() &&
      PQresultStatus(results[deferred.size()]) == PGRES_COMMAND_OK) {
    prepared_.insert(statement);
  }
  // The first failure, if any, decides; otherwise the answer is the statement's own result.
  pg_result* failed = nullptr;
  for (pg_result* result : results) {
    auto status = PQresultStatus(result);
    if (failed == nullptr && status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      failed = result;
    }
  }
  if (failed != nullptr || unusable_ || results.size() != commands) {
    for (pg_result* result : results) {
      if (result != failed) {
        PQclear(result);
      }
    }
    unusable_ = unusable_ || failed == nullptr;
    fail(failed, statement);
  }
  for (size_t i = 0; i < results.size(); ++i) {
    if (i != own) {
      PQclear(results[i]);
    }
  }
  return Result(results[own]);
}

Result Connection::execute(const std::string& sql) {
  if (!deferred_.empty() || !following_.empty()) {
    std::string text;
    for (auto& statement : deferred_) {
      text += statement + "; ";
    }
    text += sql;
    for (auto& statement : following_) {
      text += "; " + statement;
    }
    deferred_.clear();
    following_.clear();
    return execute(text);
  }
  pg_result* result = PQexec(conn_, sql.c_str());
  auto status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    fail(result, "execute");
  }
  return Result(result);
}

void Connection::fail(pg_result* result, std::string_view what) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string constraint;
  if (result != nullptr && PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) != nullptr) {
    constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME);
  }
  // Error texts can carry row values (a duplicate key's DETAIL, an input that did not parse),
  // and these messages reach the logs: say the statement, the SQLSTATE and the constraint, and
  // the server's own words only for classes that describe the server, not the data.
  std::string words;
  const std::string_view kind = std::string_view(sqlstate).substr(0, 2);
  if (sqlstate.empty()) {
    words = PQerrorMessage(conn_);
  } else if (kind == "08" || kind == "25" || kind == "40" || kind == "53" || kind == "55" ||
             kind == "57" || kind == "58" || kind == "XX") {
    const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    words = primary != nullptr ? primary : "";
  } else {
    words = "rejected";
  }
  std::string message = std::string("PostgreSQL ") + std::string(what) + ": " + words;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  if (!constraint.empty()) {
    message += " (constraint " + constraint + ")";
  }
  PQclear(result);
  if (sqlstate == "40001" || sqlstate == "40P01") {
    throw TransientConflict(message + " [" + sqlstate + "]");
  }
  if (sqlstate.starts_with("23")) {
    throw ConstraintViolation(message + " [" + sqlstate + "]", constraint);
  }
  if (broken() || sqlstate.empty() || isTransient(sqlstate)) {
    throw DatabaseUnavailable(message + (sqlstate.empty() ? "" : " [" + sqlstate + "]"));
  }
  throw DatabaseError(message + " [" + sqlstate + "]");
}

Transaction::Transaction(Connection& connection, std::string_view begin) : connection_(connection) {
  connection_.execute(std::string(begin));
}

Transaction::~Transaction() {
  if (!done_ && !connection_.broken()) {
    try {
      connection_.execute("ROLLBACK");
    } catch (const DatabaseError&) {
      // The connection is gone; the server rolls the transaction back by itself.
    }
  }
}

void Transaction::commit() {
  connection_.execute("COMMIT");
  done_ = true;
}

}  // namespace tickets::pg
