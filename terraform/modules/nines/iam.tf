# One instance role per tier; each may read only its own secrets (SSM parameters under
# /<name>/), decrypt them with the deployment's key, and be reached by Session Manager.
locals {
  iam_tiers = {
    api        = module.service_role["api"].ssm_parameters
    worker     = module.service_role["worker"].ssm_parameters
    broker     = module.broker_role[local.brokers[0].name].ssm_parameters
    usage      = module.service_role["usage"].ssm_parameters
    identity   = module.service_role["identity"].ssm_parameters
    consul     = ["CONSUL_GOSSIP_KEY"]
    prometheus = []
  }
}

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "tier" {
  for_each           = local.iam_tiers
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  for_each   = local.iam_tiers
  role       = aws_iam_role.tier[each.key].name
  policy_arn = "arn:${data.aws_partition.this.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

data "aws_iam_policy_document" "secrets" {
  for_each = { for k, v in local.iam_tiers : k => v if length(v) > 0 }
  statement {
    actions   = ["ssm:GetParameter"]
    resources = [for p in each.value : "arn:${data.aws_partition.this.partition}:ssm:${data.aws_region.this.name}:${data.aws_caller_identity.this.account_id}:parameter${local.ssm_prefix}/${p}"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role_policy" "secrets" {
  for_each = data.aws_iam_policy_document.secrets
  name     = "read-own-secrets"
  role     = aws_iam_role.tier[each.key].id
  policy   = each.value.json
}

# Prometheus finds the autoscaled api servers and workers by their tags.
data "aws_iam_policy_document" "prometheus_discovery" {
  statement {
    actions   = ["ec2:DescribeInstances", "ec2:DescribeAvailabilityZones"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "prometheus_discovery" {
  name   = "ec2-service-discovery"
  role   = aws_iam_role.tier["prometheus"].id
  policy = data.aws_iam_policy_document.prometheus_discovery.json
}

resource "aws_iam_instance_profile" "tier" {
  for_each = local.iam_tiers
  name     = "${var.name}-${each.key}"
  role     = aws_iam_role.tier[each.key].name
  tags     = local.tags
}

data "aws_iam_policy_document" "assume_flow_logs" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${var.name}-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.assume_flow_logs.json
  tags               = local.tags
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}
