# The kubedaemon quickstart: `make demo` applies it to the local cluster.
# The provider reads the cluster from KUBE_CONFIG_PATH, which `make demo` sets.
terraform {
  required_version = ">= 1.5"
  required_providers {
    kubedaemon = {
      source = "kubedaemon/kubedaemon"
    }
  }
}

provider "kubedaemon" {}

# Every node of the cluster, with labels, taints and readiness.
data "kubedaemon_nodes" "all" {}

output "nodes" {
  description = "Nodes, and whether each is ready."
  value       = { for n in data.kubedaemon_nodes.all.nodes : n.name => n.ready }
}
