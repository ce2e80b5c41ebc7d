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

// Holds (baskets), orders and tickets. Stock moves between ticket_types.held and .sold in the
// same transactions that change holds and orders, so the CHECK on ticket_types guards it.
constexpr std::string_view kSelling = R"sql(
CREATE TABLE holds (
  id         TEXT    PRIMARY KEY,
  status     TEXT    NOT NULL CHECK (status IN ('active', 'released', 'expired', 'checked_out')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX holds_active_by_expiry ON holds (expires_at) WHERE status = 'active';

CREATE TABLE hold_items (
  hold_id        TEXT    NOT NULL REFERENCES holds (id),
  ticket_type_id INTEGER NOT NULL REFERENCES ticket_types (id),
  quantity       INTEGER NOT NULL CHECK (quantity > 0),
  unit_price     INTEGER NOT NULL CHECK (unit_price >= 0),
  currency       TEXT    NOT NULL,
  PRIMARY KEY (hold_id, ticket_type_id)
);
CREATE INDEX hold_items_by_ticket_type ON hold_items (ticket_type_id);

CREATE TABLE orders (
  code                TEXT    PRIMARY KEY,
  secret              TEXT    NOT NULL,
  hold_id             TEXT    NOT NULL UNIQUE REFERENCES holds (id),
  idempotency_key     TEXT    NOT NULL UNIQUE,
  request_fingerprint TEXT    NOT NULL,
  status              TEXT    NOT NULL CHECK (status IN ('paid', 'cancelled', 'refunded')),
  email               TEXT    NOT NULL,
  name                TEXT    NOT NULL,
  total               INTEGER NOT NULL,
  currency            TEXT    NOT NULL,
  payment_reference   TEXT    NOT NULL,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);

CREATE TABLE tickets (
  code           TEXT    PRIMARY KEY,
  order_code     TEXT    NOT NULL REFERENCES orders (code),
  ticket_type_id INTEGER NOT NULL REFERENCES ticket_types (id),
  event_id       INTEGER NOT NULL REFERENCES events (id),
  voided         INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
  checked_in_at  INTEGER
);
CREATE INDEX tickets_by_order ON tickets (order_code);
CREATE INDEX tickets_by_event ON tickets (event_id);
)sql";

// Scoped API tokens: only the SHA-256 of a secret is stored; a door token lists its events.
constexpr std::string_view kAccess = R"sql(
CREATE TABLE api_tokens (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  role        TEXT    NOT NULL CHECK (role IN ('admin', 'door', 'reports')),
  secret_hash TEXT    NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
  hint        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);

CREATE TABLE api_token_events (
  token_id INTEGER NOT NULL REFERENCES api_tokens (id),
  event_id INTEGER NOT NULL REFERENCES events (id),
  PRIMARY KEY (token_id, event_id)
);
)sql";

// On-sale protection: the client that made a basket (its address, for the limit of live baskets
// per client), the index that limit reads, the index the retention purge reads, and the index
// the invariant check counts issued tickets with.
constexpr std::string_view kOnSale = R"sql(
ALTER TABLE holds ADD COLUMN client TEXT;
CREATE INDEX holds_live_by_client ON holds (client) WHERE status = 'active';
CREATE INDEX holds_ended_by_expiry ON holds (expires_at) WHERE status IN ('released', 'expired');
CREATE INDEX tickets_valid_by_type ON tickets (ticket_type_id) WHERE voided = 0;
)sql";

