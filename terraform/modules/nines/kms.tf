data "aws_caller_identity" "this" {}
data "aws_region" "this" {}
data "aws_partition" "this" {}

# One key for the deployment's data at rest: volumes, flow logs, SSM secrets.
resource "aws_kms_key" "this" {
  description         = "${var.name}: volumes, logs and secrets"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms.json
  tags                = local.tags
}

data "aws_iam_policy_document" "kms" {
  # In a key policy "*" as the resource means this key, and kms:* for the account root is
  # AWS's default key policy: without it the key could not be administered at all.
  #checkov:skip=CKV_AWS_111:a key policy's resource "*" is the key itself (AWS default key policy)
  #checkov:skip=CKV_AWS_356:a key policy's resource "*" is the key itself (AWS default key policy)
  #checkov:skip=CKV_AWS_109:the account root must administer its key (AWS default key policy)
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.this.partition}:iam::${data.aws_caller_identity.this.account_id}:root"]
    }
  }
  statement {
    sid       = "FlowLogsEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.this.name}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.this.partition}:logs:${data.aws_region.this.name}:${data.aws_caller_identity.this.account_id}:log-group:/${var.name}/*"]
    }
  }
}
