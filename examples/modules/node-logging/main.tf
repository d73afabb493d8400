# A log collector on the nodes labelled var.node_label, shipping to
# var.output, through the built-in fluent-bit or fluentd preset.
locals {
  name = coalesce(var.name, var.collector)

  node_selector = { (var.node_label.key) = var.node_label.value }

  destination = { for k, v in { host = var.output.host, port = var.output.port } : k => v if v != null }

  fluent_bit_values = {
    nodeSelector = local.node_selector
    output = merge(
      { type = var.output.type },
      var.output.type == "stdout" ? {} : { (var.output.type) = local.destination },
    )
  }
  fluentd_values = {
    nodeSelector  = local.node_selector
    elasticsearch = local.destination
  }
  image_values = var.image_tag == null ? {} : { image = { tag = var.image_tag } }
}

resource "kubedaemon_preset" "this" {
  preset           = var.collector
  name             = local.name
  namespace        = var.namespace
  create_namespace = true
  values = [
    var.collector == "fluent-bit" ? yamlencode(local.fluent_bit_values) : yamlencode(local.fluentd_values),
    yamlencode(local.image_values),
    yamlencode(var.values),
  ]
}

locals {
  daemonset = "${var.namespace}/${local.name}"
  status    = kubedaemon_preset.this.daemonset_status[local.daemonset]
}
