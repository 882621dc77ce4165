# Api servers and workers: stateless, in autoscaling groups over the three private subnets.
locals {
  groups = {
    api    = { user_data = module.service_role["api"].user_data, type = module.layout.instance_types.api, size = module.layout.autoscaling.api }
    worker = { user_data = module.service_role["worker"].user_data, type = module.layout.instance_types.worker, size = module.layout.autoscaling.worker }
  }
}

resource "aws_launch_template" "tier" {
  for_each               = local.groups
  name                   = "${var.name}-${each.key}"
  image_id               = var.ami_id
  instance_type          = each.value.type
  user_data              = base64encode(each.value.user_data)
  vpc_security_group_ids = [aws_security_group.tier[each.key].id]
  ebs_optimized          = true
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.tier[each.key].arn
  }
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required" # IMDSv2 only
    http_put_response_hop_limit = 1
  }
  monitoring {
    enabled = true
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 20
      volume_type = "gp3"
      encrypted   = true
      kms_key_id  = aws_kms_key.this.arn
    }
  }
  tag_specifications {
    resource_type = "instance"
    tags          = merge(local.tags, { Name = "${var.name}-${each.key}", "nines:role" = each.key })
  }
  tags = local.tags
}

resource "aws_autoscaling_group" "tier" {
  for_each                  = local.groups
  name                      = "${var.name}-${each.key}"
  vpc_zone_identifier       = aws_subnet.private[*].id
  min_size                  = each.value.size.min
  desired_capacity          = each.value.size.desired
  max_size                  = each.value.size.max
  target_group_arns         = each.key == "api" ? [aws_lb_target_group.api.arn] : []
  health_check_type         = each.key == "api" ? "ELB" : "EC2"
  health_check_grace_period = 180

  launch_template {
    id      = aws_launch_template.tier[each.key].id
    version = aws_launch_template.tier[each.key].latest_version
  }
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 90
    }
  }
  dynamic "tag" {
    for_each = merge(local.tags, { "nines:role" = each.key })
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
