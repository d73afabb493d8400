output "driver_name" {
  description = "The CSI driver's name, for a StorageClass's provisioner."
  value       = var.driver_name
}

output "daemonset" {
  description = "The node plugin's DaemonSet, `namespace/name`."
  value       = local.daemonset
}

output "desired" {
  description = "Nodes that should run the node plugin."
  value       = local.status.desired
}

output "ready" {
  description = "Nodes whose node plugin is ready."
  value       = local.status.ready
}

output "objects" {
  description = "The objects installed, `kind/namespace/name`, in install order."
  value       = kubedaemon_preset.this.inventory
}
