variable "region" {
  description = "AWS region."
  type        = string
  default     = "eu-west-1"
}

variable "azs" {
  description = "Three zones of the region."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "ami_id" {
  description = "Amazon Linux 2023 x86_64 AMI of the region."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the public listener."
  type        = string
}

variable "nines_tarball_url" {
  description = "https URL of the nines release tarball."
  type        = string
}

variable "fleet" {
  description = "Written by `nines plan` (fleet.auto.tfvars.json)."
  type        = any
}

variable "plan" {
  description = "Written by `nines plan`: when and how the fleet was sized."
  type        = object({ generated_at = string, command = string })
}
