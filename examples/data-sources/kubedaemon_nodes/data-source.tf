# Every node labelled env=prod, with its labels, taints and readiness.
data "kubedaemon_nodes" "prod" {
  selector = "env=prod"
}

output "prod_nodes" {
  value = data.kubedaemon_nodes.prod.names
}

# Nodes that are ready and not tainted NoSchedule.
output "schedulable_nodes" {
  value = [
    for n in data.kubedaemon_nodes.prod.nodes : n.name
    if n.ready && !n.unschedulable && length([for t in n.taints : t if t.effect == "NoSchedule"]) == 0
  ]
}
