// The checker passes on the real tree and fails on each broken variant of it: a checker
// that cannot fail proves nothing. Each case changes one file in memory (the disk is not
// touched) and names the failure it must cause.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkInfra } from "./lib/check.mjs";
import { checkFormat } from "./lib/format.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const read = (rel) => fs.readFileSync(path.join(root, rel), "utf8");

/** Runs the checker with `from` replaced by `to` in `file`; `from` must occur. */
async function broken(file, from, to) {
  const text = read(file);
  assert.ok(text.includes(from), `the case is stale: ${file} no longer contains ${JSON.stringify(from)}`);
  return checkInfra(root, { [file]: text.replace(from, to) });
}

async function assertFails(file, from, to, expected) {
  const report = await broken(file, from, to);
  assert.ok(report.errors.length > 0, "the checker accepted a broken tree");
  assert.ok(
    report.errors.some((e) => expected.test(e)),
    `no error matched ${expected}; got:\n${report.errors.join("\n")}`,
  );
}

test("the real tree passes every check", async () => {
  const report = await checkInfra(root);
  assert.deepEqual(report.errors, []);
  assert.ok(report.passed > 300, `only ${report.passed} checks ran`);
});

const cases = [
  ["a file that does not parse", "envs/dev/main.tf", 'module "ecr" {', 'module "ecr" {\n  name = \n', /does not parse/],
  ["a module argument the module does not declare", "envs/dev/main.tf", 'instance_class = "db.t4g.micro"', 'instance_class = "db.t4g.micro"\n  instance_type  = "db.t4g.micro"', /argument "instance_type" is not a variable of modules\/rds/],
  ["a required module argument left out", "envs/dev/main.tf", "  allowed_security_group_id = module.eks.cluster_security_group_id\n", "", /required variable "allowed_security_group_id" of modules\/rds is not given/],
  ["a module source outside infra/", "envs/dev/main.tf", 'source = "../../modules/ecr"', 'source = "terraform-aws-modules/ecr/aws"', /source must be a local path/],
  ["an undeclared variable", "modules/rds/main.tf", "max_allocated_storage = var.max_allocated_storage", "max_allocated_storage = var.max_storage_gb", /var\.max_storage_gb is not declared in modules\/rds/],
  ["an undeclared variable in a template", "modules/network/main.tf", 'Name = "${var.name}-public"', 'Name = "${var.env_name}-public"', /var\.env_name is not declared/],
  ["a variable nothing uses", "modules/ecr/main.tf", "countNumber = var.untagged_expiry_days", "countNumber = 7", /variable "untagged_expiry_days" is declared but never used/],
  ["an undeclared variable in a templated map key", "modules/network/main.tf", '"kubernetes.io/cluster/${var.cluster_name}"', '"kubernetes.io/cluster/${var.cluster}"', /var\.cluster is not declared in modules\/network/],
  ["an undefined local", "envs/prod/main.tf", "namespace         = local.namespace", "namespace         = local.k8s_namespace", /local\.k8s_namespace is not defined/],
  ["a module output that does not exist", "envs/dev/main.tf", "db_host     = module.rds.address", "db_host     = module.rds.hostname", /module\.rds\.hostname is not an output of modules\/rds/],
  ["a resource that does not exist", "modules/eks/outputs.tf", "aws_iam_role.node.arn", "aws_iam_role.nodes.arn", /aws_iam_role\.nodes is not declared/],
  ["a provider without a version", "envs/dev/versions.tf", 'source  = "hashicorp/random"\n      version = "~> 3.6"', 'source = "hashicorp/random"', /provider "random" version must be pinned/],
  ["the AWS provider not on 5.x", "modules/ecr/versions.tf", '"~> 5.60"', '">= 4.0"', /hashicorp\/aws must be pinned to ~> 5\.x|version must be pinned/],
  ["a root missing a provider its modules need", "envs/prod/versions.tf", '    tls = {\n      source  = "hashicorp/tls"\n      version = "~> 4.0"\n    }\n', "", /provider "tls" is used but not in required_providers/],
  ["the wrong dev instance class", "envs/dev/main.tf", 'instance_class = "db.t4g.micro"', 'instance_class = "db.t3.micro"', /must say instance_class = "db\.t4g\.micro"/],
  ["the wrong RDS identifier", "envs/dev/main.tf", 'identifier     = "${local.name}-db"', 'identifier     = "${local.name}-postgres"', /identifier must be tickets-dev-db/],
  ["the wrong cluster name", "envs/dev/main.tf", 'name        = "tickets-${local.environment}"', 'name        = "tix-${local.environment}"', /name must be tickets-dev/],
  ["the wrong ECR repository", "envs/prod/main.tf", 'name = "tickets-backend"', 'name = "backend"', /name must be tickets-backend/],
  ["mutable image tags", "modules/ecr/main.tf", '"IMMUTABLE"', '"MUTABLE"', /tags must be IMMUTABLE/],
  ["unencrypted storage", "modules/rds/main.tf", "storage_encrypted     = true", "storage_encrypted     = false", /storage_encrypted must be true/],
  ["backups switched off", "envs/dev/main.tf", "backup_retention_days = 7", "backup_retention_days = 0", /backup_retention_period must be > 0/],
  ["PostgreSQL reachable from anywhere", "modules/rds/main.tf", "referenced_security_group_id = var.allowed_security_group_id", 'cidr_ipv4                    = "0.0.0.0/0"', /must not mention 0\.0\.0\.0\/0|must not use cidr_ipv4/],
  ["PostgreSQL open to the VPC's own group instead of the cluster's", "envs/dev/main.tf", "allowed_security_group_id = module.eks.cluster_security_group_id", "allowed_security_group_id = module.network.vpc_id", /source must be the EKS cluster security group/],
  ["a port other than 5432", "modules/rds/main.tf", "to_port                      = 5432", "to_port                      = 5440", /must allow tcp 5432 only/],
  ["TLS not forced", "modules/rds/main.tf", 'name  = "rds.force_ssl"\n    value = "1"', 'name  = "rds.force_ssl"\n    value = "0"', /rds\.force_ssl = 1/],
  ["prod without deletion protection", "envs/prod/main.tf", "deletion_protection   = true", "deletion_protection   = false", /prod needs deletion_protection = true/],
  ["prod without multi-AZ", "envs/prod/main.tf", "multi_az              = true", "multi_az              = false", /prod needs multi_az = true/],
  ["the IRSA role for another service account", "envs/dev/main.tf", 'service_account = "backend"', 'service_account = "default"', /:sub must be exactly system:serviceaccount:tickets-dev:backend/],
  ["the IRSA role with the wrong name", "envs/prod/main.tf", 'role_name         = "${local.name}-backend"', 'role_name         = "${local.name}-api"', /aws_iam_role named tickets-prod-backend, found 0/],
  ["the External Secrets role for another namespace", "envs/dev/main.tf", 'namespace         = "external-secrets"', 'namespace         = "kube-system"', /:sub must be exactly system:serviceaccount:external-secrets:external-secrets/],
  ["backend_role_arn pointing at the wrong role", "envs/dev/outputs.tf", "value       = module.backend_irsa.role_arn", "value       = module.external_secrets_irsa.role_arn", /output backend_role_arn must be the ARN of role tickets-dev-backend/],
  ["an IRSA trust without the :sub condition", "modules/irsa/main.tf", 'variable = "${var.oidc_issuer}:sub"', 'variable = "${var.oidc_issuer}:email"', /one StringEquals condition on :sub/],
  ["a backend role that may read every secret", "modules/secrets/main.tf", "resources = [aws_secretsmanager_secret.db.arn]", 'resources = ["*"]', /resources must be exactly the secret's ARN/],
  ["a backend role that may write secrets", "modules/secrets/main.tf", '"secretsmanager:DescribeSecret"]', '"secretsmanager:PutSecretValue"]', /may only read secrets/],
  ["the wrong secret name", "envs/dev/main.tf", 'name        = "${local.name}/backend-db"', 'name        = "${local.name}/db"', /name must be tickets-dev\/backend-db/],
  ["a database URL without TLS", "modules/secrets/main.tf", "?sslmode=require", "?sslmode=disable", /secret_string must be postgres:\/\//],
  ["a database URL with the wrong host", "envs/prod/main.tf", "db_host     = module.rds.address", "db_host     = module.rds.identifier", /URL's host must come from/],
  ["an output the chart needs removed", "envs/prod/outputs.tf", 'output "backend_role_arn" {', 'output "backend_role" {', /output "backend_role_arn" is missing/],
  ["a bucket hard-coded in the backend block", "envs/dev/backend.tf", 'key     = "tickets/dev/terraform.tfstate"', 'key     = "tickets/dev/terraform.tfstate"\n    bucket  = "my-state"', /partial configuration/],
  ["a missing subnet tag", "modules/network/main.tf", '"kubernetes.io/role/internal-elb" = "1"', '"kubernetes.io/role/internal" = "1"', /subnet tag "kubernetes\.io\/role\/internal-elb" is missing/],
  ["misaligned =", "modules/ecr/main.tf", "image_tag_mutability = ", "image_tag_mutability  = ", /"=" at column/],
  ["a wrong indentation", "modules/irsa/main.tf", "  name                 = var.role_name", "    name                 = var.role_name", /indented 4 spaces, terraform fmt uses 2/],
];

for (const [name, file, from, to, expected] of cases) {
  test(`fails on ${name}`, () => assertFails(file, from, to, expected));
}

test("the format model accepts terraform fmt output and refuses drift", () => {
  // As in the AWS provider's own examples: a line opening a multi-line value is not aligned
  // with its neighbours and ends their run.
  const good = 'resource "a" "b" {\n  name = "x"\n  policy = jsonencode({\n    Version = "1"\n    Statement = [\n      {\n        Action = "a"\n        Sid    = ""\n        Principal = {\n          Service = "s"\n        }\n      },\n    ]\n  })\n\n  tags = {\n    Long = "y" # why\n    B    = "z" # and\n  }\n}\n';
  assert.deepEqual(checkFormat(good), []);
  assert.match(checkFormat('x {\n  name   = "x"\n  policy = jsonencode({\n  })\n}\n').join(), /"=" at column 10, terraform fmt puts it at 8/);
  assert.match(checkFormat('x {\n  a = 1 # c\n  bb = 2 # d\n}\n').join(), /column/);
  assert.match(checkFormat("a = 1  \n").join(), /trailing whitespace/);
  assert.match(checkFormat('x {\n\ta = 1\n}\n').join(), /tab/);
  assert.match(checkFormat("a = 1").join(), /newline/);
});
