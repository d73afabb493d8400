# Reach the cluster through a kubeconfig, as kubectl does.
provider "kubedaemon" {
  config_path    = "~/.kube/config"
  config_context = "prod"
}

# Or with an address and credentials, e.g. from a cluster created in the same
# configuration.
provider "kubedaemon" {
  alias                  = "direct"
  host                   = "https://203.0.113.10:6443"
  token                  = var.token
  cluster_ca_certificate = file("ca.pem")
}

variable "token" {
  type      = string
  sensitive = true
}
