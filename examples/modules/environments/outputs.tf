output "log_compressor" {
  description = "The log compressor's DaemonSet and counters: desired equals the number of prod nodes."
  value = {
    daemonset = "${var.namespace}/log-compressor"
    desired   = local.compressor.desired
    ready     = local.compressor.ready
  }
}

output "namenode" {
  description = "The namenode's DaemonSet and counters: desired equals the number of high-CPU nodes."
  value = {
    daemonset = "${var.namespace}/hdfs-namenode"
    desired   = local.namenode.desired
    ready     = local.namenode.ready
  }
}

output "labelled_nodes" {
  description = "The env label of each labelled node."
  value       = { for n, r in kubedaemon_node_labels.env : n => r.labels.env }
}
