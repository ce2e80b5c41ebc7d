#include "storage/sqlite/sqlite_access.h"

#include <map>

#include "storage/sql_values.h"

namespace tickets {
namespace {

using sql::fromUnix;
using sql::optionalTime;
using sql::unixSeconds;

using sqlite::Connection;
using sqlite::Query;

constexpr std::string_view kTokenColumns = "id, name, role, hint, created_at, revoked_at";

ApiToken readToken(const Query& q) {
  ApiToken t;
  t.id = q.getInt(0);
  t.name = q.getText(1);
  t.role = parseRole(q.getText(2)).value_or(Role::kReports);
  t.hint = q.getText(3);
  t.created_at = fromUnix(q.getInt(4));
  t.revoked_at = optionalTime(q.getOptionalInt(5));
  return t;
}

std::vector<EventId> eventsOf(Connection& conn, ApiTokenId id) {
  Query q(
      conn.prepare("SELECT event_id FROM api_token_events WHERE token_id = ?1 ORDER BY event_id"));
  q.bind(1, id);
  std::vector<EventId> events;
  while (q.step()) {
    events.push_back(q.getInt(0));
  }
  return events;
}

std::optional<ApiToken> loadToken(Connection& conn, std::string_view where, const auto& key) {
  std::optional<ApiToken> token;
  {
    Query q(conn.prepare("SELECT " + std::string(kTokenColumns) + " FROM api_tokens WHERE " +
                         std::string(where)));
    q.bind(1, key);
    if (!q.step()) {
      return std::nullopt;
    }
    token = readToken(q);
  }
  token->event_ids = eventsOf(conn, token->id);
  return token;
}

}  // namespace

ApiToken SqliteAccess::createToken(const NewApiToken& token) {
  return writer_.run<ApiToken>(0, {}, [&](sqlite::Connection& db, WriteUnit& tx) {
    auto* conn = &db;
    {
      Query q(
          conn->prepare("INSERT INTO api_tokens (name, role, secret_hash, hint, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)"));
      q.bind(1, token.name)
          .bind(2, toString(token.role))
          .bind(3, token.secret_hash)
          .bind(4, token.hint)
          .bind(5, unixSeconds(token.created_at));
      q.run();
    }
    ApiToken stored{conn->lastInsertId(), token.name,       token.role,  token.event_ids,
                    token.hint,           token.created_at, std::nullopt};
    for (EventId event : token.event_ids) {
      Query q(conn->prepare("INSERT INTO api_token_events (token_id, event_id) VALUES (?1, ?2)"));
      q.bind(1, stored.id).bind(2, event);
      q.run();
    }
    tx.commit();
    return stored;
  });
}

std::optional<ApiToken> SqliteAccess::findTokenByHash(const std::string& secret_hash) {
  auto conn = acquire_();
  return loadToken(*conn, "secret_hash = ?1", secret_hash);
}

std::vector<ApiToken> SqliteAccess::listTokens() {
  auto conn = acquire_();
  std::vector<ApiToken> tokens;
  std::map<ApiTokenId, size_t> index;
  {
    Query q(conn->prepare("SELECT " + std::string(kTokenColumns) + " FROM api_tokens ORDER BY id"));
    while (q.step()) {
      tokens.push_back(readToken(q));
      index[tokens.back().id] = tokens.size() - 1;
    }
  }
  // A token's events are written with it and never change; one made between the two reads is
  // simply not listed.
  Query q(
      conn->prepare("SELECT token_id, event_id FROM api_token_events ORDER BY token_id, event_id"));
  while (q.step()) {
    if (auto it = index.find(q.getInt(0)); it != index.end()) {
      tokens[it->second].event_ids.push_back(q.getInt(1));
    }
  }
  return tokens;
}

std::optional<ApiToken> SqliteAccess::revokeToken(ApiTokenId id, SystemTime now) {
  return writer_.run<std::optional<ApiToken>>(
      0, {}, [&](sqlite::Connection& db, WriteUnit& tx) -> std::optional<ApiToken> {
        auto* conn = &db;
        {
          Query q(conn->prepare(
              "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1"));
          q.bind(1, id).bind(2, unixSeconds(now));
          q.run();
        }
        if (conn->changes() == 0) {
          return std::nullopt;
        }
        auto token = loadToken(*conn, "id = ?1", id);
        tx.commit();
        return token;
      });
}

std::vector<EventId> SqliteAccess::unknownEvents(const std::vector<EventId>& ids) {
  auto conn = acquire_();
  std::vector<EventId> unknown;
  for (EventId id : ids) {
    Query q(conn->prepare("SELECT 1 FROM events WHERE id = ?1"));
    q.bind(1, id);
    if (!q.step()) {
      unknown.push_back(id);
    }
  }
  return unknown;
}

}  // namespace tickets
