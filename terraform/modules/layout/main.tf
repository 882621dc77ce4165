locals {
  # x86 compute-optimised sizes by vCPU count: the plan sizes in cores, AWS sells instance types.
  instance_types = {
    "2"  = "c6i.large"
    "4"  = "c6i.xlarge"
    "8"  = "c6i.2xlarge"
    "16" = "c6i.4xlarge"
    "32" = "c6i.8xlarge"
    "48" = "c6i.12xlarge"
    "64" = "c6i.16xlarge"
  }

  # Subnets: /4 more bits each. Public ones hold only the load balancer's nodes; everything
  # else is private. Index i of each list is in azs[i].
  public_subnets  = [for i in range(3) : cidrsubnet(var.vpc_cidr, 4, i)]
  private_subnets = [for i in range(3) : cidrsubnet(var.vpc_cidr, 4, 8 + i)]

  # A shard's two brokers never share a zone, and shard s starts one zone further along than
  # shard s-1, so active brokers are spread as evenly as the zones allow.
  brokers = flatten([
    for s in range(var.fleet.queue_shards) : [
      { name = "broker-${s}-a", shard = s, az_index = s % 3, az = var.azs[s % 3] },
      { name = "broker-${s}-b", shard = s, az_index = (s + 1) % 3, az = var.azs[(s + 1) % 3] },
    ]
  ])

  consul_servers = [for i in range(var.fleet.consul_servers) : { name = "consul-${i}", az_index = i % 3, az = var.azs[i % 3] }]

  # Stateful singletons: identity and usage keep SQLite on an encrypted volume in one zone
  # (their own backups are the recovery path); Prometheus sits apart from both.
  singletons = {
    identity   = { az_index = 0 }
    usage      = { az_index = 1 }
    prometheus = { az_index = 2 }
  }
}

locals {
  # Fixed private addresses for the instances others must find before any of them runs
  # (Consul servers, brokers, identity, usage): host numbers within the zone's private subnet.
  # Autoscaled api servers and workers take any address; the load balancer finds api servers.
  addresses = merge(
    { for i, c in local.consul_servers : c.name => cidrhost(local.private_subnets[c.az_index], 10 + i) },
    { for i, b in local.brokers : b.name => cidrhost(local.private_subnets[b.az_index], 32 + i) },
    { for name, s in local.singletons : name => cidrhost(local.private_subnets[s.az_index], { identity = 5, usage = 6, prometheus = 7 }[name]) },
  )
}
