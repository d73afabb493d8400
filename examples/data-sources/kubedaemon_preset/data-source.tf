# Render the node exporter for review, without touching the cluster: the
# manifest is byte for byte what `kubedaemon render` prints.
data "kubedaemon_preset" "node_exporter" {
  preset    = "node-exporter"
  namespace = "monitoring"
  values = [yamlencode({
    image        = { tag = "v1.9.1" }
    nodeSelector = { "node-role.example.com/worker" = "true" }
  })]
  set {
    name  = "extraArgs"
    value = jsonencode(["--collector.systemd"])
    type  = "json"
  }
}

output "manifest" {
  value = data.kubedaemon_preset.node_exporter.manifest
}

output "objects" {
  value = [for o in data.kubedaemon_preset.node_exporter.objects : o.key]
}
