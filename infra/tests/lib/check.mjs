// The checks: the Terraform is consistent (what `terraform validate` would say about module
// calls and references) and it says what the runbook and the platform need.
import path from "node:path";
import { loadTree, referencesIn, stringsIn } from "./load.mjs";
import { Scope, resolve, tryResolve, trace, Unresolved } from "./resolve.mjs";
import { checkFormat } from "./format.mjs";

const META_ARGS = new Set(["source", "version", "count", "for_each", "providers", "depends_on", "__file"]);
const IGNORED_ROOTS = new Set(["each", "count", "self", "path", "terraform"]);
const REQUIRED_OUTPUTS = [
  "cluster_name",
  "region",
  "aws_account_id",
  "ecr_repository_url",
  "backend_role_arn",
  "db_endpoint",
  "db_secret_name",
];

class Report {
  constructor() {
    this.errors = [];
    this.passed = 0;
  }

  expect(ok, message) {
    if (ok) this.passed++;
    else this.errors.push(message);
    return ok;
  }
}

const providerOf = (type) => type.split("_")[0];
const first = (block) => (Array.isArray(block) ? block[0] : block);

// --- consistency of every module ----------------------------------------------------------

async function checkReferences(r, tree, mod) {
  const providerPrefixes = new Set(
    [...Object.keys(mod.resources), ...Object.keys(mod.data)].map(providerOf).concat(["aws", "random", "tls"]),
  );
  const blocks = [
    ["variable", mod.variables],
    ["output", mod.outputs],
    ["module", mod.modules],
    ["locals", { locals: mod.locals }],
  ];
  for (const [type, byName] of Object.entries(mod.resources)) blocks.push([`resource ${type}`, byName]);
  for (const [type, byName] of Object.entries(mod.data)) blocks.push([`data ${type}`, byName]);
  mod.providers.forEach((p, i) => blocks.push([`provider`, { [`${p.name}#${i}`]: p.body }]));

  const usedVars = new Set();
  for (const [kind, byName] of blocks) {
    for (const [name, body] of Object.entries(byName)) {
      const where = `${mod.dir}: ${kind} "${name}"`;
      // A variable's type constraint is not an expression with references.
      const skip = (_p, key) => kind === "variable" && key === "type";
      // Names that a dynamic block introduces as its iterator.
      const iterators = new Set(Object.keys(body?.dynamic ?? {}));
      for (const { value, where: at } of stringsIn(body, where, skip)) {
        let refs;
        try {
          refs = await referencesIn(value);
        } catch (e) {
          r.expect(false, `${at}: invalid expression: ${e.message ?? e}`);
          continue;
        }
        for (const ref of refs) {
          const seg = ref.split(".");
          const [root] = seg;
          if (IGNORED_ROOTS.has(root) || iterators.has(root)) continue;
          if (root === "var") {
            usedVars.add(seg[1]);
            r.expect(Object.hasOwn(mod.variables, seg[1]), `${at}: var.${seg[1]} is not declared in ${mod.dir}`);
          } else if (root === "local") {
            r.expect(Object.hasOwn(mod.locals, seg[1]), `${at}: local.${seg[1]} is not defined in ${mod.dir}`);
          } else if (root === "module") {
            const call = mod.modules[seg[1]];
            if (!r.expect(call, `${at}: module.${seg[1]} is not called in ${mod.dir}`)) continue;
            const target = tree.modules.get(path.posix.normalize(path.posix.join(mod.dir, String(call.source))));
            if (target && seg[2] !== undefined) {
              r.expect(
                Object.hasOwn(target.outputs, seg[2]),
                `${at}: module.${seg[1]}.${seg[2]} is not an output of ${target.dir}`,
              );
            }
          } else if (root === "data") {
            r.expect(mod.data[seg[1]]?.[seg[2]], `${at}: data.${seg[1]}.${seg[2]} is not declared in ${mod.dir}`);
          } else if (providerPrefixes.has(providerOf(root)) && root.includes("_")) {
            r.expect(mod.resources[root]?.[seg[1]], `${at}: ${root}.${seg[1]} is not declared in ${mod.dir}`);
          }
        }
      }
    }
  }
  // A variable nothing reads is an argument a caller sets for no effect.
  for (const name of Object.keys(mod.variables)) {
    r.expect(usedVars.has(name), `${mod.dir}: variable "${name}" is declared but never used`);
  }
}

