output "secret_name" {
  description = "Name of the secret."
  value       = aws_secretsmanager_secret.db.name
}

output "secret_arn" {
  description = "ARN of the secret."
  value       = aws_secretsmanager_secret.db.arn
}

output "read_policy_json" {
  description = "IAM policy that allows reading this secret and nothing else."
  value       = data.aws_iam_policy_document.read.json
}
