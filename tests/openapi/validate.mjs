// Checks src/api/openapi.json, then every exchange in a TICKETS_RESPONSE_LOG file against it:
// the status must be one the operation documents, and the body must match that response's
// schema. Exits 1 on an invalid document or any mismatch, so the document cannot drift from
// what the server answers.
//
//   node validate.mjs LOGFILE [--document PATH] [--quiet-coverage]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let documentPath = path.join(here, "../../src/api/openapi.json");
let logPath;
let showCoverage = true;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--document") documentPath = args[++i];
  else if (args[i] === "--quiet-coverage") showCoverage = false;
  else logPath = args[i];
}
if (!logPath) {
  console.error("usage: node validate.mjs LOGFILE [--document PATH] [--quiet-coverage]");
  process.exit(2);
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const DOC_ID = "urn:tickets:openapi";

// The document itself: OpenAPI 3.1 structure, and every $ref pointing somewhere.
const doc = JSON.parse(readFileSync(documentPath, "utf8"));
const structural = await new Validator().validate(doc);
if (!structural.valid) {
  console.error(`${documentPath}: not a valid OpenAPI 3.1 document:`);
  console.error(JSON.stringify(structural.errors, null, 2));
  process.exit(1);
}
if (doc.openapi !== "3.1.0") {
  console.error(`${documentPath}: openapi is ${doc.openapi}, expected 3.1.0`);
  process.exit(1);
}
const pointer = (parts) => "#/" + parts.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
const resolvePointer = (ref) => {
  if (!ref.startsWith("#/")) return undefined;
  let node = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
};
const brokenRefs = [];
(function walk(node, at) {
  if (Array.isArray(node)) return node.forEach((v, i) => walk(v, [...at, i]));
  if (node && typeof node === "object") {
    if (typeof node.$ref === "string" && resolvePointer(node.$ref) === undefined) {
      brokenRefs.push(`${pointer(at)}: ${node.$ref}`);
    }
    for (const [k, v] of Object.entries(node)) walk(v, [...at, k]);
  }
})(doc, []);
if (brokenRefs.length > 0) {
  console.error(`${documentPath}: unresolved references:\n  ${brokenRefs.join("\n  ")}`);
  process.exit(1);
}

// The whole document is one schema resource, so that the response schemas' $refs resolve;
// strict mode is off because OpenAPI members (paths, responses...) are not JSON Schema keywords.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, DOC_ID);
const compiled = new Map();
const validatorAt = (ref) => {
  if (!compiled.has(ref)) compiled.set(ref, ajv.compile({ $ref: DOC_ID + ref }));
  return compiled.get(ref);
};
// Compiling every response schema up front finds a broken schema even if no exchange uses it.
const operations = [];
for (const [template, item] of Object.entries(doc.paths ?? {})) {
  const segments = template.split("/");
  const regex = new RegExp(
    "^" + segments.map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/") + "$",
  );
  const literalSegments = segments.filter((s) => !/^\{[^}]+\}$/.test(s)).length;
  for (const method of METHODS) {
    if (!item[method]) continue;
    operations.push({ template, method, regex, literalSegments, operation: item[method], key: `${method.toUpperCase()} ${template}` });
  }
}
const responseOf = (op, status) => {
  const responses = op.operation.responses ?? {};
  for (const key of [String(status), `${String(status)[0]}XX`, "default"]) {
    if (responses[key]) {
      let response = responses[key];
      let at = pointer(["paths", op.template, op.method, "responses", key]);
      while (response.$ref) {
        at = response.$ref;
        response = resolvePointer(response.$ref);
      }
      return { response, at, key };
    }
  }
  return undefined;
};
for (const op of operations) {
  for (const key of Object.keys(op.operation.responses ?? {})) {
    const found = responseOf(op, key);
    for (const media of Object.keys(found.response.content ?? {})) {
      validatorAt(`${found.at}/content/${media.replaceAll("~", "~0").replaceAll("/", "~1")}/schema`);
    }
  }
}
const problemValidator = validatorAt("#/components/schemas/Problem");

const isJson = (media) => media === "application/json" || media.endsWith("+json");
const mediaOf = (contentType) => (contentType ?? "").split(";")[0].trim().toLowerCase();
const describe = (errors) =>
  (errors ?? [])
    .slice(0, 4)
    .map((e) => `${e.instancePath || "/"} ${e.message}${e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""}`)
    .join("; ");

let webAppExchanges = 0;

// Paths ticketsd gives to the web app when WEB_ROOT is set: everything outside /api/ that is not
// an operations endpoint.
function isWebAppPath(path) {
  return path !== "/api" && !path.startsWith("/api/") && !["/healthz", "/readiness", "/metrics"].includes(path);
}