// The waiting room (domain/waiting_room.h): each event's queue state, arrivals per second per
// replica and how far each replica's are written, the log of when the watermark passed each place,
// the passes that made a basket, and secrets every replica shares (the queue token key unless
// QUEUE_SECRET is set). Fractions are kept in parts per billion, admissions in thousandths.
constexpr std::string_view kWaitingRoom = R"sql(
CREATE TABLE event_queues (
  event_id           INTEGER PRIMARY KEY REFERENCES events (id),
  enabled            INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  admit_per_minute   INTEGER NOT NULL CHECK (admit_per_minute >= 0),
  pow_difficulty     INTEGER NOT NULL CHECK (pow_difficulty >= 0),
  watermark_bucket   INTEGER NOT NULL,
  watermark_ppb      INTEGER NOT NULL,
  advanced_at_ms     INTEGER NOT NULL,
  carry_ppb          INTEGER NOT NULL,
  admitted_milli     INTEGER NOT NULL
);

CREATE TABLE queue_arrivals (
  event_id INTEGER NOT NULL REFERENCES events (id),
  bucket   INTEGER NOT NULL,
  replica  TEXT    NOT NULL,
  arrivals INTEGER NOT NULL,
  PRIMARY KEY (event_id, bucket, replica)
);

CREATE TABLE queue_replicas (
  replica    TEXT    PRIMARY KEY,
  counted_ms INTEGER NOT NULL
);

CREATE TABLE queue_advances (
  event_id           INTEGER NOT NULL REFERENCES events (id),
  watermark_bucket   INTEGER NOT NULL,
  watermark_ppb      INTEGER NOT NULL,
  at_ms              INTEGER NOT NULL,
  PRIMARY KEY (event_id, watermark_bucket, watermark_ppb)
);

CREATE TABLE queue_passes (
  pass    TEXT    PRIMARY KEY,
  hold_id TEXT    NOT NULL,
  used_at INTEGER NOT NULL
);

CREATE TABLE service_secrets (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

// Payments (domain/payment.h): a checkout paid online is a payment, pending until the provider
// says the buyer paid; only then is it an order with tickets, so nothing unpaid is ever an order.
// Its hold keeps the stock meanwhile. The provider's events seen (webhooks are delivered at least
// once), what orders had back, and the outbox of side effects written with the changes that
// cause them (domain/outbox.h).
constexpr std::string_view kPayments = R"sql(
CREATE TABLE payments (
  order_code          TEXT    PRIMARY KEY,
  secret              TEXT    NOT NULL,
  hold_id             TEXT    NOT NULL UNIQUE REFERENCES holds (id),
  idempotency_key     TEXT    NOT NULL UNIQUE,
  request_fingerprint TEXT    NOT NULL,
  provider            TEXT    NOT NULL,
  status              TEXT    NOT NULL
                      CHECK (status IN ('pending_payment', 'paid', 'expired', 'cancelled', 'refunded')),
  email               TEXT    NOT NULL,
  name                TEXT    NOT NULL,
  total               INTEGER NOT NULL CHECK (total >= 0),
  currency            TEXT    NOT NULL,
  session_id          TEXT    UNIQUE,
  payment_url         TEXT,
  session_expires_at  INTEGER,
  payment_reference   TEXT,
  reason              TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  checked_at          INTEGER
);
CREATE INDEX payments_pending_by_expiry ON payments (session_expires_at)
  WHERE status = 'pending_payment';

CREATE TABLE payment_events (
  id          TEXT    PRIMARY KEY,
  received_at INTEGER NOT NULL
);

ALTER TABLE orders ADD COLUMN refunded_total INTEGER NOT NULL DEFAULT 0;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  kind            TEXT    NOT NULL,
  aggregate       TEXT    NOT NULL,
  payload         TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  delivered_at    INTEGER,
  dead_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at)
  WHERE delivered_at IS NULL AND dead_at IS NULL;
)sql";

constexpr std::array kMigrations{
    Migration{1, "catalogue", kCatalogue},
    Migration{2, "selling", kSelling},
    Migration{3, "access", kAccess},
    Migration{4, "on-sale", kOnSale},
    Migration{5, "waiting-room", kWaitingRoom},
    Migration{6, "payments", kPayments},
};

}  // namespace

std::span<const Migration> sqliteMigrations() { return kMigrations; }

}  // namespace tickets
