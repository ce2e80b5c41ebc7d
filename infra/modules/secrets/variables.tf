variable "name" {
  description = "Secrets Manager name of the database URL, tickets-<env>/backend-db."
  type        = string
}

variable "db_host" {
  description = "Host name of the database."
  type        = string
}

variable "db_port" {
  description = "Port of the database."
  type        = number
  default     = 5432
}

variable "db_name" {
  description = "Database name."
  type        = string
}

variable "db_username" {
  description = "User ticketsd connects as."
  type        = string
}

variable "db_password" {
  description = "Password of that user; URL-safe (letters and digits)."
  type        = string
  sensitive   = true
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored; 0 deletes at once (dev, so the name can be reused)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
