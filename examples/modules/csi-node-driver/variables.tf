variable "driver_name" {
  description = "The CSI driver's name, as in a StorageClass's provisioner, e.g. \"nfs.csi.k8s.io\"."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$", var.driver_name))
    error_message = "driver_name must be a DNS subdomain of at most 63 characters, e.g. \"nfs.csi.k8s.io\"."
  }
}

variable "driver_image" {
  description = "The driver's node plugin image."
  type = object({
    repository = string
    tag        = string
  })
}

variable "driver_args" {
  description = "Arguments of the driver; $(NODE_ID) and $(CSI_ENDPOINT) are set from the node name and the socket path. Null keeps the preset's."
  type        = list(string)
  default     = null
}

variable "registrar_image" {
  description = "node-driver-registrar sidecar image; null keeps the preset's."
  type = object({
    repository = string
    tag        = string
  })
  default = null
}

variable "liveness_probe_image" {
  description = "livenessprobe sidecar image; null keeps the preset's."
  type = object({
    repository = string
    tag        = string
  })
  default = null
}

variable "name" {
  description = "Release name, the base of the objects' names."
  type        = string
  default     = "csi-node"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS label."
  }
}

variable "namespace" {
  description = "Namespace of the node plugin."
  type        = string
  default     = "kube-system"
}

variable "health_port" {
  description = "Host port of the liveness probe; must be free on every node."
  type        = number
  default     = 29653
  validation {
    condition     = var.health_port >= 1024 && var.health_port <= 65535
    error_message = "health_port must be between 1024 and 65535."
  }
}

variable "kubelet_dir" {
  description = "The kubelet's root directory on the nodes."
  type        = string
  default     = "/var/lib/kubelet"
  validation {
    condition     = startswith(var.kubelet_dir, "/")
    error_message = "kubelet_dir must be an absolute path."
  }
}

variable "values" {
  description = "More values of the csi-node preset, merged last over the module's own (e.g. { tolerations = [...], serviceMonitor = { enabled = true } }); `kubedaemon values csi-node` lists them."
  type        = any
  default     = {}
}
