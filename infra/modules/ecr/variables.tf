variable "name" {
  description = "Repository name; the Helm chart derives <account>.dkr.ecr.<region>.amazonaws.com/tickets-backend from it."
  type        = string
  default     = "tickets-backend"
}

variable "keep_sha_images" {
  description = "Number of the newest sha-* images kept; older ones expire. Rollbacks can go this far back."
  type        = number
  default     = 30
}

variable "untagged_expiry_days" {
  description = "Untagged images (failed or superseded pushes) expire after this many days."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
