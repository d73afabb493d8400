terraform {
  required_version = ">= 1.11"
  required_providers {
    kubedaemon = {
      source = "kubedaemon/kubedaemon"
    }
  }
}
