# Every decision that needs no AWS (subnets, zones, fixed addresses, instance types, group
# sizes) is made in the provider-free module, which `tofu test` checks offline.
module "layout" {
  source   = "../layout"
  fleet    = var.fleet
  azs      = var.azs
  vpc_cidr = var.vpc_cidr
}

locals {
  ssm_prefix = "/${var.name}"
  tags = {
    "nines:deployment"   = var.name
    "nines:plan"         = var.plan.generated_at
    "nines:plan-command" = var.plan.command
  }
  addr = module.layout.addresses

  # Ports, as the README's configuration table names them.
  ports = {
    api         = 8080, blob = 8090, identity = 8081, usage = 8082, mqtt = 1883
    broker_http = 9101, worker_http = 9102, consul_http = 8500, prometheus = 9090
  }
}
