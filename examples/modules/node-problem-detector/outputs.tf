output "daemonset" {
  description = "The detector's DaemonSet, `namespace/name`."
  value       = local.daemonset
}

output "service" {
  description = "The Service of the metrics port (name, namespace, port, endpoint), or null when var.service is false."
  value = var.service ? {
    name      = var.name
    namespace = var.namespace
    port      = var.metrics_port
    endpoint  = "${var.name}.${var.namespace}.svc:${var.metrics_port}"
  } : null
}

output "desired" {
  description = "Nodes that should run the detector."
  value       = local.status.desired
}

output "ready" {
  description = "Nodes whose detector is ready."
  value       = local.status.ready
}

output "updated" {
  description = "Nodes that run the current image and settings."
  value       = local.status.updated
}

output "objects" {
  description = "The objects installed, `kind/namespace/name`, in install order."
  value       = kubedaemon_preset.this.inventory
}
