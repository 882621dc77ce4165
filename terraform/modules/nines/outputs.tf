output "api_endpoint" {
  description = "DNS name of the public load balancer (HTTPS on 443)."
  value       = aws_lb.api.dns_name
}

output "addresses" {
  description = "Private addresses of Consul, brokers, identity, usage and Prometheus."
  value       = module.layout.addresses
}

output "ssm_parameters" {
  description = "SecureString parameters to create (with the deployment's KMS key) before the first boot."
  value       = sort(distinct(concat(flatten([for t in values(local.iam_tiers) : t]))))
}

output "target_file" {
  description = "What `nines scenario --target FILE` needs, given an admin tunnel (identity is private)."
  value = {
    apiUrl        = "https://${aws_lb.api.dns_name}"
    adminUrl      = "http://${module.layout.addresses["identity"]}:${local.ports.identity}"
    prometheusUrl = "http://${module.layout.addresses["prometheus"]}:${local.ports.prometheus}"
  }
}
