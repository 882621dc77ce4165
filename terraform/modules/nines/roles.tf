# The user data of every nines instance, rendered by modules/role: the same module the role
# test renders and runs on loopback (test/terraform/role-units.test.ts).
locals {
  brokers = module.layout.brokers
  cluster = {
    consul_urls  = [for c in module.layout.consul_servers : "http://${local.addr[c.name]}:${local.ports.consul_http}"]
    queue_shards = var.fleet.queue_shards
    identity_url = "http://${local.addr["identity"]}:${local.ports.identity}"
    usage_url    = "http://${local.addr["usage"]}:${local.ports.usage}"
    ports        = { for k, v in local.ports : k => v if !contains(["consul_http", "prometheus"], k) }
  }
  log_level = { NINES_LOG_LEVEL = "info" }
}

# api, worker, usage and identity: one instance type each; identity and usage keep SQLite on
# their data volume.
module "service_role" {
  for_each          = { api = "", worker = "", usage = "/dev/sdf", identity = "/dev/sdf" }
  source            = "../role"
  role              = each.key
  cluster           = local.cluster
  extra_env         = local.log_level
  data_device       = each.value
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}

module "broker_role" {
  for_each          = { for b in local.brokers : b.name => b }
  source            = "../role"
  role              = "broker"
  cluster           = local.cluster
  broker            = { id = each.key, shard = each.value.shard, advertise = "mqtt://${local.addr[each.key]}:${local.ports.mqtt}" }
  extra_env         = local.log_level
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}
