# The seeds' layout: one production node for high-CPU daemons, the rest dev.
resource "kubedaemon_node_labels" "prod" {
  node_name = "worker-0"
  labels = {
    env  = "prod"
    host = "high-cpu"
  }
}

# Every c5.4xlarge node, including ones that join later (they show up as a
# change in the next plan).
resource "kubedaemon_node_labels" "high_cpu" {
  node_selector = { "node.kubernetes.io/instance-type" = "c5.4xlarge" }
  labels        = { "example.com/tier" = "compute" }
}
