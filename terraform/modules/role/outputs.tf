output "user_data" {
  description = "The instance's cloud-init user data (#cloud-config)."
  value       = local.user_data
}

output "unit_name" {
  description = "The systemd unit that runs the role."
  value       = local.unit_name
}

output "secret_names" {
  description = "The variables the role reads from its secrets file (fetched from SSM at boot)."
  value       = local.secret_names
}

output "ssm_parameters" {
  description = "SSM parameter names (under ssm_prefix) the role's instance profile may read."
  value       = distinct(values(local.ssm_names))
}

output "env" {
  description = "The role's settings as written to its environment file."
  value       = local.env

  precondition {
    condition     = var.role != "broker" || var.broker != null
    error_message = "role broker needs var.broker (id, shard, advertise)."
  }
}
