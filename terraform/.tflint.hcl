# tflint over terraform/ (test/terraform/static-checks.test.ts): the bundled terraform
# ruleset with every rule on. The AWS ruleset cannot be had on these machines.
config {
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
