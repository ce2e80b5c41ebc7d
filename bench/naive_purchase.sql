-- pgbench: the reference purchase, a shop that commits once per buyer. One transaction: the
-- conditional update of the ticket type's counter, then the order and its ticket with random
-- codes, then the commit. Each transaction holds the ticket type's row lock through its own
-- commit. Variables: first_type, types (set with -D).
\set tt random(:first_type, :first_type + :types - 1)
\set n random(1, 1000000000)
BEGIN;
UPDATE ticket_types SET sold = sold + 1 WHERE id = :tt AND sold + held + 1 <= capacity;
INSERT INTO holds (id, status, created_at, expires_at)
  VALUES (md5(:n::text || clock_timestamp()::text), 'checked_out', now(), now())
  RETURNING id \gset hold_
INSERT INTO hold_items (hold_id, ticket_type_id, quantity, unit_price, currency)
  VALUES (:hold_id, :tt, 1, 2500, 'GBP');
INSERT INTO orders (code, secret, hold_id, idempotency_key, request_fingerprint, status, email,
  name, total, currency, payment_reference, created_at, updated_at)
  VALUES (substr(:hold_id, 1, 10), md5(random()::text), :hold_id, :hold_id, 'x', 'paid',
  'bench@example.com', 'Bench', 2500, 'GBP', 'box-office', now(), now());
INSERT INTO tickets (code, order_code, ticket_type_id, event_id)
  SELECT md5(random()::text), substr(:hold_id, 1, 10), :tt, event_id FROM ticket_types WHERE id = :tt;
COMMIT;
