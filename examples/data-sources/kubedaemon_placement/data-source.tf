# Where would a prod-only agent that tolerates the GPU taint run, and why not
# elsewhere?
data "kubedaemon_placement" "agent" {
  node_selector = { env = "prod" }

  toleration {
    key      = "dedicated"
    operator = "Equal"
    value    = "gpu"
    effect   = "NoSchedule"
  }
}

output "agent_nodes" {
  value = data.kubedaemon_placement.agent.nodes
}

output "agent_excluded" {
  value = { for e in data.kubedaemon_placement.agent.excluded : e.node => e.reason... }
}
