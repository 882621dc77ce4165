# Least privilege per network path: each tier has its own security group, and every path
# below opens one port on the receiving tier to the sending tier's group only (and the
# matching egress on the sender). Only the load balancer's listener faces the internet.
locals {
  tiers = ["nlb", "api", "worker", "broker", "consul", "usage", "identity", "prometheus"]

  paths = concat(
    [
      { from = "nlb", to = "api", port = local.ports.api, why = "requests and /readyz health checks" },
      { from = "worker", to = "api", port = local.ports.blob, why = "claim-checked images (GET/PUT /blobs)" },
      { from = "api", to = "identity", port = local.ports.identity, why = "key snapshot (blocking query)" },
      { from = "api", to = "usage", port = local.ports.usage, why = "GET /v1/usage" },
    ],
    [for from in ["api", "worker", "usage"] : { from = from, to = "broker", port = local.ports.mqtt, why = "MQTT jobs, credit and usage batches" }],
    [for from in ["api", "worker", "usage", "broker"] : { from = from, to = "consul", port = local.ports.consul_http, why = "leader key, sessions and checks" }],
    [for p in [8300, 8301, 8302] : { from = "consul", to = "consul", port = p, why = "Consul Raft and gossip" }],
    [for p in [8301, 8302] : { from = "consul", to = "consul", port = p, protocol = "udp", why = "Consul gossip (Serf) over UDP" }],
    [for t in [
      { to = "api", port = local.ports.api }, { to = "broker", port = local.ports.broker_http },
      { to = "worker", port = local.ports.worker_http }, { to = "usage", port = local.ports.usage },
      { to = "identity", port = local.ports.identity }, { to = "consul", port = local.ports.consul_http },
    ] : { from = "prometheus", to = t.to, port = t.port, why = "metrics scrape" }],
  )
  path_map = { for p in local.paths : "${p.from}-${p.to}-${lookup(p, "protocol", "tcp")}-${p.port}" => merge({ protocol = "tcp" }, p) }
}

resource "aws_security_group" "tier" {
  #checkov:skip=CKV2_AWS_5:each group is attached by key through for_each (launch templates in compute.tf, instances in instances.tf), which checkov's graph does not follow
  for_each    = toset(local.tiers)
  name        = "${var.name}-${each.key}"
  description = "${var.name} ${each.key}: only the paths in security.tf"
  vpc_id      = aws_vpc.this.id
  tags        = merge(local.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_vpc_security_group_ingress_rule" "path" {
  for_each                     = local.path_map
  security_group_id            = aws_security_group.tier[each.value.to].id
  referenced_security_group_id = aws_security_group.tier[each.value.from].id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "from ${each.value.from}: ${each.value.why}"
}

resource "aws_vpc_security_group_egress_rule" "path" {
  for_each                     = local.path_map
  security_group_id            = aws_security_group.tier[each.value.from].id
  referenced_security_group_id = aws_security_group.tier[each.value.to].id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "to ${each.value.to}: ${each.value.why}"
}

# The one path open to the internet: the public TLS listener.
resource "aws_vpc_security_group_ingress_rule" "public_listener" {
  security_group_id = aws_security_group.tier["nlb"].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "customers: HTTPS to the api tier"
}

# Instances fetch packages, the release and their secrets (SSM, KMS) over HTTPS through
# the zone's NAT gateway; nothing else leaves the VPC.
resource "aws_vpc_security_group_egress_rule" "https_out" {
  for_each          = toset([for t in local.tiers : t if t != "nlb"])
  security_group_id = aws_security_group.tier[each.key].id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS out: packages, the nines release, SSM and KMS"
}
