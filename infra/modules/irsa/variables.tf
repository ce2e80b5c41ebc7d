variable "role_name" {
  description = "Name of the IAM role, e.g. tickets-dev-backend."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider."
  type        = string
}

variable "oidc_issuer" {
  description = "Issuer of the cluster without https://, the prefix of the condition keys."
  type        = string
}

variable "namespace" {
  description = "Namespace of the service account allowed to assume the role."
  type        = string
}

variable "service_account" {
  description = "Name of the service account allowed to assume the role."
  type        = string
}

variable "policy_json" {
  description = "Inline policy of the role: everything it may do, and nothing else."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
