# Prometheus scrapes every process. This deployment's own configuration, templated here
# until the repository has its own Prometheus configuration files (issue 15) to install as they are.
locals {
  prometheus_version = "2.53.4"
  prometheus_user_data = templatefile("${path.module}/templates/prometheus-server.yaml.tftpl", {
    version = local.prometheus_version
    unit    = file("${path.module}/templates/prometheus.service")
    config = templatefile("${path.module}/templates/prometheus.yml.tftpl", {
      region     = data.aws_region.this.name
      deployment = var.name
      ports      = local.ports
      brokers    = [for b in local.brokers : local.addr[b.name]]
      consul     = [for c in module.layout.consul_servers : local.addr[c.name]]
      usage      = local.addr["usage"]
      identity   = local.addr["identity"]
    })
  })
}
