# Node problem detector on every Linux node, or on the nodes
# var.node_selector picks, through the built-in node-problem-detector preset:
# kernel and system log problems become node conditions and Events. The
# kernel's messages come from the nodes' journal, unprivileged, unless
# var.kernel_source is "kmsg".
locals {
  values = merge(
    {
      image                    = var.image
      kernelMonitor            = { source = var.kernel_source, journalPath = var.journal_path }
      systemLogMonitors        = var.system_log_monitors
      customPluginMonitors     = var.custom_plugin_monitors
      customMonitorDefinitions = var.custom_monitors
      metrics                  = { enabled = true, port = var.metrics_port }
      service                  = { enabled = var.service, port = var.metrics_port }
      extraArgs                = var.extra_args
    },
    length(var.node_selector) == 0 ? {} : { nodeSelector = var.node_selector },
  )
}

resource "kubedaemon_preset" "this" {
  preset           = "node-problem-detector"
  name             = var.name
  namespace        = var.namespace
  create_namespace = true
  values           = [yamlencode(local.values)]
}

locals {
  daemonset = "${var.namespace}/${var.name}"
  status    = kubedaemon_preset.this.daemonset_status[local.daemonset]
}
