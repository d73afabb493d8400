# The CSI node plugin of one driver, with its registrar and liveness-probe
# sidecars and the CSIDriver object, through the built-in csi-node preset.
locals {
  values = merge(
    {
      driver = merge(
        { name = var.driver_name, image = var.driver_image, healthPort = var.health_port },
        var.driver_args == null ? {} : { args = var.driver_args },
      )
      kubeletDir = var.kubelet_dir
    },
    var.registrar_image == null ? {} : { registrar = { image = var.registrar_image } },
    var.liveness_probe_image == null ? {} : { livenessProbe = { image = var.liveness_probe_image } },
  )
}

resource "kubedaemon_preset" "this" {
  preset           = "csi-node"
  name             = var.name
  namespace        = var.namespace
  create_namespace = true
  values           = [yamlencode(local.values), yamlencode(var.values)]
}

locals {
  daemonset = one(kubedaemon_preset.this.daemonsets)
  status    = kubedaemon_preset.this.daemonset_status[local.daemonset]
}
