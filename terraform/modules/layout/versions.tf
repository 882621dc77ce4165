terraform {
  # Provider-free on purpose: everything here runs offline under `tofu test` (test/terraform/).
  required_version = ">= 1.8.0"
}
