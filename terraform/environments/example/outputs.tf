output "api_endpoint" {
  description = "Where customers send requests (HTTPS)."
  value       = module.nines.api_endpoint
}

output "ssm_parameters" {
  description = "Secrets to put in SSM Parameter Store before the first boot."
  value       = module.nines.ssm_parameters
}

output "target_file" {
  description = "The body of a `nines scenario --target` file for this deployment."
  value       = module.nines.target_file
}
