// Validates every object of a rendered YAML stream against the Kubernetes API schemas.
//
//   node validate.mjs FILE...     (exit 1 on any error, one line per error)
//
// Core kinds: the models of @kubernetes/client-node 1.1.2, generated from the OpenAPI spec of
// Kubernetes v1.32.0: every field name and type, and the required fields. Strict: a field the
// API does not know is an error (the API server drops or refuses it; either way it is a bug).
// Custom resources: the validators of @kubernetes-models/prometheus-operator and
// @kubernetes-models/external-secrets, compiled from the operators' CRD schemas (types,
// required fields, enums, patterns; they do not reject unknown fields).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import yaml from "js-yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, "node_modules");
const modelsDir = path.join(modules, "@kubernetes/client-node/dist/gen/models");

// group/version + kind -> model of the client (the chart's kinds and their near relatives).
const coreKinds = {
  "v1/ConfigMap": "V1ConfigMap", "v1/Secret": "V1Secret", "v1/Service": "V1Service",
  "v1/ServiceAccount": "V1ServiceAccount", "v1/Namespace": "V1Namespace", "v1/Pod": "V1Pod",
  "apps/v1/Deployment": "V1Deployment", "apps/v1/StatefulSet": "V1StatefulSet",
  "autoscaling/v2/HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget": "V1PodDisruptionBudget",
  "networking.k8s.io/v1/Ingress": "V1Ingress", "networking.k8s.io/v1/NetworkPolicy": "V1NetworkPolicy",
  "batch/v1/Job": "V1Job",
};
const crdKinds = {
  "monitoring.coreos.com/v1/ServiceMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor.js",
  "monitoring.coreos.com/v1/PrometheusRule": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule.js",
  "external-secrets.io/v1/ExternalSecret": "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret.js",
  "external-secrets.io/v1beta1/ExternalSecret": "@kubernetes-models/external-secrets/external-secrets.io/v1beta1/ExternalSecret.js",
};
const clusterScoped = new Set(["Namespace"]);

const models = new Map();
async function model(name) {
  if (!models.has(name)) {
    const file = path.join(modelsDir, `${name}.js`);
    if (!fs.existsSync(file)) throw new Error(`no schema for type ${name}`);
    const cls = (await import(pathToFileURL(file).href))[name];
    // The declaration file marks optional fields with `?`; the others are required.
    const decl = fs.readFileSync(path.join(modelsDir, `${name}.d.ts`), "utf8");
    const required = [...decl.matchAll(/^\s+'([^']+)':/gm)].map((m) => m[1]);
    models.set(name, { attrs: new Map(cls.attributeTypeMap.map((a) => [a.baseName, a])), required });
  }
  return models.get(name);
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

async function check(value, type, format, where, errors) {
  if (value === null || value === undefined) {
    errors.push(`${where}: null where ${type} is expected`);
    return;
  }
  let m;
  if (type === "any" || type === "object") return;
  if (type === "string" || type === "Date" || type === "V1MicroTime") {
    if (typeof value !== "string") errors.push(`${where}: must be a string, is ${JSON.stringify(value)}`);
  } else if (type === "number") {
    if (typeof value !== "number") errors.push(`${where}: must be a number, is ${JSON.stringify(value)}`);
    else if (format.startsWith("int") && !Number.isInteger(value)) errors.push(`${where}: must be an integer`);
  } else if (type === "boolean") {
    if (typeof value !== "boolean") errors.push(`${where}: must be a boolean, is ${JSON.stringify(value)}`);
  } else if (type === "IntOrString") {
    if (!Number.isInteger(value) && typeof value !== "string") errors.push(`${where}: must be an integer or a string`);
  } else if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return errors.push(`${where}: must be a list`);
    for (const [i, item] of value.entries()) await check(item, m[1], "", `${where}[${i}]`, errors);
  } else if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (!isObject(value)) return errors.push(`${where}: must be a map`);
    for (const [k, v] of Object.entries(value)) await check(v, m[1], "", `${where}.${k}`, errors);
  } else {
    const spec = await model(type);
    if (!isObject(value)) return errors.push(`${where}: must be an object (${type})`);
    for (const field of spec.required) {
      if (!(field in value)) errors.push(`${where}.${field}: required field missing (${type})`);
    }
    for (const [k, v] of Object.entries(value)) {
      const attr = spec.attrs.get(k);
      if (!attr) errors.push(`${where}.${k}: unknown field (${type})`);
      else await check(v, attr.type, attr.format, `${where}.${k}`, errors);
    }
  }
}

// What the API server checks beyond the schema, for the fields every object has.
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
function checkMeta(obj, where, errors) {
  const meta = obj.metadata || {};
  const name = meta.name || "";
  if (!dns1123Subdomain.test(name) || name.length > 253) errors.push(`${where}.metadata.name: ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  if (obj.kind === "Service" && (!dns1035Label.test(name) || name.length > 63)) errors.push(`${where}.metadata.name: a Service name must be a DNS-1035 label`);
  if (!clusterScoped.has(obj.kind) && !meta.namespace) errors.push(`${where}.metadata.namespace: missing`);
  for (const [k, v] of Object.entries(meta.labels || {})) {
    if (!labelKey.test(k)) errors.push(`${where}.metadata.labels: bad key ${JSON.stringify(k)}`);
    if (typeof v !== "string" || v.length > 63 || !labelValue.test(v)) errors.push(`${where}.metadata.labels.${k}: bad value ${JSON.stringify(v)}`);
  }
}

export async function validateObject(obj) {
  const errors = [];
  if (!isObject(obj)) return ["document is not an object"];
  const gvk = `${obj.apiVersion}/${obj.kind}`;
  const where = `${obj.kind}/${obj.metadata?.name}`;
  checkMeta(obj, where, errors);
  if (coreKinds[gvk]) {
    await check(obj, coreKinds[gvk], "", where, errors);
  } else if (crdKinds[gvk]) {
    const mod = await import(pathToFileURL(path.join(modules, crdKinds[gvk])).href);
    try {
      new mod[obj.kind](obj).validate();
    } catch (e) {
      errors.push(`${where}: ${e.message}`);
    }
  } else {
    errors.push(`${where}: no schema for ${gvk}`);
  }
  return errors;
}

async function main(files) {
  let failed = 0, objects = 0;
  for (const file of files) {
    const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
    for (const doc of docs) {
      objects++;
      const errors = await validateObject(doc);
      for (const e of errors) console.log(`${path.basename(file)}: ${e}`);
      if (errors.length) failed++;
    }
  }
  console.log(`validate: ${objects} objects, ${failed} invalid (Kubernetes v1.32.0 schemas)`);
  return failed || objects === 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
