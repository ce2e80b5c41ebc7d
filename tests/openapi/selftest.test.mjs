// The validator must fail on what it exists to catch: an undocumented field, a wrong type, an
// undocumented status. Each crafted exchange is checked alone, beside a valid one that passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

const event = {
  id: 1,
  name: "Race Night",
  description: "",
  venue: "Hall",
  starts_at: "2030-01-01T19:00:00Z",
  ends_at: "2030-01-01T22:00:00Z",
  timezone: "Europe/London",
  status: "on_sale",
  sale_starts_at: null,
  sale_ends_at: null,
  max_tickets_per_order: 10,
  available_tickets: 100,
  price_from: { amount: 2500, currency: "GBP" },
  ticket_types: [{ id: 1, name: "GA", price: 2500, currency: "GBP", capacity: 100, available: 100 }],
};
const exchange = (method, target, status, contentType, body) => ({
  method,
  target,
  status,
  content_type: contentType,
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const valid = exchange("GET", "/api/events/1", 200, "application/json", event);

function validate(exchanges) {
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-selftest-"));
  try {
    const log = path.join(dir, "responses.jsonl");
    writeFileSync(log, exchanges.map((e) => JSON.stringify(e) + "\n").join(""));
    const run = spawnSync(process.execPath, [path.join(here, "validate.mjs"), log, "--quiet-coverage"], { encoding: "utf8" });
    return { code: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a valid exchange passes", () => {
  const { code, output } = validate([valid]);
  assert.equal(code, 0, output);
});

test("an undocumented field fails", () => {
  const { code, output } = validate([valid, exchange("GET", "/api/events/1", 200, "application/json", { ...event, surprise: 1 })]);
  assert.equal(code, 1, output);
  assert.match(output, /GET \/api\/events\/1 -> 200\n.*additional properties.*surprise/);
});

test("a wrong type fails", () => {
  const listing = { events: [], count: "0", next_cursor: null };
  const { code, output } = validate([valid, exchange("GET", "/api/events?limit=5", 200, "application/json", listing)]);
  assert.equal(code, 1, output);
  assert.match(output, /\/count must be integer/);
});

test("a nullable field must not be missing", () => {
  const { sale_ends_at, ...missing } = event;
  const { code, output } = validate([exchange("GET", "/api/events/1", 200, "application/json", missing)]);
  assert.equal(code, 1, output);
  assert.match(output, /must have required property 'sale_ends_at'/);
});

test("an undocumented status fails", () => {
  const { code, output } = validate([valid, exchange("GET", "/healthz", 418, "application/json", { status: "ok" })]);
  assert.equal(code, 1, output);
  assert.match(output, /status 418 is not documented for GET \/healthz/);
});

test("a problem of the wrong type for its status fails", () => {
  const problem = { type: "/problems/not-found", title: "Sold Out", status: 409, instance: "/api/basket", request_id: "r" };
  const { code, output } = validate([exchange("POST", "/api/basket", 409, "application/problem+json", problem)]);
  assert.equal(code, 1, output);
  assert.match(output, /\/type must be equal to one of the allowed values/);
});

test("an answer other than a problem on an undocumented path fails", () => {
  const { code, output } = validate([exchange("GET", "/api/nowhere", 200, "application/json", {})]);
  assert.equal(code, 1, output);
  assert.match(output, /status 200 on a path no operation documents/);
});

test("an empty log fails", () => {
  const { code, output } = validate([]);
  assert.equal(code, 1, output);
});
