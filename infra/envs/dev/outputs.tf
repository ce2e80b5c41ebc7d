# What the Helm chart and the deploy pipeline need (see infra/README.md).

output "cluster_name" {
  description = "EKS cluster: aws eks update-kubeconfig --name <this>."
  value       = module.eks.cluster_name
}

output "region" {
  description = "AWS region; Helm value aws.region."
  value       = var.region
}

output "aws_account_id" {
  description = "AWS account; Helm value aws.accountId."
  value       = data.aws_caller_identity.current.account_id
}

output "namespace" {
  description = "Kubernetes namespace of the backend."
  value       = local.namespace
}

output "ecr_repository_url" {
  description = "Where CI pushes tickets-backend:sha-<git short sha>."
  value       = module.ecr.repository_url
}

output "backend_role_arn" {
  description = "IRSA role of the backend ServiceAccount (annotation eks.amazonaws.com/role-arn)."
  value       = module.backend_irsa.role_arn
}

output "external_secrets_role_arn" {
  description = "IRSA role of the External Secrets Operator's ServiceAccount external-secrets/external-secrets."
  value       = module.external_secrets_irsa.role_arn
}

output "db_endpoint" {
  description = "host:port of the RDS instance."
  value       = module.rds.endpoint
}

output "db_identifier" {
  description = "RDS instance identifier (aws rds describe-db-instances --db-instance-identifier)."
  value       = module.rds.identifier
}

output "db_secret_name" {
  description = "Secrets Manager secret holding DATABASE_URL; the ExternalSecret's remoteRef key."
  value       = module.secrets.secret_name
}
