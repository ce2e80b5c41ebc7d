// Reads every .tf file under the infra root with HashiCorp's own HCL parser (compiled to
// WebAssembly in @cdktf/hcl2json) and groups the blocks by directory, i.e. by Terraform
// module. A file that does not parse is an error, as it would be for `terraform init`.
import fs from "node:fs";
import path from "node:path";
import { parse, getReferencesInExpression } from "@cdktf/hcl2json";

const SKIP_DIRS = new Set(["node_modules", ".terraform", "tests"]);

function walk(root, rel = "") {
  const out = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) out.push(...walk(root, child));
    } else if (entry.name.endsWith(".tf")) {
      out.push(child);
    }
  }
  return out;
}

function newModule(dir) {
  return {
    dir,
    files: {}, // file name -> source text
    variables: {},
    outputs: {},
    locals: {},
    modules: {},
    resources: {},
    data: {},
    providers: [],
    terraform: [],
  };
}

// hcl2json gives labelled blocks as { label: [body, ...] }; Terraform allows one per label.
function single(errors, where, bodies) {
  if (bodies.length !== 1) errors.push(`${where}: declared ${bodies.length} times`);
  return bodies[0];
}

function addLabelled(errors, target, file, kind, blocks) {
  for (const [name, bodies] of Object.entries(blocks ?? {})) {
    if (Object.hasOwn(target, name)) {
      errors.push(`${file}: ${kind} "${name}" declared twice in one module`);
      continue;
    }
    target[name] = { ...single(errors, `${file}: ${kind} "${name}"`, bodies), __file: file };
  }
}

function addTyped(errors, target, file, kind, blocks) {
  for (const [type, byName] of Object.entries(blocks ?? {})) {
    target[type] ??= {};
    addLabelled(errors, target[type], file, `${kind} ${type}`, byName);
  }
}

/**
 * Loads the tree. `overrides` maps a path relative to root to replacement text (used by the
 * negative tests to break one file without touching the disk).
 */
export async function loadTree(root, overrides = {}) {
  const errors = [];
  const paths = new Set(walk(root));
  for (const p of Object.keys(overrides)) if (p.endsWith(".tf")) paths.add(p);
  const modules = new Map();
  for (const rel of [...paths].sort()) {
    const text = Object.hasOwn(overrides, rel)
      ? overrides[rel]
      : fs.readFileSync(path.join(root, rel), "utf8");
    if (text === null) continue; // an override of null deletes the file
    const dir = path.posix.dirname(rel);
    const mod = modules.get(dir) ?? newModule(dir);
    modules.set(dir, mod);
    const file = path.posix.basename(rel);
    mod.files[file] = text;
    let json;
    try {
      json = await parse(rel, text);
    } catch (e) {
      errors.push(`${rel}: does not parse: ${String(e.message ?? e).trim()}`);
      continue;
    }
    const known = new Set(["variable", "output", "locals", "module", "resource", "data", "provider", "terraform"]);
    for (const key of Object.keys(json)) {
      if (!known.has(key)) errors.push(`${rel}: unexpected top-level block "${key}"`);
    }
    addLabelled(errors, mod.variables, rel, "variable", json.variable);
    addLabelled(errors, mod.outputs, rel, "output", json.output);
    addLabelled(errors, mod.modules, rel, "module", json.module);
    addTyped(errors, mod.resources, rel, "resource", json.resource);
    addTyped(errors, mod.data, rel, "data", json.data);
    for (const block of json.locals ?? []) {
      for (const [name, value] of Object.entries(block)) {
        if (Object.hasOwn(mod.locals, name)) errors.push(`${rel}: local "${name}" defined twice`);
        mod.locals[name] = value;
      }
    }
    for (const [name, bodies] of Object.entries(json.provider ?? {})) {
      for (const body of bodies) mod.providers.push({ name, body, file: rel });
    }
    for (const block of json.terraform ?? []) mod.terraform.push({ ...block, __file: rel });
  }
  return { modules, errors };
}

const refCache = new Map();

/** The references (var.x, local.y, module.m.o, aws_x.y.z, ...) in one attribute value. */
export async function referencesIn(value) {
  if (typeof value !== "string" || !value.includes("${")) return [];
  if (!refCache.has(value)) {
    const refs = await getReferencesInExpression("expr.tf", value);
    refCache.set(value, refs.map((r) => r.value));
  }
  return refCache.get(value);
}

/** Every string inside a block body, with a readable path; `skip` drops keys by path. */
export function* stringsIn(node, where, skip = () => false) {
  if (typeof node === "string") {
    yield { value: node, where };
  } else if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* stringsIn(item, `${where}[${i}]`, skip);
  } else if (node && typeof node === "object") {
    for (const [key, item] of Object.entries(node)) {
      if (key === "__file") continue;
      const child = `${where}.${key}`;
      if (skip(child, key)) continue;
      // A literal object whose keys are templates comes through with the template as key.
      if (key.includes("${")) yield { value: key, where: `${where}[key]` };
      yield* stringsIn(item, child, skip);
    }
  }
}