function checkModuleCalls(r, tree, mod) {
  for (const [name, call] of Object.entries(mod.modules)) {
    const where = `${mod.dir}: module "${name}"`;
    const source = call.source;
    if (!r.expect(typeof source === "string" && /^\.\.?\//.test(source), `${where}: source must be a local path (./ or ../), got ${source}`)) continue;
    const dir = path.posix.normalize(path.posix.join(mod.dir, source));
    const target = tree.modules.get(dir);
    if (!r.expect(target, `${where}: source ${source} is not a module under infra/ (${dir})`)) continue;
    for (const arg of Object.keys(call)) {
      if (META_ARGS.has(arg)) continue;
      r.expect(Object.hasOwn(target.variables, arg), `${where}: argument "${arg}" is not a variable of ${dir}`);
    }
    for (const [v, decl] of Object.entries(target.variables)) {
      if (!Object.hasOwn(decl, "default")) {
        r.expect(Object.hasOwn(call, v), `${where}: required variable "${v}" of ${dir} is not given`);
      }
    }
  }
}

function requiredProviders(mod) {
  const out = {};
  for (const t of mod.terraform) for (const block of t.required_providers ?? []) Object.assign(out, block);
  return out;
}

function checkProviders(r, tree, mod, isRoot) {
  const where = `${mod.dir}`;
  const req = requiredProviders(mod);
  const used = new Set([...Object.keys(mod.resources), ...Object.keys(mod.data)].map(providerOf));
  if (isRoot) {
    // A root needs every provider its modules need, so that the lock file pins them all.
    for (const scope of new Scope(tree, mod).all()) {
      for (const p of Object.keys(requiredProviders(scope.mod))) used.add(p);
    }
  }
  const version = mod.terraform.map((t) => t.required_version).find(Boolean);
  r.expect(typeof version === "string" && /\d/.test(version), `${where}: terraform.required_version is not set`);
  for (const p of used) {
    const spec = req[p];
    if (!r.expect(spec, `${where}: provider "${p}" is used but not in required_providers`)) continue;
    r.expect(spec.source === `hashicorp/${p}`, `${where}: provider "${p}" must have source hashicorp/${p}`);
    r.expect(typeof spec.version === "string" && /~>\s*\d/.test(spec.version), `${where}: provider "${p}" version must be pinned with ~> (got ${spec.version})`);
  }
  if (req.aws) r.expect(/^~>\s*5\.\d+/.test(req.aws.version ?? ""), `${where}: hashicorp/aws must be pinned to ~> 5.x (got ${req.aws.version})`);
}

// --- the environment's promises ------------------------------------------------------------

/** Every resource of `type` in the environment and its modules, with the scope it lives in. */
function resourcesOf(root, type, kind = "resources") {
  const found = [];
  for (const scope of root.all()) {
    for (const [name, body] of Object.entries(scope.mod[kind][type] ?? {})) found.push({ name, body, scope });
  }
  return found;
}

function value(r, where, attr, body, scope) {
  try {
    return resolve(body[attr], scope);
  } catch (e) {
    if (!(e instanceof Unresolved)) throw e;
    r.expect(false, `${where}: ${attr} cannot be evaluated (${e.message})`);
    return undefined;
  }
}

function one(r, env, type, list) {
  r.expect(list.length === 1, `${env}: expected exactly one ${type}, found ${list.length}`);
  return list[0];
}

function checkRds(r, root, envName, env) {
  const name = `tickets-${envName}`;
  const mainRds = root.mod.modules.rds;
  r.expect(mainRds && mainRds.__file === `${env}/main.tf`, `${env}/main.tf: module "rds" is missing`);
  if (envName === "dev") {
    r.expect(mainRds?.instance_class === "db.t4g.micro", `${env}/main.tf: module "rds" must say instance_class = "db.t4g.micro" (got ${mainRds?.instance_class})`);
  }
  const db = one(r, env, "aws_db_instance", resourcesOf(root, "aws_db_instance"));
  if (!db) return;
  const where = `${db.scope.label}: aws_db_instance.${db.name}`;
  const v = (attr) => value(r, where, attr, db.body, db.scope);
  r.expect(v("identifier") === `${name}-db`, `${where}: identifier must be ${name}-db (got ${tryResolve(db.body.identifier, db.scope)})`);
  const cls = v("instance_class");
  if (envName === "prod") r.expect(typeof cls === "string" && !/^db\.t/.test(cls), `${where}: prod needs a non-burstable instance class (got ${cls})`);
  r.expect(v("engine") === "postgres", `${where}: engine must be postgres`);
  r.expect(/^15(\.|$)/.test(String(v("engine_version"))), `${where}: engine_version must be PostgreSQL 15`);
  r.expect(v("storage_encrypted") === true, `${where}: storage_encrypted must be true`);
  r.expect(/^\$\{aws_kms_key\.|^\$\{var\./.test(String(db.body.kms_key_id ?? "")), `${where}: kms_key_id must name a KMS key`);
  const retention = v("backup_retention_period");
  r.expect(typeof retention === "number" && retention > 0, `${where}: backup_retention_period must be > 0 (got ${retention})`);
  r.expect(v("publicly_accessible") === false, `${where}: publicly_accessible must be false`);
  r.expect(v("performance_insights_enabled") === true, `${where}: performance_insights_enabled must be true (the runbook reads Performance Insights)`);
  if (envName === "prod") {
    r.expect(v("deletion_protection") === true, `${where}: prod needs deletion_protection = true`);
    r.expect(v("multi_az") === true, `${where}: prod needs multi_az = true`);
    r.expect(v("skip_final_snapshot") === false, `${where}: prod must take a final snapshot`);
  }

  // Parameter group: family postgres15 and TLS forced.
  const pgRef = /^\$\{aws_db_parameter_group\.([\w-]+)\.(name|id)\}$/.exec(String(db.body.parameter_group_name ?? ""));
  const pg = pgRef && db.scope.mod.resources.aws_db_parameter_group?.[pgRef[1]];
  if (r.expect(pg, `${where}: parameter_group_name must name an aws_db_parameter_group of the module`)) {
    r.expect(pg.family === "postgres15", `${where}: parameter group family must be postgres15`);
    const params = Object.fromEntries((pg.parameter ?? []).map((p) => [p.name, p.value]));
    r.expect(String(params["rds.force_ssl"]) === "1", `${where}: parameter group must set rds.force_ssl = 1`);
    r.expect(Object.hasOwn(params, "log_min_duration_statement"), `${where}: parameter group must set log_min_duration_statement`);
  }

  // Network exposure: 5432 from the cluster security group, nothing else.
  const sgIds = db.body.vpc_security_group_ids;
  const sgRef = Array.isArray(sgIds) && sgIds.length === 1 && /^\$\{aws_security_group\.([\w-]+)\.id\}$/.exec(sgIds[0]);
  const sgName = sgRef?.[1];
  r.expect(sgName && db.scope.mod.resources.aws_security_group?.[sgName], `${where}: vpc_security_group_ids must be [aws_security_group.<x>.id] of the module`);
  const text = JSON.stringify(db.scope.mod.resources) + JSON.stringify(db.scope.mod.locals);
  r.expect(!/0\.0\.0\.0\/0|::\/0/.test(text), `${db.scope.label}: the RDS module must not mention 0.0.0.0/0 or ::/0`);
  const sg = db.scope.mod.resources.aws_security_group?.[sgName];
  r.expect(!sg?.ingress, `${where}: the database security group must have no inline ingress (one rule resource, checked)`);
  const rules = Object.entries(db.scope.mod.resources.aws_vpc_security_group_ingress_rule ?? {});
  r.expect(!db.scope.mod.resources.aws_security_group_rule, `${db.scope.label}: use aws_vpc_security_group_ingress_rule, not aws_security_group_rule`);
  r.expect(rules.length > 0, `${db.scope.label}: no ingress rule for PostgreSQL`);
  for (const [ruleName, rule] of rules) {
    const at = `${db.scope.label}: aws_vpc_security_group_ingress_rule.${ruleName}`;
    r.expect(rule.security_group_id === `\${aws_security_group.${sgName}.id}`, `${at}: must belong to the database security group`);
    r.expect(rule.from_port === 5432 && rule.to_port === 5432 && rule.ip_protocol === "tcp", `${at}: must allow tcp 5432 only`);
    for (const a of ["cidr_ipv4", "cidr_ipv6", "prefix_list_id"]) r.expect(!Object.hasOwn(rule, a), `${at}: must not use ${a}`);
    const src = trace(rule.referenced_security_group_id, db.scope);
    r.expect(
      /^aws_eks_cluster\.[\w-]+\.vpc_config\[0\]\.cluster_security_group_id$/.test(String(src.expr)),
      `${at}: source must be the EKS cluster security group (traced to ${src.expr})`,
    );
  }
}

function checkEks(r, root, envName, env) {
  const cluster = one(r, env, "aws_eks_cluster", resourcesOf(root, "aws_eks_cluster"));
  if (cluster) {
    const where = `${cluster.scope.label}: aws_eks_cluster.${cluster.name}`;
    r.expect(value(r, where, "name", cluster.body, cluster.scope) === `tickets-${envName}`, `${where}: name must be tickets-${envName} (got ${tryResolve(cluster.body.name, cluster.scope)})`);
    r.expect(/^\$\{var\./.test(String(cluster.body.version)), `${where}: version must come from a variable`);
    const version = value(r, where, "version", cluster.body, cluster.scope);
    const [maj, min] = String(version).split(".").map(Number);
    r.expect(maj === 1 && min >= 32, `${where}: Kubernetes version must be 1.32 or newer (got ${version})`);
  }
  one(r, env, "aws_eks_node_group", resourcesOf(root, "aws_eks_node_group"));
  const oidc = one(r, env, "aws_iam_openid_connect_provider", resourcesOf(root, "aws_iam_openid_connect_provider"));
  if (oidc) {
    const where = `${oidc.scope.label}: aws_iam_openid_connect_provider.${oidc.name}`;
    r.expect(/aws_eks_cluster\.[\w-]+\.identity\[0\]\.oidc\[0\]\.issuer/.test(String(oidc.body.url)), `${where}: url must be the cluster's OIDC issuer`);
    r.expect(JSON.stringify(oidc.body.client_id_list ?? "").includes("sts.amazonaws.com"), `${where}: client_id_list must contain sts.amazonaws.com`);
  }
  // The AWS Load Balancer Controller finds subnets by tags; the cluster tag must name this cluster.
  const subnets = resourcesOf(root, "aws_subnet");
  const net = subnets[0]?.scope;
  if (r.expect(net, `${env}: no aws_subnet`)) {
    const text = JSON.stringify(net.mod.resources.aws_subnet) + JSON.stringify(net.mod.locals);
    for (const tag of ["kubernetes.io/role/elb", "kubernetes.io/role/internal-elb", "kubernetes.io/cluster/${var.cluster_name}"]) {
      r.expect(text.includes(`\\"${tag}\\"`) || text.includes(`"${tag}"`), `${net.label}: subnet tag "${tag}" is missing`);
    }
    r.expect(tryResolve("${var.cluster_name}", net) === `tickets-${envName}`, `${net.label}: cluster_name must be tickets-${envName}`);
    r.expect(tryResolve("${var.az_count}", net) === 3, `${net.label}: subnets must span 3 availability zones`);
  }
}

function checkEcr(r, root, envName, env) {
  const repo = one(r, env, "aws_ecr_repository", resourcesOf(root, "aws_ecr_repository"));
  if (!repo) return;
  const where = `${repo.scope.label}: aws_ecr_repository.${repo.name}`;
  r.expect(value(r, where, "name", repo.body, repo.scope) === "tickets-backend", `${where}: name must be tickets-backend`);
  r.expect(repo.body.image_tag_mutability === "IMMUTABLE", `${where}: tags must be IMMUTABLE`);
  r.expect(first(repo.body.image_scanning_configuration)?.scan_on_push === true, `${where}: scan_on_push must be true`);
  const policies = Object.values(repo.scope.mod.resources.aws_ecr_lifecycle_policy ?? {});
  r.expect(policies.some((p) => /sha-/.test(p.policy) && /imageCountMoreThan/.test(p.policy)), `${where}: needs a lifecycle policy keeping the newest sha-* images`);
}

function policyDocument(r, where, expr, scope) {
  const m = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(`\${${expr}}`) ??
    /^data\.aws_iam_policy_document\.([\w-]+)\.json$/.exec(String(expr));
  const doc = m && scope.mod.data.aws_iam_policy_document?.[m[1]];
  r.expect(doc, `${where}: policy must be a data.aws_iam_policy_document of its module (got ${expr})`);
  return doc;
}

/** An IRSA role: trusted by the cluster's OIDC provider for exactly `subject`, reading one secret. */
function checkIrsaRole(r, root, env, roleName, subject) {
  const roles = resourcesOf(root, "aws_iam_role").filter((x) => tryResolve(x.body.name, x.scope) === roleName);
  const role = one(r, env, `aws_iam_role named ${roleName}`, roles);
  if (role) {
    const where = `${role.scope.label}: aws_iam_role.${role.name}`;
    const assume = trace(role.body.assume_role_policy, role.scope);
    const doc = policyDocument(r, `${where} assume_role_policy`, assume.expr, assume.scope);
    const statements = doc?.statement ?? [];
    r.expect(statements.length === 1, `${where}: trust policy must have one statement`);
    for (const st of statements) {
      r.expect(JSON.stringify(st.actions) === '["sts:AssumeRoleWithWebIdentity"]', `${where}: trust must allow sts:AssumeRoleWithWebIdentity only`);
      r.expect(st.effect === undefined || st.effect === "Allow", `${where}: trust statement must Allow`);
      const principal = first(st.principals);
      r.expect(principal?.type === "Federated", `${where}: trust principal must be Federated`);
      const ids = principal?.identifiers ?? [];
      r.expect(ids.length === 1, `${where}: trust must name one principal`);
      const idp = trace(ids[0], assume.scope);
      r.expect(/^aws_iam_openid_connect_provider\.[\w-]+\.arn$/.test(String(idp.expr)), `${where}: trust principal must be the cluster's OIDC provider (traced to ${idp.expr})`);
      const conditions = st.condition ?? [];
      const sub = conditions.filter((c) => /:sub\}?$/.test(String(c.variable)));
      const aud = conditions.filter((c) => /:aud\}?$/.test(String(c.variable)));
      r.expect(sub.length === 1 && sub[0].test === "StringEquals", `${where}: trust needs one StringEquals condition on :sub`);
      if (sub[0]) {
        const values = tryResolve(sub[0].values, assume.scope);
        r.expect(
          JSON.stringify(values) === JSON.stringify([subject]),
          `${where}: :sub must be exactly ${subject} (got ${JSON.stringify(values)})`,
        );
      }
      r.expect(aud.length === 1 && JSON.stringify(aud[0].values) === '["sts.amazonaws.com"]', `${where}: trust needs :aud = sts.amazonaws.com`);
    }
    // Permissions: one inline policy, reading the one secret.
    const rm = role.scope.mod.resources;
    r.expect(!rm.aws_iam_role_policy_attachment, `${role.scope.label}: the role must not attach managed policies`);
    const inline = Object.entries(rm.aws_iam_role_policy ?? {});
    r.expect(inline.length === 1, `${role.scope.label}: the role needs exactly one inline policy`);
    for (const [pn, p] of inline) {
      const at = `${role.scope.label}: aws_iam_role_policy.${pn}`;
      r.expect(p.role === `\${aws_iam_role.${role.name}.id}` || p.role === `\${aws_iam_role.${role.name}.name}`, `${at}: must attach to its role`);
      const src = trace(p.policy, role.scope);
      const pdoc = policyDocument(r, at, src.expr, src.scope);
      for (const st of pdoc?.statement ?? []) {
        const actions = st.actions ?? [];
        r.expect(st.effect === undefined || st.effect === "Allow", `${at}: only Allow statements`);
        r.expect(
          actions.length > 0 && actions.every((a) => a === "secretsmanager:GetSecretValue" || a === "secretsmanager:DescribeSecret"),
          `${at}: may only read secrets (got ${JSON.stringify(actions)})`,
        );
        const res = st.resources ?? [];
        r.expect(
          res.length === 1 && /^\$\{aws_secretsmanager_secret\.[\w-]+\.arn\}$/.test(res[0]),
          `${at}: resources must be exactly the secret's ARN (got ${JSON.stringify(res)})`,
        );
      }
    }
  }
}

function checkIrsaAndSecret(r, root, envName, env) {
  const name = `tickets-${envName}`;
  checkIrsaRole(r, root, env, `${name}-backend`, `system:serviceaccount:${name}:backend`);
  // The chart's ClusterSecretStore runs as the External Secrets Operator's controller.
  checkIrsaRole(r, root, env, `${name}-external-secrets`, "system:serviceaccount:external-secrets:external-secrets");
  for (const [out, roleName] of [["backend_role_arn", `${name}-backend`], ["external_secrets_role_arn", `${name}-external-secrets`]]) {
    const t = trace(root.mod.outputs[out]?.value, root);
    const m = /^aws_iam_role\.([\w-]+)\.arn$/.exec(String(t.expr));
    const role = m && t.scope.mod.resources.aws_iam_role?.[m[1]];
    r.expect(role && tryResolve(role.name, t.scope) === roleName, `${env}: output ${out} must be the ARN of role ${roleName} (traced to ${t.expr} in ${t.scope.label})`);
  }

  const secret = one(r, env, "aws_secretsmanager_secret", resourcesOf(root, "aws_secretsmanager_secret"));
  if (secret) {
    const where = `${secret.scope.label}: aws_secretsmanager_secret.${secret.name}`;
    r.expect(value(r, where, "name", secret.body, secret.scope) === `${name}/backend-db`, `${where}: name must be ${name}/backend-db (got ${tryResolve(secret.body.name, secret.scope)})`);
  }
  const version = one(r, env, "aws_secretsmanager_secret_version", resourcesOf(root, "aws_secretsmanager_secret_version"));
  if (version) {
    const where = `${version.scope.label}: aws_secretsmanager_secret_version.${version.name}`;
    const m = /^postgres:\/\/\$\{([^}]+)\}:\$\{([^}]+)\}@\$\{([^}]+)\}:\$\{([^}]+)\}\/\$\{([^}]+)\}\?sslmode=require$/.exec(String(version.body.secret_string));
    if (r.expect(m, `${where}: secret_string must be postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=require (got ${version.body.secret_string})`)) {
      const expected = [
        ["user", /^aws_db_instance\.[\w-]+\.username$/],
        ["password", /^random_password\.[\w-]+\.result$/],
        ["host", /^aws_db_instance\.[\w-]+\.address$/],
        ["port", /^aws_db_instance\.[\w-]+\.port$|^5432$/],
        ["database", /^aws_db_instance\.[\w-]+\.db_name$/],
      ];
      expected.forEach(([part, re], i) => {
        const t = trace(`\${${m[i + 1]}}`, version.scope);
        r.expect(re.test(String(t.expr)), `${where}: the URL's ${part} must come from ${re.source} (traced to ${t.expr})`);
      });
    }
  }
}

