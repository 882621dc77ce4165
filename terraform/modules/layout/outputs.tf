output "public_subnets" {
  description = "CIDRs of the public subnets, one per zone (azs order)."
  value       = local.public_subnets
}

output "private_subnets" {
  description = "CIDRs of the private subnets, one per zone (azs order)."
  value       = local.private_subnets
}

output "brokers" {
  description = "Every broker: name, queue shard and zone index; a shard's pair is in two zones."
  value       = local.brokers

  precondition {
    condition     = alltrue([for s in range(var.fleet.queue_shards) : local.brokers[2 * s].az_index != local.brokers[2 * s + 1].az_index])
    error_message = "A shard's two brokers must be in different zones."
  }
}

output "consul_servers" {
  description = "Consul servers and their zone indexes (spread over all three)."
  value       = local.consul_servers
}

output "singletons" {
  description = "Zone index of identity, usage and Prometheus."
  value       = local.singletons
}

output "instance_types" {
  description = "Instance type per tier, from the plan's cores per instance."
  value = {
    api      = local.instance_types[tostring(var.fleet.api.cores)]
    worker   = local.instance_types[tostring(var.fleet.worker.cores)]
    broker   = local.instance_types[tostring(var.fleet.broker_cores)]
    usage    = local.instance_types[tostring(var.fleet.usage.cores)]
    identity = local.instance_types[tostring(var.fleet.identity_cores)]
  }
}

output "autoscaling" {
  description = "Min, desired and max size of the api and worker groups."
  # Desired is the plan's figure; the group may grow by half again for a zone loss or a
  # burst, and never shrinks below what one zone's loss leaves able to serve the plan.
  value = {
    api    = { min = var.fleet.api.instances, desired = var.fleet.api.instances, max = ceil(var.fleet.api.instances * 1.5) }
    worker = { min = var.fleet.worker.instances, desired = var.fleet.worker.instances, max = ceil(var.fleet.worker.instances * 1.5) }
  }

  precondition {
    # One api server per zone at least: a zone loss must not take the whole api tier.
    condition     = var.fleet.api.instances >= 3
    error_message = "The api tier needs at least 3 instances (one per zone) to survive a zone loss."
  }
}

output "addresses" {
  description = "Fixed private IPv4 address of every Consul server, broker, identity, usage and Prometheus instance."
  value       = local.addresses
}

output "fleet" {
  description = "The fleet as validated (tests derive variants of it with merge())."
  value       = var.fleet
}
