# The OpenTelemetry Collector as an agent on every Linux node, or on the
# nodes var.node_selector picks, through the built-in otel-collector-agent
# preset: OTLP on the node's ports, host metrics and pod logs, with each
# pod's Kubernetes attributes.
locals {
  otlp = {
    enabled  = var.otlp_endpoint != null
    endpoint = var.otlp_endpoint == null ? "" : var.otlp_endpoint
    insecure = var.otlp_insecure
    headers  = var.otlp_token_secret == null ? {} : { authorization = "Bearer $${env:OTLP_TOKEN}" }
  }

  values = merge(
    {
      image = var.image
      receivers = {
        otlp        = { grpc = { hostPort = var.host_ports.grpc }, http = { hostPort = var.host_ports.http } }
        hostmetrics = { enabled = var.host_metrics }
        filelog     = { enabled = var.pod_logs }
      }
      k8sattributes = { podLabels = var.pod_labels }
      exporters     = { otlp = local.otlp, debug = { enabled = var.otlp_endpoint == null } }
    },
    length(var.node_selector) == 0 ? {} : { nodeSelector = var.node_selector },
    var.otlp_token_secret == null ? {} : { envFrom = [{ secretRef = { name = var.otlp_token_secret } }] },
  )
}

resource "kubedaemon_preset" "this" {
  preset           = "otel-collector-agent"
  name             = var.name
  namespace        = var.namespace
  create_namespace = true
  values           = [yamlencode(local.values)]
}

locals {
  daemonset = "${var.namespace}/${var.name}"
  status    = kubedaemon_preset.this.daemonset_status[local.daemonset]
  service   = "${var.name}.${var.namespace}.svc"
}
