// A tiny evaluator for the part of Terraform's language that names are built from: string
// templates whose interpolations are var.x, local.x or module.m.o, followed across module
// calls. Anything else (function calls, resource attributes) is "unknown until apply" and
// stops the evaluation, so a check that needs a value cannot be satisfied by accident.
import path from "node:path";

export class Unresolved extends Error {}

/** A module instance: the module's declarations plus the arguments of the call to it. */
export class Scope {
  constructor(tree, mod, args = null, parent = null, callName = "root") {
    this.tree = tree;
    this.mod = mod;
    this.args = args;
    this.parent = parent;
    this.callName = callName;
  }

  /** The scope of `module "name"` called from this one, or null. */
  child(name) {
    const call = this.mod.modules[name];
    if (!call || typeof call.source !== "string") return null;
    const dir = path.posix.normalize(path.posix.join(this.mod.dir, call.source));
    const mod = this.tree.modules.get(dir);
    return mod ? new Scope(this.tree, mod, call, this, name) : null;
  }

  /** This scope and every module instance below it. */
  *all() {
    yield this;
    for (const name of Object.keys(this.mod.modules)) {
      const c = this.child(name);
      if (c) yield* c.all();
    }
  }

  get label() {
    const names = [];
    for (let s = this; s; s = s.parent) names.unshift(s.parent ? `module.${s.callName}` : s.mod.dir);
    return names.join(" > ");
  }
}

/** Splits "a-${x}-b" into [{lit:"a-"},{expr:"x"},{lit:"-b"}], honouring nested braces and strings. */
export function splitTemplate(s) {
  const parts = [];
  let i = 0;
  let lit = "";
  while (i < s.length) {
    if (s.startsWith("$${", i)) {
      lit += "${";
      i += 3;
    } else if (s.startsWith("${", i)) {
      if (lit) parts.push({ lit });
      lit = "";
      let depth = 1;
      let j = i + 2;
      let inString = false;
      while (j < s.length && depth > 0) {
        const c = s[j];
        if (inString) {
          if (c === "\\") j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{") depth++;
        else if (c === "}") depth--;
        j++;
      }
      if (depth !== 0) throw new Unresolved(`unbalanced template: ${s}`);
      parts.push({ expr: s.slice(i + 2, j - 1).trim() });
      i = j;
    } else {
      lit += s[i++];
    }
  }
  if (lit || parts.length === 0) parts.push({ lit });
  return parts;
}

const MAX_DEPTH = 32;

/** The value of an attribute, or throws Unresolved. Non-strings are literals already. */
export function resolve(value, scope, depth = 0) {
  if (depth > MAX_DEPTH) throw new Unresolved("reference cycle");
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope, depth + 1));
  if (typeof value !== "string") return value;
  const parts = splitTemplate(value);
  if (parts.length === 1 && parts[0].expr !== undefined) return resolveExpr(parts[0].expr, scope, depth);
  return parts.map((p) => (p.expr === undefined ? p.lit : String(resolveExpr(p.expr, scope, depth)))).join("");
}

function resolveExpr(expr, scope, depth) {
  let m;
  if ((m = /^var\.([\w-]+)$/.exec(expr))) {
    const name = m[1];
    const decl = scope.mod.variables[name];
    if (!decl) throw new Unresolved(`var.${name} is not declared in ${scope.mod.dir}`);
    if (scope.args && Object.hasOwn(scope.args, name)) return resolve(scope.args[name], scope.parent, depth + 1);
    if (Object.hasOwn(decl, "default")) return resolve(decl.default, scope, depth + 1);
    throw new Unresolved(`var.${name} has no value in ${scope.label}`);
  }
  if ((m = /^local\.([\w-]+)$/.exec(expr))) {
    if (!Object.hasOwn(scope.mod.locals, m[1])) throw new Unresolved(`local.${m[1]} is not defined`);
    return resolve(scope.mod.locals[m[1]], scope, depth + 1);
  }
  if ((m = /^module\.([\w-]+)\.([\w-]+)$/.exec(expr))) {
    const child = scope.child(m[1]);
    const out = child?.mod.outputs[m[2]];
    if (!out) throw new Unresolved(`module.${m[1]}.${m[2]} does not exist`);
    return resolve(out.value, child, depth + 1);
  }
  if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
  if (expr === "true" || expr === "false") return expr === "true";
  if ((m = /^"([^"\\$%]*)"$/.exec(expr))) return m[1];
  throw new Unresolved(`cannot evaluate ${expr}`);
}

/** Like resolve, but returns undefined instead of throwing. */
export function tryResolve(value, scope) {
  try {
    return resolve(value, scope);
  } catch (e) {
    if (e instanceof Unresolved) return undefined;
    throw e;
  }
}

/**
 * Follows an attribute that is exactly one var.x or module.m.o across module boundaries to
 * the expression that finally produces it, e.g. var.allowed_security_group_id in the RDS
 * module -> module.eks.cluster_security_group_id in the environment ->
 * aws_eks_cluster.this.vpc_config[0].cluster_security_group_id in the EKS module.
 */
export function trace(value, scope, depth = 0) {
  if (depth > MAX_DEPTH || typeof value !== "string") return { expr: value, scope };
  const parts = splitTemplate(value);
  if (parts.length !== 1 || parts[0].expr === undefined) return { expr: value, scope };
  const expr = parts[0].expr;
  let m;
  if ((m = /^var\.([\w-]+)$/.exec(expr)) && scope.args && Object.hasOwn(scope.args, m[1])) {
    return trace(scope.args[m[1]], scope.parent, depth + 1);
  }
  if ((m = /^local\.([\w-]+)$/.exec(expr)) && Object.hasOwn(scope.mod.locals, m[1])) {
    return trace(scope.mod.locals[m[1]], scope, depth + 1);
  }
  if ((m = /^module\.([\w-]+)\.([\w-]+)$/.exec(expr))) {
    const child = scope.child(m[1]);
    const out = child?.mod.outputs[m[2]];
    if (out) return trace(out.value, child, depth + 1);
  }
  return { expr, scope };
}
