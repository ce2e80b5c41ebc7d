// publicBaseUrl, payments.stripe and mail in rendered releases (values.yaml, README: Payments
// and mail).
//
//   node payments-mail.mjs DIR
//
// DIR holds the renders of test.sh: dev.yaml, prod.yaml and defaults.yaml (all off),
// payments-mail.yaml (both on, defaults of mail), payments.yaml (payments only) and mail.yaml
// (mail only: key url of Secret tickets-mail, port 465, CIDR 203.0.113.0/24).
// Prints one line per check and `payments-mail: N passed, M failed`; exit 1 on any failure.
import fs from "node:fs";
import yaml from "js-yaml";

const dir = process.argv[2];
const load = (f) => yaml.loadAll(fs.readFileSync(`${dir}/${f}.yaml`, "utf8")).filter(Boolean);
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let passed = 0, failed = 0;
function expect(what, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : ` (${detail})`}`);
}

const managed = ["PUBLIC_BASE_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SMTP_URL", "MAIL_FROM"];
function release(f) {
  const objects = load(f);
  const deploy = objects.find((o) => o.kind === "Deployment");
  const env = deploy?.spec.template.spec.containers[0].env ?? [];
  const np = objects.find((o) => o.kind === "NetworkPolicy");
  return {
    objects, deploy, env, np,
    names: env.map((e) => e.name),
    get: (name) => env.find((e) => e.name === name),
    egress: np?.spec.egress ?? [],
  };
}
const fromSecret = (e, name, key) =>
  !!e && !("value" in e) && eq(e.valueFrom, { secretKeyRef: { name, key } });
// The egress rules every release has: DNS, the database, 443.
const baseEgress = (r) => r.egress.filter((rule) => !rule.ports.some((p) => ![53, 5432, 443].includes(p.port)));
const smtpRules = (r) => r.egress.filter((rule) => rule.ports.some((p) => ![53, 5432, 443].includes(p.port)));

const dev = release("dev");
for (const f of ["dev", "prod", "defaults"]) {
  const r = release(f);
  expect(`${f}: none of ${managed.join(", ")} (payments and mail off)`, !managed.some((n) => r.names.includes(n)), r.names.join(" "));
  expect(`${f}: NetworkPolicy egress is DNS, 5432 and 443 only (no SMTP rule)`,
    r.egress.length === 3 && eq(r.egress.map((rule) => rule.ports.map((p) => p.port)), [[53, 53], [5432], [443]]));
}

const on = release("payments-mail");
expect("on: PUBLIC_BASE_URL=https://tickets.example.com", on.get("PUBLIC_BASE_URL")?.value === "https://tickets.example.com");
expect("on: STRIPE_SECRET_KEY from Secret backend-stripe key STRIPE_SECRET_KEY",
  fromSecret(on.get("STRIPE_SECRET_KEY"), "backend-stripe", "STRIPE_SECRET_KEY"), JSON.stringify(on.get("STRIPE_SECRET_KEY")));
expect("on: STRIPE_WEBHOOK_SECRET from Secret backend-stripe key STRIPE_WEBHOOK_SECRET",
  fromSecret(on.get("STRIPE_WEBHOOK_SECRET"), "backend-stripe", "STRIPE_WEBHOOK_SECRET"), JSON.stringify(on.get("STRIPE_WEBHOOK_SECRET")));
expect("on: SMTP_URL from Secret backend-smtp key SMTP_URL (mail.smtpSecretKey's default)",
  fromSecret(on.get("SMTP_URL"), "backend-smtp", "SMTP_URL"), JSON.stringify(on.get("SMTP_URL")));
expect("on: MAIL_FROM=tickets@example.com", on.get("MAIL_FROM")?.value === "tickets@example.com");
expect("on: each variable once, DB_POOL_SIZE of the env list still there",
  managed.every((n) => on.names.filter((x) => x === n).length === 1) && on.get("DB_POOL_SIZE")?.value === "30");
expect("on: not STRIPE_API_BASE, not SMTP_CA_FILE", !on.names.includes("STRIPE_API_BASE") && !on.names.includes("SMTP_CA_FILE"));
expect("on: NetworkPolicy egress to TCP 587 from any address (mail.smtpPort's default)",
  eq(smtpRules(on), [{ ports: [{ port: 587, protocol: "TCP" }] }]), JSON.stringify(smtpRules(on)));
expect("on: the other egress rules as in the dev render", eq(baseEgress(on), dev.egress));
expect("on: the NetworkPolicy's ingress as in the dev render", eq(on.np?.spec.ingress, dev.np?.spec.ingress));
const withoutEnv = (d) => { const c = structuredClone(d); c.spec.template.spec.containers[0].env = []; return c; };
expect("on: the Deployment as in the dev render but for these variables",
  eq(on.env.filter((e) => !managed.includes(e.name)), dev.env) && eq(withoutEnv(on.deploy), withoutEnv(dev.deploy)));
const others = (r) => r.objects.filter((o) => o.kind !== "Deployment" && o.kind !== "NetworkPolicy");
expect("on: every other object as in the dev render", eq(others(on), others(dev)));
expect("on: no Secret in the chart (the Secrets are made beforehand)", !on.objects.some((o) => o.kind === "Secret"));

const pay = release("payments");
expect("payments only: both Stripe variables, no SMTP_URL or MAIL_FROM",
  fromSecret(pay.get("STRIPE_SECRET_KEY"), "backend-stripe", "STRIPE_SECRET_KEY") &&
  fromSecret(pay.get("STRIPE_WEBHOOK_SECRET"), "backend-stripe", "STRIPE_WEBHOOK_SECRET") &&
  !pay.names.includes("SMTP_URL") && !pay.names.includes("MAIL_FROM"));
expect("payments only: no SMTP egress rule (443 reaches Stripe)", eq(pay.egress, dev.egress));

const mail = release("mail");
expect("mail only: SMTP_URL from Secret tickets-mail key url, MAIL_FROM, no Stripe variables",
  fromSecret(mail.get("SMTP_URL"), "tickets-mail", "url") && mail.get("MAIL_FROM")?.value === "shop@tickets.example.org" &&
  !mail.names.includes("STRIPE_SECRET_KEY") && !mail.names.includes("STRIPE_WEBHOOK_SECRET"),
  JSON.stringify(mail.env.filter((e) => managed.includes(e.name))));
expect("mail only: NetworkPolicy egress to TCP 465 in 203.0.113.0/24 (mail.smtpPort, mail.smtpCidr)",
  eq(smtpRules(mail), [{ ports: [{ port: 465, protocol: "TCP" }], to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] }]),
  JSON.stringify(smtpRules(mail)));
expect("mail only: the other egress rules as in the dev render", eq(baseEgress(mail), dev.egress));

console.log(`payments-mail: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
