variable "role" {
  description = "The nines process this instance runs: api, broker, worker, usage or identity."
  type        = string

  validation {
    condition     = contains(["api", "broker", "worker", "usage", "identity"], var.role)
    error_message = "role is one of api, broker, worker, usage, identity."
  }
}

variable "cluster" {
  description = "Where the role finds the rest of the deployment, and the ports every role listens on."
  type = object({
    consul_urls  = list(string)
    queue_shards = number
    identity_url = string
    usage_url    = string
    ports = object({
      api         = number
      blob        = number
      identity    = number
      usage       = number
      mqtt        = number
      broker_http = number
      worker_http = number
    })
  })
}

variable "broker" {
  description = "For role broker: its id, queue shard and the MQTT URL it advertises in the shard's leader key."
  type        = object({ id = string, shard = number, advertise = string })
  default     = null

  validation {
    condition     = var.broker == null || can(regex("^mqtt://", var.broker.advertise))
    error_message = "broker.advertise is an mqtt:// URL."
  }
}

variable "extra_env" {
  description = "More settings from the README's configuration table (NINES_*), e.g. NINES_LOG_LEVEL. Secrets do not go here: see secret_names."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_env) : can(regex("^NINES_[A-Z0-9_]+$", k))])
    error_message = "Every setting is a NINES_* variable from the README's configuration table."
  }
  validation {
    # User data is readable by anyone who can describe the instance; secrets come from SSM.
    condition     = alltrue([for k in keys(var.extra_env) : !can(regex("(SECRET|TOKEN)", k))])
    error_message = "Secrets (…_SECRET…, …_TOKEN) must not be in user data; they are read from SSM Parameter Store at boot."
  }
}

variable "install_dir" {
  description = "Where nines is unpacked; the unit's working directory."
  type        = string
  default     = "/opt/nines"
}

variable "node_bin" {
  description = "The Node 20 binary the unit runs."
  type        = string
  default     = "/opt/node/bin/node"
}

variable "config_dir" {
  description = "Where the environment files go."
  type        = string
  default     = "/etc/nines"
}

variable "data_dir" {
  description = "The only directory the service may write (SQLite files of identity and usage)."
  type        = string
  default     = "/var/lib/nines"
}

variable "nines_tarball_url" {
  description = "An https URL of the nines release tarball (the repository with package-lock.json)."
  type        = string
  default     = "https://example.invalid/nines.tar.gz"
}

variable "node_tarball_url" {
  description = "An https URL of the Node 20 linux-x64 tarball."
  type        = string
  default     = "https://nodejs.org/dist/v20.20.0/node-v20.20.0-linux-x64.tar.xz"
}

variable "ssm_prefix" {
  description = "SSM Parameter Store path holding this deployment's secrets, e.g. /nines/example."
  type        = string
  default     = "/nines/example"
}

variable "data_device" {
  description = "Block device of the role's data volume (identity, usage: SQLite), or empty for none."
  type        = string
  default     = ""
}
