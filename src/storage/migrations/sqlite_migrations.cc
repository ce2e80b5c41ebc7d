#include "storage/migrations/migrations.h"

#include <array>

namespace tickets {
namespace {

// Times are Unix seconds (UTC); money is integer minor units.
constexpr std::string_view kCatalogue = R"sql(
CREATE TABLE events (
  id                    INTEGER PRIMARY KEY,
  name                  TEXT    NOT NULL,
  description           TEXT    NOT NULL DEFAULT '',
  venue                 TEXT    NOT NULL,
  starts_at             INTEGER NOT NULL,
  ends_at               INTEGER NOT NULL,
  timezone              TEXT    NOT NULL,
  status                TEXT    NOT NULL
                        CHECK (status IN ('draft', 'on_sale', 'sold_out', 'cancelled')),
  sale_starts_at        INTEGER,
  sale_ends_at          INTEGER,
  max_tickets_per_order INTEGER NOT NULL DEFAULT 10 CHECK (max_tickets_per_order BETWEEN 1 AND 100),
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX events_by_start ON events (starts_at, id);

CREATE TABLE ticket_types (
  id        INTEGER PRIMARY KEY,
  event_id  INTEGER NOT NULL REFERENCES events (id),
  name      TEXT    NOT NULL,
  price     INTEGER NOT NULL CHECK (price >= 0),
  currency  TEXT    NOT NULL CHECK (length(currency) = 3),
  capacity  INTEGER NOT NULL CHECK (capacity >= 0),
  sold      INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
  held      INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  CHECK (sold + held <= capacity)
);
CREATE INDEX ticket_types_by_event ON ticket_types (event_id, price);
)sql";

constexpr std::array kMigrations{
    Migration{1, "catalogue", kCatalogue},
};

}  // namespace

std::span<const Migration> sqliteMigrations() { return kMigrations; }

}  // namespace tickets
