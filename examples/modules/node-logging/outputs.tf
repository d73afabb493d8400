output "daemonset" {
  description = "The collector's DaemonSet, `namespace/name`."
  value       = local.daemonset
}

output "node_selector" {
  description = "The node label the collector runs on; label a node with it to collect its logs."
  value       = local.node_selector
}

output "desired" {
  description = "Labelled nodes that should run the collector."
  value       = local.status.desired
}

output "ready" {
  description = "Nodes whose collector is ready."
  value       = local.status.ready
}

output "objects" {
  description = "The objects installed, `kind/namespace/name`, in install order."
  value       = kubedaemon_preset.this.inventory
}
