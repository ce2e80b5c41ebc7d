// Scoped API tokens on PostgreSQL.
#include <map>

#include "storage/postgres/pg_database.h"
#include "storage/sql_values.h"

namespace tickets {
namespace {

using sql::fromUnix;
using sql::optionalTime;
using sql::unixSeconds;

using pg::param;

#define TICKETS_TOKEN_COLUMNS                                      \
  "id, name, role, hint, extract(epoch FROM created_at)::bigint, " \
  "extract(epoch FROM revoked_at)::bigint"

constexpr std::string_view kTokenByHash =
    "SELECT " TICKETS_TOKEN_COLUMNS " FROM api_tokens WHERE secret_hash = $1";
constexpr std::string_view kTokenById =
    "SELECT " TICKETS_TOKEN_COLUMNS " FROM api_tokens WHERE id = $1::bigint";
constexpr std::string_view kAllTokens =
    "SELECT " TICKETS_TOKEN_COLUMNS " FROM api_tokens ORDER BY id";

#undef TICKETS_TOKEN_COLUMNS

ApiToken readToken(const pg::Result& r, int row) {
  ApiToken t;
  t.id = r.integer(row, 0);
  t.name = std::string(r.text(row, 1));
  t.role = parseRole(r.text(row, 2)).value_or(Role::kReports);
  t.hint = std::string(r.text(row, 3));
  t.created_at = fromUnix(r.integer(row, 4));
  t.revoked_at = optionalTime(r.optionalInteger(row, 5));
  return t;
}

// A PostgreSQL array literal of ids, e.g. {3,7}.
std::string idArray(const std::vector<EventId>& ids) {
  std::string out = "{";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

std::optional<ApiToken> loadToken(pg::Connection& conn, pg::Result r) {
  if (r.rows() == 0) {
    return std::nullopt;
  }
  ApiToken token = readToken(r, 0);
  auto events = conn.execute(
      "token_events", "SELECT event_id FROM api_token_events WHERE token_id = $1 ORDER BY event_id",
      {param(token.id)});
  for (int row = 0; row < events.rows(); ++row) {
    token.event_ids.push_back(events.integer(row, 0));
  }
  return token;
}

}  // namespace

class PostgresDatabase::Access final : public AccessRepository {
 public:
  explicit Access(PostgresDatabase& db) : db_(db) {}

  ApiToken createToken(const NewApiToken& token) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      auto inserted =
          conn.execute("insert_token",
                       "INSERT INTO api_tokens (name, role, secret_hash, hint, created_at) "
                       "VALUES ($1, $2, $3, $4, to_timestamp($5::bigint)) RETURNING id",
                       {param(token.name), param(toString(token.role)), param(token.secret_hash),
                        param(token.hint), param(unixSeconds(token.created_at))});
      ApiToken stored{inserted.integer(0, 0), token.name,  token.role, token.event_ids, token.hint,
                      token.created_at,       std::nullopt};
      if (!token.event_ids.empty()) {
        conn.execute("insert_token_events",
                     "INSERT INTO api_token_events (token_id, event_id) "
                     "SELECT $1::bigint, unnest($2::bigint[])",
                     {param(stored.id), param(idArray(token.event_ids))});
      }
      tx.commit();
      return stored;
    });
  }

  std::optional<ApiToken> findTokenByHash(const std::string& secret_hash) override {
    return db_.read([&](pg::Connection& conn) {
      return loadToken(conn, conn.execute("token_by_hash", kTokenByHash, {param(secret_hash)}));
    });
  }

  std::vector<ApiToken> listTokens() override {
    return db_.read([&](pg::Connection& conn) {
      // A token's events are written with it and never change; one made between the two reads
      // is simply not listed.
      auto r = conn.execute("all_tokens", kAllTokens, {});
      std::vector<ApiToken> tokens;
      std::map<ApiTokenId, size_t> index;
      for (int row = 0; row < r.rows(); ++row) {
        tokens.push_back(readToken(r, row));
        index[tokens.back().id] = tokens.size() - 1;
      }
      auto events = conn.execute(
          "all_token_events",
          "SELECT token_id, event_id FROM api_token_events ORDER BY token_id, event_id", {});
      for (int row = 0; row < events.rows(); ++row) {
        if (auto it = index.find(events.integer(row, 0)); it != index.end()) {
          tokens[it->second].event_ids.push_back(events.integer(row, 1));
        }
      }
      return tokens;
    });
  }

  std::optional<ApiToken> revokeToken(ApiTokenId id, SystemTime now) override {
    return db_.inTransaction([&](pg::Connection& conn, pg::Transaction& tx) {
      conn.execute("revoke_token",
                   "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, "
                   "to_timestamp($2::bigint)) WHERE id = $1::bigint",
                   {param(id), param(unixSeconds(now))});
      auto token = loadToken(conn, conn.execute("token_by_id", kTokenById, {param(id)}));
      tx.commit();
      return token;
    });
  }

  std::vector<EventId> unknownEvents(const std::vector<EventId>& ids) override {
    return db_.read([&](pg::Connection& conn) {
      auto r = conn.execute("unknown_events",
                            "SELECT u.id FROM unnest($1::bigint[]) AS u(id) "
                            "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = u.id) "
                            "ORDER BY u.id",
                            {param(idArray(ids))});
      std::vector<EventId> unknown;
      for (int row = 0; row < r.rows(); ++row) {
        unknown.push_back(r.integer(row, 0));
      }
      return unknown;
    });
  }

 private:
  PostgresDatabase& db_;
};

std::unique_ptr<AccessRepository> PostgresDatabase::makeAccess(PostgresDatabase& db) {
  return std::make_unique<Access>(db);
}

}  // namespace tickets
