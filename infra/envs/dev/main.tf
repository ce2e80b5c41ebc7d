data "aws_caller_identity" "current" {}

locals {
  environment = "dev"
  name        = "tickets-${local.environment}" # cluster, namespace and name prefix: tickets-dev

  # The backend's Kubernetes identity (namespace tickets-dev, ServiceAccount backend).
  namespace       = local.name
  service_account = "backend"
}

module "network" {
  source = "../../modules/network"

  name         = local.name
  cluster_name = local.name
  cidr_block   = "10.20.0.0/16"

  # One NAT gateway instead of three: dev tolerates losing egress with one zone.
  single_nat_gateway = true
}

module "eks" {
  source = "../../modules/eks"

  cluster_name        = local.name
  kubernetes_version  = var.kubernetes_version
  subnet_ids          = module.network.private_subnet_ids
  public_access_cidrs = var.eks_public_access_cidrs

  node_instance_types = ["t3.medium"]
  node_min_size       = 2
  node_desired_size   = 2
  node_max_size       = 4
}

module "ecr" {
  source = "../../modules/ecr"

  name = "tickets-backend"
}

module "rds" {
  source = "../../modules/rds"

  identifier     = "${local.name}-db"
  instance_class = "db.t4g.micro"

  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  allowed_security_group_id = module.eks.cluster_security_group_id

  multi_az              = false
  backup_retention_days = 7
  deletion_protection   = false
  skip_final_snapshot   = true
  apply_immediately     = true
}

module "secrets" {
  source = "../../modules/secrets"

  name        = "${local.name}/backend-db"
  db_host     = module.rds.address
  db_port     = module.rds.port
  db_name     = module.rds.db_name
  db_username = module.rds.username
  db_password = module.rds.password

  recovery_window_days = 0
}

# The backend's own role, annotated on its ServiceAccount by the Helm chart.
module "backend_irsa" {
  source = "../../modules/irsa"

  role_name         = "${local.name}-backend"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = local.namespace
  service_account   = local.service_account
  policy_json       = module.secrets.read_policy_json
}

# The External Secrets Operator's controller, which serves the chart's ClusterSecretStore
# aws-secrets-manager and copies the secret into the Kubernetes Secret backend-db. It may
# read this one secret and nothing else.
module "external_secrets_irsa" {
  source = "../../modules/irsa"

  role_name         = "${local.name}-external-secrets"
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  namespace         = "external-secrets"
  service_account   = "external-secrets"
  policy_json       = module.secrets.read_policy_json
}
