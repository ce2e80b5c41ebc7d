# Encrypted with the account's aws/secretsmanager key: any role allowed GetSecretValue on
# the secret can decrypt it through Secrets Manager, so readers need no KMS grant.
resource "aws_secretsmanager_secret" "db" {
  name                    = var.name
  description             = "DATABASE_URL of ticketsd, synced into the Kubernetes Secret backend-db"
  recovery_window_in_days = var.recovery_window_days

  tags = var.tags
}

# A plain string, not JSON: the External Secrets Operator copies it as is into the key
# DATABASE_URL. The value (with the password) is also in the Terraform state.
resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = "postgres://${var.db_username}:${var.db_password}@${var.db_host}:${var.db_port}/${var.db_name}?sslmode=require"
}

# What a reader of this one secret needs, for the IRSA role that reads it.
data "aws_iam_policy_document" "read" {
  statement {
    sid       = "ReadBackendDbSecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_secretsmanager_secret.db.arn]
  }
}
