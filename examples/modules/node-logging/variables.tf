variable "collector" {
  description = "The log collector: \"fluent-bit\" (any output) or \"fluentd\" (Elasticsearch only)."
  type        = string
  default     = "fluent-bit"
  validation {
    condition     = contains(["fluent-bit", "fluentd"], var.collector)
    error_message = "collector must be \"fluent-bit\" or \"fluentd\"."
  }
}

variable "name" {
  description = "Release name; defaults to the collector's name."
  type        = string
  default     = null
  validation {
    condition     = var.name == null || can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label, e.g. \"fluent-bit\"."
  }
}

variable "namespace" {
  description = "Namespace of the collector; created when missing."
  type        = string
  default     = "logging"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label, e.g. \"logging\"."
  }
}

variable "node_label" {
  description = "The label that marks the nodes to collect logs from: the collector runs only on nodes that carry it."
  type = object({
    key   = string
    value = string
  })
  default = { key = "logging.kubedaemon.dev/collect", value = "true" }
  validation {
    condition     = length(var.node_label.key) > 0
    error_message = "node_label.key must not be empty."
  }
}

variable "output" {
  description = "Where the logs go: type (stdout, forward, elasticsearch or loki; fluentd supports only elasticsearch), host and port of the destination."
  type = object({
    type = string
    host = optional(string)
    port = optional(number)
  })
  default = { type = "stdout" }
  validation {
    condition     = contains(["stdout", "forward", "elasticsearch", "loki"], var.output.type)
    error_message = "output.type must be one of stdout, forward, elasticsearch, loki."
  }
  validation {
    condition     = var.output.type == "stdout" || var.output.host != null
    error_message = "output.host is required unless output.type is stdout."
  }
  validation {
    condition     = var.collector == "fluent-bit" || var.output.type == "elasticsearch"
    error_message = "fluentd ships to Elasticsearch only: set output.type = \"elasticsearch\", or collector = \"fluent-bit\"."
  }
}

variable "image_tag" {
  description = "Image tag of the collector; null keeps the preset's default."
  type        = string
  default     = null
}

variable "values" {
  description = "More values of the collector's preset, merged last over the module's own (e.g. { tolerations = [...], serviceMonitor = { enabled = true } }); `kubedaemon values fluent-bit` or `kubedaemon values fluentd` lists them."
  type        = any
  default     = {}
}
