# Instances at fixed addresses (modules/layout): brokers (a pair per queue shard over two
# zones), Consul servers over three zones, identity and usage with their SQLite volumes, and
# Prometheus.
locals {
  fixed = merge(
    { for b in local.brokers : b.name => { tier = "broker", az = b.az_index, type = module.layout.instance_types.broker, user_data = module.broker_role[b.name].user_data, data = false } },
    { for c in module.layout.consul_servers : c.name => { tier = "consul", az = c.az_index, type = "c6i.large", user_data = local.consul_user_data[c.name], data = false } },
    {
      identity   = { tier = "identity", az = module.layout.singletons.identity.az_index, type = module.layout.instance_types.identity, user_data = module.service_role["identity"].user_data, data = true }
      usage      = { tier = "usage", az = module.layout.singletons.usage.az_index, type = module.layout.instance_types.usage, user_data = module.service_role["usage"].user_data, data = true }
      prometheus = { tier = "prometheus", az = module.layout.singletons.prometheus.az_index, type = "c6i.xlarge", user_data = local.prometheus_user_data, data = false }
    },
  )
}

resource "aws_instance" "fixed" {
  for_each               = local.fixed
  ami                    = var.ami_id
  instance_type          = each.value.type
  subnet_id              = aws_subnet.private[each.value.az].id
  private_ip             = local.addr[each.key]
  vpc_security_group_ids = [aws_security_group.tier[each.value.tier].id]
  iam_instance_profile   = aws_iam_instance_profile.tier[each.value.tier].name
  user_data              = each.value.user_data
  ebs_optimized          = true
  monitoring             = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required" # IMDSv2 only
    http_put_response_hop_limit = 1
  }
  root_block_device {
    volume_size = 20
    volume_type = "gp3"
    encrypted   = true
    kms_key_id  = aws_kms_key.this.arn
  }
  # identity and usage: SQLite on its own encrypted volume, kept when the instance goes.
  dynamic "ebs_block_device" {
    for_each = each.value.data ? [1] : []
    content {
      device_name           = "/dev/sdf"
      volume_size           = var.data_volume_gb
      volume_type           = "gp3"
      encrypted             = true
      kms_key_id            = aws_kms_key.this.arn
      delete_on_termination = false
    }
  }
  tags = merge(local.tags, { Name = "${var.name}-${each.key}", "nines:role" = each.value.tier })
}
