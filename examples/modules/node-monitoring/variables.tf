variable "name" {
  description = "Release name: the name of the DaemonSet, its ServiceAccount and Service."
  type        = string
  default     = "node-exporter"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label: lowercase letters, digits and '-', e.g. \"node-exporter\"."
  }
}

variable "namespace" {
  description = "Namespace of the exporter's objects; created when missing."
  type        = string
  default     = "monitoring"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label, e.g. \"monitoring\"."
  }
}

variable "image" {
  description = "Node exporter image repository and tag."
  type = object({
    repository = optional(string, "quay.io/prometheus/node-exporter")
    tag        = optional(string, "v1.12.1")
  })
  default = {}
  validation {
    condition     = length(var.image.repository) > 0 && length(var.image.tag) > 0
    error_message = "image.repository and image.tag must not be empty."
  }
}

variable "node_selector" {
  description = "Labels a node must have to run the exporter, e.g. { \"node-role.example.com/worker\" = \"true\" }. Empty: every Linux node."
  type        = map(string)
  default     = {}
}

variable "port" {
  description = "Host port the exporter listens on, and the Service's scrape port."
  type        = number
  default     = 9100
  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be an integer between 1 and 65535."
  }
}

variable "service" {
  description = "Whether to create the Service that Prometheus scrapes."
  type        = bool
  default     = true
}

variable "extra_args" {
  description = "Extra command-line flags of the exporter, e.g. [\"--collector.systemd\"]."
  type        = list(string)
  default     = []
}

variable "values" {
  description = "More values of the node-exporter preset, merged last over the module's own (e.g. { tolerations = [...], serviceMonitor = { enabled = true } }); `kubedaemon values node-exporter` lists them."
  type        = any
  default     = {}
}
