variable "name" {
  description = "Release name: the name of the DaemonSet, its ServiceAccount and its ClusterRole."
  type        = string
  default     = "node-problem-detector"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label: lowercase letters, digits and '-', e.g. \"node-problem-detector\"."
  }
}

variable "namespace" {
  description = "Namespace of the detector's objects; created when missing."
  type        = string
  default     = "kube-system"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label, e.g. \"kube-system\"."
  }
}

variable "image" {
  description = "Node problem detector image: registry, repository and tag."
  type = object({
    registry   = optional(string, "registry.k8s.io")
    repository = optional(string, "node-problem-detector/node-problem-detector")
    tag        = optional(string, "v1.36.0")
  })
  default = {}
  validation {
    condition     = length(var.image.repository) > 0 && length(var.image.tag) > 0
    error_message = "image.repository and image.tag must not be empty."
  }
}

variable "node_selector" {
  description = "Labels a node must have to run the detector, e.g. { \"node-role.example.com/worker\" = \"true\" }. Empty: every Linux node."
  type        = map(string)
  default     = {}
}

variable "kernel_source" {
  description = "Where the kernel monitor reads the kernel's messages: \"journald\" (the node's journal, an unprivileged container) or \"kmsg\" (/dev/kmsg, which makes the container privileged)."
  type        = string
  default     = "journald"
  validation {
    condition     = contains(["journald", "kmsg"], var.kernel_source)
    error_message = "kernel_source must be \"journald\" or \"kmsg\"."
  }
}

variable "journal_path" {
  description = "The nodes' journal folder, read by the journald kernel monitor: /var/log/journal, or /run/log/journal where journald keeps the journal in memory."
  type        = string
  default     = "/var/log/journal"
  validation {
    condition     = startswith(var.journal_path, "/")
    error_message = "journal_path must be an absolute path, e.g. \"/var/log/journal\"."
  }
}

variable "system_log_monitors" {
  description = "More monitor files of the system log monitor, after the kernel monitor's: /config/... files of the image, or /custom-config/<name> for a custom_monitors entry."
  type        = list(string)
  default     = []
}

variable "custom_plugin_monitors" {
  description = "Monitor files of the custom plugin monitor, e.g. [\"/config/network-problem-monitor.json\"]."
  type        = list(string)
  default     = []
}

variable "custom_monitors" {
  description = "Monitor files and plugin scripts by file name, mounted at /custom-config; name them in the monitor lists."
  type        = map(string)
  default     = {}
}

variable "metrics_port" {
  description = "Port of the detector's Prometheus endpoint, and of the Service that exposes it."
  type        = number
  default     = 20257
  validation {
    condition     = var.metrics_port >= 1 && var.metrics_port <= 65535 && floor(var.metrics_port) == var.metrics_port
    error_message = "metrics_port must be an integer between 1 and 65535."
  }
}

variable "service" {
  description = "Whether to create a Service for the metrics port."
  type        = bool
  default     = false
}

variable "extra_args" {
  description = "Extra command-line flags of the detector, e.g. [\"--v=2\"]."
  type        = list(string)
  default     = []
}
