# Prometheus node exporter on every node, or on the nodes var.node_selector
# picks, through the built-in node-exporter preset.
resource "kubedaemon_preset" "this" {
  preset           = "node-exporter"
  name             = var.name
  namespace        = var.namespace
  create_namespace = true
  values = [yamlencode({
    image          = var.image
    port           = var.port
    nodeSelector   = var.node_selector
    extraArgs      = var.extra_args
    service        = { enabled = var.service }
    podAnnotations = { "prometheus.io/port" = tostring(var.port) }
  }), yamlencode(var.values)]
}

locals {
  daemonset = "${var.namespace}/${var.name}"
  status    = kubedaemon_preset.this.daemonset_status[local.daemonset]
}
