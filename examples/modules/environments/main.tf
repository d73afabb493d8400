# The seeds' scenario: production and development nodes, high-CPU hosts, a
# log compressor on production nodes only and an HDFS-namenode-like daemon on
# high-CPU nodes only. The two daemons are user presets (Helm charts) shipped in charts/.
resource "kubedaemon_node_labels" "env" {
  for_each  = merge({ for n in var.prod_nodes : n => "prod" }, { for n in var.dev_nodes : n => "dev" })
  node_name = each.key
  labels    = { env = each.value }
}

resource "kubedaemon_node_labels" "high_cpu" {
  for_each  = var.high_cpu_nodes
  node_name = each.key
  labels    = { host = "high-cpu" }
}

resource "kubedaemon_preset" "log_compressor" {
  # abspath: the provider does not run in the module's directory.
  preset           = abspath("${path.module}/charts/log-compressor")
  name             = "log-compressor"
  namespace        = var.namespace
  create_namespace = true
  values = [yamlencode({
    image            = var.log_compressor.image
    logDir           = var.log_compressor.log_dir
    olderThanMinutes = var.log_compressor.older_than_minutes
    nodeSelector     = { env = "prod" }
  })]

  # The labels first, so that the wait sees the nodes the daemon belongs on.
  depends_on = [kubedaemon_node_labels.env]
}

resource "kubedaemon_preset" "namenode" {
  preset           = abspath("${path.module}/charts/hdfs-namenode")
  name             = "hdfs-namenode"
  namespace        = var.namespace
  create_namespace = true
  values = [yamlencode({
    image        = var.namenode.image
    heapSize     = var.namenode.heap_size
    dataDir      = var.namenode.data_dir
    nodeSelector = { host = "high-cpu" }
  })]

  depends_on = [kubedaemon_node_labels.high_cpu]
}

locals {
  compressor = kubedaemon_preset.log_compressor.daemonset_status["${var.namespace}/log-compressor"]
  namenode   = kubedaemon_preset.namenode.daemonset_status["${var.namespace}/hdfs-namenode"]
}
