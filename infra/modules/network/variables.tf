variable "name" {
  description = "Prefix of every resource name, e.g. tickets-dev."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster whose load balancers and nodes use these subnets; it goes into the kubernetes.io/cluster tag."
  type        = string
}

variable "cidr_block" {
  description = "VPC CIDR. A /16 leaves room for three /19 private subnets, which the VPC CNI fills with pod IPs."
  type        = string
  default     = "10.0.0.0/16"
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets over."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "EKS and a multi-AZ RDS need at least two zones; the CIDR layout has room for three."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheap, one zone's outage cuts egress) instead of one per zone."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of this module."
  type        = map(string)
  default     = {}
}