// Checks one exchange; returns a list of what is wrong with it.
function check(exchange, coverage) {
  const { method, target, status } = exchange;
  const pathPart = (target ?? "").split("?")[0];
  const body = exchange.body ?? "";
  const media = mediaOf(exchange.content_type);
  const problems = [];
  const candidates = operations
    .filter((op) => op.regex.test(pathPart))
    .sort((a, b) => b.literalSegments - a.literalSegments);
  const bodyAsProblem = () => {
    if (media !== "application/problem+json") {
      problems.push(`content-type ${exchange.content_type || "(none)"} where a problem (application/problem+json) is due`);
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      problems.push(`body is not JSON: ${e.message}`);
      return;
    }
    if (!problemValidator(parsed)) problems.push(`body does not match Problem: ${describe(problemValidator.errors)}`);
    else if (parsed.status !== status) problems.push(`problem status ${parsed.status} differs from the HTTP status`);
  };
  if (candidates.length === 0 && isWebAppPath(pathPart) && (exchange.content_type ?? "").split(";")[0] !== "application/problem+json") {
    // The web app's files and routes (WEB_ROOT), outside the API the document describes.
    ++webAppExchanges;
    return problems;
  }
  if (candidates.length === 0) {
    // Not a documented route: the server's own 404 (or 400/405 for a malformed request).
    if (![400, 404, 405].includes(status)) problems.push(`status ${status} on a path no operation documents`);
    bodyAsProblem();
    return problems;
  }
  const verb = (method ?? "").toUpperCase();
  if (verb === "OPTIONS") {
    // Answered by the server for every path it routes: 204 with Allow, no body.
    if (status !== 204) problems.push(`OPTIONS answered ${status}, expected 204`);
    if (body.length !== 0) problems.push("OPTIONS answered a body");
    return problems;
  }
  const lookup = verb === "HEAD" ? "get" : verb.toLowerCase();
  const op = candidates.find((c) => c.method === lookup);
  if (!op) {
    if (status !== 405 && status !== 400) problems.push(`status ${status} for a method the path does not document (expected 405)`);
    bodyAsProblem();
    return problems;
  }
  coverage.set(op.key, (coverage.get(op.key) ?? 0) + 1);
  const found = responseOf(op, status);
  if (!found) {
    problems.push(`status ${status} is not documented for ${op.key} (documented: ${Object.keys(op.operation.responses).join(", ")})`);
    return problems;
  }
  const content = found.response.content ?? {};
  if (verb === "HEAD") {
    if (body.length !== 0) problems.push("HEAD answered a body");
    return problems;
  }
  if (Object.keys(content).length === 0) {
    if (body.length !== 0) problems.push(`status ${status} documents no body, but one came (${body.length} bytes)`);
    return problems;
  }
  const mediaKey = Object.keys(content).find((m) => m.toLowerCase() === media);
  if (!mediaKey) {
    problems.push(`content-type ${exchange.content_type || "(none)"} is not documented for ${status} (documented: ${Object.keys(content).join(", ")})`);
    return problems;
  }
  const validate = validatorAt(`${found.at}/content/${mediaKey.replaceAll("~", "~0").replaceAll("/", "~1")}/schema`);
  let value = body;
  if (isJson(media)) {
    try {
      value = JSON.parse(body);
    } catch (e) {
      problems.push(`body is not JSON: ${e.message}`);
      return problems;
    }
  }
  if (!validate(value)) problems.push(`body does not match the ${found.key} ${mediaKey} schema: ${describe(validate.errors)}`);
  return problems;
}

const lines = readFileSync(logPath, "utf8").split("\n").filter((l) => l.trim() !== "");
const coverage = new Map(operations.map((op) => [op.key, 0]));
const mismatches = [];
let checked = 0;
for (const [index, line] of lines.entries()) {
  let exchange;
  try {
    exchange = JSON.parse(line);
  } catch (e) {
    mismatches.push({ where: `line ${index + 1}`, problems: [`not a JSON line: ${e.message}`] });
    continue;
  }
  ++checked;
  const problems = check(exchange, coverage);
  if (problems.length > 0) {
    mismatches.push({ where: `${exchange.method} ${exchange.target} -> ${exchange.status}`, problems });
  }
}

const exercised = [...coverage.entries()].filter(([, n]) => n > 0);
const never = [...coverage.entries()].filter(([, n]) => n === 0).map(([k]) => k);
console.log(`openapi: ${documentPath} is a valid OpenAPI ${doc.openapi} document with ${operations.length} operations`);
console.log(
  `openapi: ${checked} exchanges checked (${webAppExchanges} of them the web app's files, outside the document); ` +
    `${exercised.length} of ${operations.length} operations exercised`,
);
if (showCoverage) {
  for (const [key, n] of exercised) console.log(`  ${String(n).padStart(5)}  ${key}`);
  if (never.length > 0) {
    console.log(`openapi: never exercised by this log (information, not a failure):`);
    for (const key of never) console.log(`         ${key}`);
  }
}
if (checked === 0) {
  console.log("openapi: FAIL: the log holds no exchange (was TICKETS_RESPONSE_LOG set for the tests?)");
  process.exit(1);
}
if (mismatches.length > 0) {
  console.log(`openapi: FAIL: ${mismatches.length} exchanges do not match the document:`);
  for (const m of mismatches) {
    console.log(`  ${m.where}`);
    for (const p of m.problems) console.log(`      ${p}`);
  }
  process.exit(1);
}
console.log("openapi: every exchange matches the document");
