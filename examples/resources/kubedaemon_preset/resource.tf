# Fluent Bit on every node, shipping to Loki. The plan lists each object
# that changes; apply returns once Fluent Bit runs on every node.
resource "kubedaemon_preset" "fluent_bit" {
  preset           = "fluent-bit"
  namespace        = "logging"
  create_namespace = true
  values = [yamlencode({
    output = {
      type = "loki"
      loki = { host = "loki-gateway.logging.svc", port = 80 }
    }
  })]
  set {
    name  = "image.tag"
    value = "4.0.3"
    type  = "string"
  }

  timeouts {
    create = "5m"
    update = "5m"
  }
}

# A Helm chart of your own: a chart folder (Chart.yaml, values.yaml,
# templates/) or a packaged .tgz, rendered as `helm template` renders it.
# This chart is the one examples/modules/environments ships.
resource "kubedaemon_preset" "log_compressor" {
  preset    = abspath("${path.module}/../../modules/environments/charts/log-compressor")
  namespace = "ops"
  values    = [yamlencode({ nodeSelector = { env = "prod" } })]
}

output "fluent_bit_ready" {
  value = kubedaemon_preset.fluent_bit.daemonset_status["logging/fluent-bit"].ready
}
