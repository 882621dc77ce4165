variable "fleet" {
  description = "The fleet `nines plan` sized (fleet.auto.tfvars.json): instances and cores per tier."
  type = object({
    api            = object({ instances = number, cores = number })
    worker         = object({ instances = number, cores = number })
    queue_shards   = number
    broker_cores   = number
    usage          = object({ instances = number, cores = number })
    identity_cores = number
    consul_servers = number
  })

  validation {
    condition = alltrue([
      for n in [var.fleet.api.instances, var.fleet.worker.instances, var.fleet.queue_shards, var.fleet.usage.instances] : n >= 1 && floor(n) == n
    ])
    error_message = "Instance and shard counts must be whole numbers of at least 1."
  }
  validation {
    condition     = contains([3, 5], var.fleet.consul_servers)
    error_message = "Consul runs 3 servers (survives 1 loss) or 5 (survives 2); other counts buy no extra failure budget."
  }
  validation {
    condition = alltrue([
      for c in [var.fleet.api.cores, var.fleet.worker.cores, var.fleet.broker_cores, var.fleet.usage.cores, var.fleet.identity_cores] : contains([2, 4, 8, 16, 32, 48, 64], c)
    ])
    error_message = "Cores per instance must be one of 2, 4, 8, 16, 32, 48 or 64 (the sizes mapped to instance types)."
  }
  validation {
    # One usage process owns one SQLite file; a second would split the audit trail.
    condition     = var.fleet.usage.instances == 1
    error_message = "usage runs as one instance (one SQLite database); give it more cores instead."
  }
}

variable "azs" {
  description = "The three availability zones the deployment spreads over."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3 && length(distinct(var.azs)) == 3
    error_message = "Give exactly three distinct availability zones."
  }
}

variable "vpc_cidr" {
  description = "The VPC's address range; /16 to /20 leaves room for 3 public and 3 private subnets."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be an IPv4 CIDR between /16 and /20."
  }
}
