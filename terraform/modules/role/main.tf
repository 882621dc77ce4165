locals {
  unit_name    = "nines-${var.role}.service"
  env_path     = "${var.config_dir}/${var.role}.env"
  secrets_path = "${var.config_dir}/${var.role}.secrets.env"
  # Written at boot: what only the running instance knows (its address).
  instance_path = "${var.config_dir}/instance.env"

  # The secrets each role reads (README configuration table), kept in SSM as
  # <ssm_prefix>/<VARIABLE>: one parameter per secret, shared by the roles that need it.
  secret_names = {
    api      = ["NINES_MQTT_SECRET", "NINES_SERVICE_TOKEN"]
    worker   = ["NINES_MQTT_SECRET"]
    usage    = ["NINES_MQTT_SECRET", "NINES_SERVICE_TOKEN"]
    identity = ["NINES_ADMIN_TOKEN", "NINES_SERVICE_TOKEN"]
    broker   = ["NINES_MQTT_SECRET_API", "NINES_MQTT_SECRET_WORKER", "NINES_MQTT_SECRET_USAGE"]
  }[var.role]

  # A role's MQTT secret is the broker's secret for that role: one SSM parameter each.
  ssm_names = { for n in local.secret_names : n => n == "NINES_MQTT_SECRET" ? "NINES_MQTT_SECRET_${upper(var.role)}" : n }

  # Each role's settings, named as in the README's configuration table. NINES_HOST comes from
  # the instance at boot (instance.env), secrets from SSM (.secrets.env).
  clients = {
    NINES_CONSUL_URL   = join(",", var.cluster.consul_urls)
    NINES_QUEUE_SHARDS = tostring(var.cluster.queue_shards)
  }
  role_env = {
    api = merge(local.clients, {
      NINES_API_PORT      = tostring(var.cluster.ports.api)
      NINES_API_BLOB_PORT = tostring(var.cluster.ports.blob)
      NINES_IDENTITY_URL  = var.cluster.identity_url
      NINES_USAGE_URL     = var.cluster.usage_url
    })
    worker = merge(local.clients, { NINES_WORKER_HTTP_PORT = tostring(var.cluster.ports.worker_http) })
    usage = merge(local.clients, {
      NINES_USAGE_PORT = tostring(var.cluster.ports.usage)
      NINES_USAGE_DB   = "${var.data_dir}/usage.db"
    })
    identity = {
      NINES_IDENTITY_PORT = tostring(var.cluster.ports.identity)
      NINES_IDENTITY_DB   = "${var.data_dir}/identity.db"
    }
    broker = var.broker == null ? {} : merge(local.clients, {
      NINES_QUEUE_SHARD      = tostring(var.broker.shard)
      NINES_BROKER_ID        = var.broker.id
      NINES_BROKER_PORT      = tostring(var.cluster.ports.mqtt)
      NINES_BROKER_HTTP_PORT = tostring(var.cluster.ports.broker_http)
      NINES_BROKER_ADVERTISE = var.broker.advertise
    })
  }
  env      = merge(local.role_env[var.role], var.extra_env)
  env_file = templatefile("${path.module}/templates/role.env.tftpl", { env = local.env })
  unit = templatefile("${path.module}/templates/nines-role.service.tftpl", {
    role          = var.role
    install_dir   = var.install_dir
    node_bin      = var.node_bin
    env_path      = local.env_path
    secrets_path  = local.secrets_path
    instance_path = local.instance_path
    data_dir      = var.data_dir
  })
  instance_env = templatefile("${path.module}/templates/instance-env.sh.tftpl", { instance_path = local.instance_path, worker = var.role == "worker" })
  fetch_secrets = templatefile("${path.module}/templates/fetch-secrets.sh.tftpl", {
    ssm_prefix   = var.ssm_prefix
    ssm_names    = local.ssm_names
    secrets_path = local.secrets_path
  })
  install = templatefile("${path.module}/templates/install-nines.sh.tftpl", {
    install_dir       = var.install_dir
    data_dir          = var.data_dir
    nines_tarball_url = var.nines_tarball_url
    node_tarball_url  = var.node_tarball_url
    node_dir          = dirname(dirname(var.node_bin))
    build_native      = var.role == "worker"
  })
  user_data = templatefile("${path.module}/templates/cloud-init.yaml.tftpl", {
    role          = var.role
    unit_name     = local.unit_name
    unit          = local.unit
    env_path      = local.env_path
    env_file      = local.env_file
    fetch_secrets = local.fetch_secrets
    install       = local.install
    instance_env  = local.instance_env
    data_device   = var.data_device
    data_dir      = var.data_dir
  })
}
