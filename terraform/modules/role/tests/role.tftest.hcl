# `tofu test` runs these offline: what a role's user data may and may not carry.

variables {
  role = "api"
  cluster = {
    consul_urls  = ["http://10.40.128.10:8500", "http://10.40.144.11:8500"]
    queue_shards = 2
    identity_url = "http://10.40.128.5:8081"
    usage_url    = "http://10.40.144.6:8082"
    ports        = { api = 8080, blob = 8090, identity = 8081, usage = 8082, mqtt = 1883, broker_http = 9101, worker_http = 9102 }
  }
}

run "renders_the_unit_and_its_secrets" {
  command = plan

  assert {
    condition     = output.unit_name == "nines-api.service" && strcontains(output.user_data, "nines-api.service")
    error_message = "the api unit is missing from the user data"
  }
  assert {
    condition     = jsonencode(output.ssm_parameters) == jsonencode(["NINES_MQTT_SECRET_API", "NINES_SERVICE_TOKEN"])
    error_message = "api secrets: ${jsonencode(output.ssm_parameters)}"
  }
  assert {
    condition     = startswith(output.user_data, "#cloud-config\n")
    error_message = "user data must start with #cloud-config"
  }
  assert {
    condition     = output.env["NINES_CONSUL_URL"] == "http://10.40.128.10:8500,http://10.40.144.11:8500" && output.env["NINES_QUEUE_SHARDS"] == "2"
    error_message = "api env: ${jsonencode(output.env)}"
  }
  assert {
    condition     = strcontains(output.user_data, "node scripts/build.mjs") && strcontains(output.user_data, "/dist/system/api/main.js") && !strcontains(output.user_data, "tsx")
    error_message = "the api must run from the JavaScript its install builds, not through tsx"
  }
  assert {
    condition     = !strcontains(output.user_data, "build-native.sh") && !strcontains(output.user_data, "UV_THREADPOOL_SIZE")
    error_message = "only workers build the TurboJPEG binding and size their libuv pool"
  }
}

run "a_worker_builds_its_jpeg_binding" {
  command = plan
  variables {
    role = "worker"
  }

  assert {
    condition     = strcontains(output.user_data, "libturbojpeg0-dev") && strcontains(output.user_data, "bash scripts/build-native.sh")
    error_message = "the worker's user data does not build the TurboJPEG binding"
  }
  assert {
    condition     = strcontains(output.user_data, "UV_THREADPOOL_SIZE")
    error_message = "the worker's instance environment does not size its libuv pool"
  }
}

run "a_broker_advertises_its_shard" {
  command = plan
  variables {
    role   = "broker"
    broker = { id = "broker-1-a", shard = 1, advertise = "mqtt://10.40.144.33:1883" }
  }

  assert {
    condition     = output.env["NINES_QUEUE_SHARD"] == "1" && output.env["NINES_BROKER_ADVERTISE"] == "mqtt://10.40.144.33:1883"
    error_message = "broker env: ${jsonencode(output.env)}"
  }
}

run "a_broker_needs_its_identity" {
  command = plan
  variables {
    role = "broker"
  }
  expect_failures = [output.env]
}

run "refuses_a_secret_in_user_data" {
  command = plan
  variables {
    extra_env = { NINES_SERVICE_TOKEN = "hunter2" }
  }
  expect_failures = [var.extra_env]
}

run "refuses_a_setting_outside_the_configuration_table" {
  command = plan
  variables {
    extra_env = { PORT = "8080" }
  }
  expect_failures = [var.extra_env]
}

run "refuses_an_unknown_role" {
  command = plan
  variables {
    role = "scheduler"
  }
  expect_failures = [var.role]
}
