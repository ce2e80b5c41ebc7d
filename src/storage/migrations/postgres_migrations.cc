#include <array>

#include "storage/migrations/migrations.h"

namespace tickets {
namespace {

// The same tables and rules as the SQLite schema, in PostgreSQL's types: times are timestamptz,
// money is bigint minor units.
constexpr std::string_view kCatalogue = R"sql(
CREATE TABLE events (
  id                    bigserial   PRIMARY KEY,
  name                  text        NOT NULL,
  description           text        NOT NULL DEFAULT '',
  venue                 text        NOT NULL,
  starts_at             timestamptz NOT NULL,
  ends_at               timestamptz NOT NULL,
  timezone              text        NOT NULL,
  status                text        NOT NULL
                        CHECK (status IN ('draft', 'on_sale', 'sold_out', 'cancelled')),
  sale_starts_at        timestamptz,
  sale_ends_at          timestamptz,
  max_tickets_per_order integer     NOT NULL DEFAULT 10 CHECK (max_tickets_per_order BETWEEN 1 AND 100),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX events_by_start ON events (starts_at, id);

CREATE TABLE ticket_types (
  id        bigserial PRIMARY KEY,
  event_id  bigint    NOT NULL REFERENCES events (id),
  name      text      NOT NULL,
  price     bigint    NOT NULL CHECK (price >= 0),
  currency  char(3)   NOT NULL,
  capacity  bigint    NOT NULL CHECK (capacity >= 0),
  sold      bigint    NOT NULL DEFAULT 0 CHECK (sold >= 0),
  held      bigint    NOT NULL DEFAULT 0 CHECK (held >= 0),
  CHECK (sold + held <= capacity)
);
CREATE INDEX ticket_types_by_event ON ticket_types (event_id, price);
)sql";

constexpr std::string_view kSelling = R"sql(
CREATE TABLE holds (
  id         text        PRIMARY KEY,
  status     text        NOT NULL CHECK (status IN ('active', 'released', 'expired', 'checked_out')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX holds_active_by_expiry ON holds (expires_at) WHERE status = 'active';

CREATE TABLE hold_items (
  hold_id        text   NOT NULL REFERENCES holds (id),
  ticket_type_id bigint NOT NULL REFERENCES ticket_types (id),
  quantity       bigint NOT NULL CHECK (quantity > 0),
  unit_price     bigint NOT NULL CHECK (unit_price >= 0),
  currency       char(3) NOT NULL,
  PRIMARY KEY (hold_id, ticket_type_id)
);
CREATE INDEX hold_items_by_ticket_type ON hold_items (ticket_type_id);

CREATE TABLE orders (
  code                text        PRIMARY KEY,
  secret              text        NOT NULL,
  hold_id             text        NOT NULL UNIQUE REFERENCES holds (id),
  idempotency_key     text        NOT NULL,
  request_fingerprint text        NOT NULL,
  status              text        NOT NULL CHECK (status IN ('paid', 'cancelled', 'refunded')),
  email               text        NOT NULL,
  name                text        NOT NULL,
  total               bigint      NOT NULL,
  currency            char(3)     NOT NULL,
  payment_reference   text        NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  CONSTRAINT orders_idempotency_key_key UNIQUE (idempotency_key)
);

CREATE TABLE tickets (
  code           text        PRIMARY KEY,
  order_code     text        NOT NULL REFERENCES orders (code),
  ticket_type_id bigint      NOT NULL REFERENCES ticket_types (id),
  event_id       bigint      NOT NULL REFERENCES events (id),
  voided         boolean     NOT NULL DEFAULT false,
  checked_in_at  timestamptz
);
CREATE INDEX tickets_by_order ON tickets (order_code);
CREATE INDEX tickets_by_event ON tickets (event_id);
)sql";

constexpr std::string_view kAccess = R"sql(
CREATE TABLE api_tokens (
  id          bigserial   PRIMARY KEY,
  name        text        NOT NULL,
  role        text        NOT NULL CHECK (role IN ('admin', 'door', 'reports')),
  secret_hash text        NOT NULL UNIQUE CHECK (length(secret_hash) = 64),
  hint        text        NOT NULL,
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);

CREATE TABLE api_token_events (
  token_id bigint NOT NULL REFERENCES api_tokens (id),
  event_id bigint NOT NULL REFERENCES events (id),
  PRIMARY KEY (token_id, event_id)
);
)sql";

// On-sale protection: the client that made a basket (its address, for the limit of live baskets
// per client), the index that limit reads, the index the retention purge reads, and the index
// the invariant check counts issued tickets with.
constexpr std::string_view kOnSale = R"sql(
ALTER TABLE holds ADD COLUMN client text;
CREATE INDEX holds_live_by_client ON holds (client) WHERE status = 'active';
CREATE INDEX holds_ended_by_expiry ON holds (expires_at) WHERE status IN ('released', 'expired');
CREATE INDEX tickets_valid_by_type ON tickets (ticket_type_id) WHERE NOT voided;
)sql";

// The waiting room (domain/waiting_room.h): each event's queue state, arrivals per second per
// replica and how far each replica's are written, the log of when the watermark passed each place,
// the passes that made a basket, and secrets every replica shares (the queue token key unless
// QUEUE_SECRET is set). Fractions are kept in parts per billion, admissions in thousandths.
constexpr std::string_view kWaitingRoom = R"sql(
CREATE TABLE event_queues (
  event_id           bigint           PRIMARY KEY REFERENCES events (id),
  enabled            boolean          NOT NULL,
  admit_per_minute   bigint           NOT NULL CHECK (admit_per_minute >= 0),
  pow_difficulty     integer          NOT NULL CHECK (pow_difficulty >= 0),
  watermark_bucket   bigint           NOT NULL,
  watermark_ppb      bigint           NOT NULL,
  advanced_at_ms     bigint           NOT NULL,
  carry_ppb          bigint           NOT NULL,
  admitted_milli     bigint           NOT NULL
);

CREATE TABLE queue_arrivals (
  event_id bigint NOT NULL REFERENCES events (id),
  bucket   bigint NOT NULL,
  replica  text   NOT NULL,
  arrivals bigint NOT NULL,
  PRIMARY KEY (event_id, bucket, replica)
);

CREATE TABLE queue_replicas (
  replica    text   PRIMARY KEY,
  counted_ms bigint NOT NULL
);

CREATE TABLE queue_advances (
  event_id           bigint           NOT NULL REFERENCES events (id),
  watermark_bucket   bigint           NOT NULL,
  watermark_ppb      bigint           NOT NULL,
  at_ms              bigint           NOT NULL,
  PRIMARY KEY (event_id, watermark_bucket, watermark_ppb)
);

CREATE TABLE queue_passes (
  pass    text        PRIMARY KEY,
  hold_id text        NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE service_secrets (
  name  text PRIMARY KEY,
  value text NOT NULL
);
)sql";

// Payments, webhook events seen, refunds of orders and the outbox: see sqlite_migrations.cc.
constexpr std::string_view kPayments = R"sql(
CREATE TABLE payments (
  order_code          text        PRIMARY KEY,
  secret              text        NOT NULL,
  hold_id             text        NOT NULL UNIQUE REFERENCES holds (id),
  idempotency_key     text        NOT NULL UNIQUE,
  request_fingerprint text        NOT NULL,
  provider            text        NOT NULL,
  status              text        NOT NULL
                      CHECK (status IN ('pending_payment', 'paid', 'expired', 'cancelled', 'refunded')),
  email               text        NOT NULL,
  name                text        NOT NULL,
  total               bigint      NOT NULL CHECK (total >= 0),
  currency            char(3)     NOT NULL,
  session_id          text        UNIQUE,
  payment_url         text,
  session_expires_at  timestamptz,
  payment_reference   text,
  reason              text,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  checked_at          timestamptz
);
CREATE INDEX payments_pending_by_expiry ON payments (session_expires_at)
  WHERE status = 'pending_payment';

CREATE TABLE payment_events (
  id          text        PRIMARY KEY,
  received_at timestamptz NOT NULL
);

ALTER TABLE orders ADD COLUMN refunded_total bigint NOT NULL DEFAULT 0;

CREATE TABLE outbox (
  id              bigserial   PRIMARY KEY,
  kind            text        NOT NULL,
  aggregate       text        NOT NULL,
  payload         text        NOT NULL,
  created_at      timestamptz NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  delivered_at    timestamptz,
  dead_at         timestamptz
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

std::span<const Migration> postgresMigrations() { return kMigrations; }

}  // namespace tickets
