# `tofu test` runs these offline (no provider): test/terraform/tofu.test.ts.

variables {
  azs      = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr = "10.40.0.0/16"
  fleet = {
    api            = { instances = 3, cores = 8 }
    worker         = { instances = 40, cores = 32 }
    queue_shards   = 2
    broker_cores   = 2
    usage          = { instances = 1, cores = 2 }
    identity_cores = 2
    consul_servers = 3
  }
}

run "cidr_layout" {
  # apply (of no resources): later runs derive their fleets from this run's outputs.
  command = apply

  assert {
    condition     = output.public_subnets == ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"]
    error_message = "public subnets: ${jsonencode(output.public_subnets)}"
  }
  assert {
    condition     = output.private_subnets == ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"]
    error_message = "private subnets: ${jsonencode(output.private_subnets)}"
  }
}

run "zone_spread" {
  command = plan

  assert {
    condition     = length(output.brokers) == 4 && alltrue([for s in range(2) : output.brokers[2 * s].az_index != output.brokers[2 * s + 1].az_index])
    error_message = "each shard's pair must span two zones: ${jsonencode(output.brokers)}"
  }
  assert {
    # Active brokers of consecutive shards start in different zones.
    condition     = output.brokers[0].az_index != output.brokers[2].az_index
    error_message = "shards must not stack their first broker in one zone"
  }
  assert {
    condition     = length(distinct([for c in output.consul_servers : c.az_index])) == 3
    error_message = "three Consul servers must use all three zones: ${jsonencode(output.consul_servers)}"
  }
}

run "sizing" {
  command = plan

  assert {
    condition     = output.instance_types.worker == "c6i.8xlarge" && output.instance_types.api == "c6i.2xlarge"
    error_message = "instance types: ${jsonencode(output.instance_types)}"
  }
  assert {
    condition     = output.autoscaling.worker.desired == 40 && output.autoscaling.worker.max == 60
    error_message = "worker group: ${jsonencode(output.autoscaling.worker)}"
  }
}

run "five_consul_servers_spread" {
  command = plan
  variables {
    fleet = merge(run.cidr_layout.fleet, { consul_servers = 5 })
  }

  assert {
    condition     = length(distinct([for c in output.consul_servers : c.az_index])) == 3
    error_message = "five servers must still use all three zones"
  }
}

run "refuses_four_consul_servers" {
  command = plan
  variables {
    fleet = merge(run.cidr_layout.fleet, { consul_servers = 4 })
  }
  expect_failures = [var.fleet]
}

run "refuses_unmapped_cores" {
  command = plan
  variables {
    fleet = merge(run.cidr_layout.fleet, { api = { instances = 3, cores = 6 } })
  }
  expect_failures = [var.fleet]
}

run "refuses_two_zones" {
  command = plan
  variables {
    azs = ["eu-west-1a", "eu-west-1a", "eu-west-1c"]
  }
  expect_failures = [var.azs]
}

run "refuses_a_small_vpc" {
  command = plan
  variables {
    vpc_cidr = "10.40.0.0/24"
  }
  expect_failures = [var.vpc_cidr]
}

run "refuses_an_api_tier_one_zone_loss_would_empty" {
  command = plan
  variables {
    fleet = merge(run.cidr_layout.fleet, { api = { instances = 2, cores = 8 } })
  }
  expect_failures = [output.autoscaling]
}

run "fixed_addresses_in_their_zone_subnets" {
  command = plan

  assert {
    condition     = output.addresses["consul-0"] == "10.40.128.10" && output.addresses["consul-1"] == "10.40.144.11"
    error_message = "consul addresses: ${jsonencode(output.addresses)}"
  }
  assert {
    condition     = length(distinct(values(output.addresses))) == length(output.addresses)
    error_message = "two instances share an address: ${jsonencode(output.addresses)}"
  }
  assert {
    condition     = alltrue([for b in output.brokers : cidrhost(output.private_subnets[b.az_index], 0) == cidrhost("${output.addresses[b.name]}/20", 0)])
    error_message = "a broker's address is outside its zone's subnet"
  }
}
