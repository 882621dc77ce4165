variable "name" {
  description = "Prefix of every resource's name and the value of its nines:deployment tag."
  type        = string
  default     = "nines"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "fleet" {
  description = "The fleet from `nines plan` (fleet.auto.tfvars.json); validated by modules/layout."
  type        = any
}

variable "plan" {
  description = "Where the fleet came from (`nines plan` writes it): generated_at and the command line; recorded as tags."
  type        = object({ generated_at = string, command = string })
}

variable "azs" {
  description = "Three availability zones of the region."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "The VPC's address range (/16 to /20)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "ami_id" {
  description = "An Amazon Linux 2023 x86_64 AMI (cloud-init, systemd, the AWS CLI)."
  type        = string

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id must look like ami-0123456789abcdef0."
  }
}

variable "certificate_arn" {
  description = "ACM certificate of the public listener (TLS ends at the load balancer)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

variable "nines_tarball_url" {
  description = "https URL of the nines release tarball every role installs."
  type        = string
}

variable "node_tarball_url" {
  description = "https URL of the Node 20 linux-x64 tarball."
  type        = string
  default     = "https://nodejs.org/dist/v20.20.0/node-v20.20.0-linux-x64.tar.xz"
}

variable "data_volume_gb" {
  description = "Size of the encrypted SQLite volume of identity and usage."
  type        = number
  default     = 100
}

variable "log_retention_days" {
  description = "Retention of the VPC flow logs."
  type        = number
  default     = 365
}
