# Keep everything that does not tolerate it off the GPU node.
resource "kubedaemon_node_taints" "gpu" {
  node_name = "worker-gpu-0"
  taint {
    key    = "dedicated"
    value  = "gpu"
    effect = "NoSchedule"
  }
}
