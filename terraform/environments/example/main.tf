# An example deployment: one region, three zones, the fleet `nines plan` sized
# (fleet.auto.tfvars.json, written by `nines plan --out terraform/environments/example`).
terraform {
  required_version = ">= 1.8.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 7.0"
    }
  }
  # Keep state remote and locked in a real deployment (an S3 backend with use_lockfile).
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { "nines:environment" = "example" }
  }
}

module "nines" {
  source            = "../../modules/nines"
  name              = "nines-example"
  fleet             = var.fleet
  plan              = var.plan
  azs               = var.azs
  ami_id            = var.ami_id
  certificate_arn   = var.certificate_arn
  nines_tarball_url = var.nines_tarball_url
}
