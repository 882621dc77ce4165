# Consul servers: three (or five) over the zones, Raft among themselves; every nines process
# is given all of them (NINES_CONSUL_URL), as the harness does.
locals {
  consul_version = "1.16.3" # the newest MPL-2.0 release, as scripts/setup-tools.sh builds
  consul_user_data = { for c in module.layout.consul_servers : c.name => templatefile("${path.module}/templates/consul-server.yaml.tftpl", {
    version    = local.consul_version
    ssm_prefix = local.ssm_prefix
    unit       = file("${path.module}/templates/consul.service")
    config = templatefile("${path.module}/templates/consul.hcl.tftpl", {
      node_name        = c.name
      bind_addr        = local.addr[c.name]
      bootstrap_expect = length(module.layout.consul_servers)
      retry_join       = [for o in module.layout.consul_servers : local.addr[o.name] if o.name != c.name]
    })
  }) }
}
