output "daemonset" {
  description = "The agent's DaemonSet, `namespace/name`."
  value       = local.daemonset
}

output "otlp_grpc_endpoint" {
  description = "The agents' OTLP/gRPC endpoint inside the cluster: the Service, which keeps each pod's traffic on its own node."
  value       = "${local.service}:4317"
}

output "otlp_http_endpoint" {
  description = "The agents' OTLP/HTTP endpoint inside the cluster, as a URL."
  value       = "http://${local.service}:4318"
}

output "desired" {
  description = "Nodes that should run the agent."
  value       = local.status.desired
}

output "ready" {
  description = "Nodes whose agent is ready."
  value       = local.status.ready
}

output "updated" {
  description = "Nodes that run the current image and configuration."
  value       = local.status.updated
}

output "objects" {
  description = "The objects installed, `kind/namespace/name`, in install order."
  value       = kubedaemon_preset.this.inventory
}
