# The user data of every nines instance, rendered by modules/role: the same module the role
# test renders and runs (test/terraform/role-units.test.ts).
locals {
  brokers    = module.layout.brokers
  consul_url = join(",", [for c in module.layout.consul_servers : "http://${local.addr[c.name]}:${local.ports.consul_http}"])
  clients_env = {
    NINES_LOG_LEVEL    = "info"
    NINES_CONSUL_URL   = local.consul_url
    NINES_QUEUE_SHARDS = tostring(var.fleet.queue_shards)
  }
}

module "api_role" {
  source = "../role"
  role   = "api"
  env = merge(local.clients_env, {
    NINES_API_PORT      = tostring(local.ports.api)
    NINES_API_BLOB_PORT = tostring(local.ports.blob)
    NINES_IDENTITY_URL  = "http://${local.addr["identity"]}:${local.ports.identity}"
    NINES_USAGE_URL     = "http://${local.addr["usage"]}:${local.ports.usage}"
  })
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}

module "worker_role" {
  source            = "../role"
  role              = "worker"
  env               = merge(local.clients_env, { NINES_WORKER_HTTP_PORT = tostring(local.ports.worker_http) })
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}

module "usage_role" {
  source = "../role"
  role   = "usage"
  env = merge(local.clients_env, {
    NINES_USAGE_PORT = tostring(local.ports.usage)
    NINES_USAGE_DB   = "/var/lib/nines/usage.db"
  })
  data_device       = "/dev/sdf"
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}

module "identity_role" {
  source = "../role"
  role   = "identity"
  env = {
    NINES_LOG_LEVEL     = "info"
    NINES_IDENTITY_PORT = tostring(local.ports.identity)
    NINES_IDENTITY_DB   = "/var/lib/nines/identity.db"
  }
  data_device       = "/dev/sdf"
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}

module "broker_role" {
  for_each = { for b in local.brokers : b.name => b }
  source   = "../role"
  role     = "broker"
  env = merge(local.clients_env, {
    NINES_QUEUE_SHARD      = tostring(each.value.shard)
    NINES_BROKER_ID        = each.key
    NINES_BROKER_PORT      = tostring(local.ports.mqtt)
    NINES_BROKER_HTTP_PORT = tostring(local.ports.broker_http)
    NINES_BROKER_ADVERTISE = "mqtt://${local.addr[each.key]}:${local.ports.mqtt}"
  })
  nines_tarball_url = var.nines_tarball_url
  node_tarball_url  = var.node_tarball_url
  ssm_prefix        = local.ssm_prefix
}
