variable "name" {
  description = "Release name: the name of the DaemonSet, its ConfigMap, Service, ServiceAccount and ClusterRole."
  type        = string
  default     = "otel-agent"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label: lowercase letters, digits and '-', e.g. \"otel-agent\"."
  }
}

variable "namespace" {
  description = "Namespace of the agent's objects; created when missing."
  type        = string
  default     = "observability"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label, e.g. \"observability\"."
  }
}

variable "image" {
  description = "OpenTelemetry Collector image (the Kubernetes distribution): registry, repository and tag."
  type = object({
    registry   = optional(string, "docker.io")
    repository = optional(string, "otel/opentelemetry-collector-k8s")
    tag        = optional(string, "0.159.0")
  })
  default = {}
  validation {
    condition     = length(var.image.repository) > 0 && length(var.image.tag) > 0
    error_message = "image.repository and image.tag must not be empty."
  }
}

variable "node_selector" {
  description = "Labels a node must have to run the agent, e.g. { \"node-role.example.com/worker\" = \"true\" }. Empty: every Linux node."
  type        = map(string)
  default     = {}
}

variable "otlp_endpoint" {
  description = "OTLP/gRPC endpoint every signal goes to, e.g. \"otel-gateway.observability.svc:4317\". Null: the agent only prints what it receives to its log."
  type        = string
  default     = null
}

variable "otlp_insecure" {
  description = "Whether to send to otlp_endpoint without TLS."
  type        = bool
  default     = false
}

variable "otlp_token_secret" {
  description = "Name of a Secret in the namespace whose key OTLP_TOKEN is sent as \"authorization: Bearer <token>\" to otlp_endpoint; null for none."
  type        = string
  default     = null
}

variable "host_ports" {
  description = "Node ports of the OTLP receivers, gRPC and HTTP; 0 for none."
  type = object({
    grpc = optional(number, 4317)
    http = optional(number, 4318)
  })
  default = {}
  validation {
    condition     = alltrue([for p in [var.host_ports.grpc, var.host_ports.http] : p >= 0 && p <= 65535 && floor(p) == p])
    error_message = "host_ports.grpc and host_ports.http must be integers between 0 and 65535."
  }
}

variable "host_metrics" {
  description = "Whether to collect the node's metrics (hostmetrics receiver)."
  type        = bool
  default     = true
}

variable "pod_logs" {
  description = "Whether to collect the container logs under /var/log/pods (file_log receiver)."
  type        = bool
  default     = true
}

variable "pod_labels" {
  description = "Pod label keys added to every signal as k8s.pod.labels.<key>, e.g. [\"app.kubernetes.io/name\"]."
  type        = list(string)
  default     = []
}