function checkEnvFiles(r, root, env) {
  const mod = root.mod;
  for (const o of REQUIRED_OUTPUTS) r.expect(Object.hasOwn(mod.outputs, o), `${env}: output "${o}" is missing`);
  const backends = mod.terraform.flatMap((t) => Object.entries(t.backend ?? {}));
  r.expect(backends.length === 1 && backends[0][0] === "s3", `${env}: needs one backend "s3" block`);
  const s3 = first(backends[0]?.[1]) ?? {};
  r.expect(typeof s3.key === "string", `${env}: backend "s3" must set its key`);
  r.expect(!s3.bucket && !s3.dynamodb_table, `${env}: bucket and lock table come from -backend-config (partial configuration)`);
  r.expect(mod.providers.some((p) => p.name === "aws"), `${env}: needs a provider "aws" block`);
}

/** Runs every check on the tree under `root` (the infra directory). */
export async function checkInfra(root, overrides = {}) {
  const r = new Report();
  const tree = await loadTree(root, overrides);
  for (const e of tree.errors) r.expect(false, e);
  const envDirs = [...tree.modules.keys()].filter((d) => /^envs\/[^/]+$/.test(d));
  for (const env of ["envs/dev", "envs/prod"]) r.expect(tree.modules.has(env), `${env}: missing`);
  for (const mod of tree.modules.values()) {
    await checkReferences(r, tree, mod);
    checkModuleCalls(r, tree, mod);
    checkProviders(r, tree, mod, envDirs.includes(mod.dir));
    for (const [file, text] of Object.entries(mod.files)) {
      for (const e of checkFormat(text)) r.expect(false, `${mod.dir}/${file}:${e}`);
      r.passed++;
    }
  }
  for (const env of envDirs) {
    const envName = env.split("/")[1];
    const root = new Scope(tree, tree.modules.get(env));
    const guard = (fn) => {
      try {
        fn(r, root, envName, env);
      } catch (e) {
        r.expect(false, `${env}: check crashed: ${e.stack ?? e}`);
      }
    };
    checkEnvFiles(r, root, env);
    guard(checkRds);
    guard(checkEks);
    guard(checkEcr);
    guard(checkIrsaAndSecret);
  }
  return r;
}
