terraform {
  # Provider-free: test/terraform/role-units.test.ts renders it with a real `tofu apply`
  # offline and runs what it renders.
  required_version = ">= 1.8.0"
}
