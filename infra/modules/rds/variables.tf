variable "identifier" {
  description = "RDS instance identifier, tickets-<env>-db (the runbook's name)."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class, e.g. db.t4g.micro."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version. A major version alone lets RDS pick the newest minor and upgrade it in the maintenance window."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.|$)", var.engine_version))
    error_message = "The parameter group is of family postgres15; the engine must be PostgreSQL 15."
  }
}

variable "vpc_id" {
  description = "VPC of the database security group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group (at least two zones)."
  type        = list(string)
}

variable "allowed_security_group_id" {
  description = "The only security group allowed to connect on 5432: the EKS cluster security group of the nodes."
  type        = string
}

variable "db_name" {
  description = "Database created with the instance."
  type        = string
  default     = "tickets"
}

variable "username" {
  description = "Master user name; ticketsd connects as this user."
  type        = string
  default     = "tickets"
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
  default     = 100
}

variable "multi_az" {
  description = "Standby replica in another zone with automatic failover."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "Automated backups must be on: 1 to 35 days."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (AWS-side, independent of Terraform)."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (dev only)."
  type        = bool
  default     = false
}

variable "performance_insights_retention_days" {
  description = "Performance Insights retention; 7 days is the free tier."
  type        = number
  default     = 7
}

variable "log_min_duration_ms" {
  description = "Statements slower than this are logged (ms); the latency SLO is 800 ms end to end."
  type        = number
  default     = 250
}

variable "apply_immediately" {
  description = "Apply modifications such as a new instance class now instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
