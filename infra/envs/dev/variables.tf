variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "kubernetes_version" {
  description = "Kubernetes version of the EKS cluster."
  type        = string
  default     = "1.32"
}

variable "eks_public_access_cidrs" {
  description = "Networks allowed to reach the EKS API endpoint."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}
