terraform {
  required_version = ">= 1.9"
  required_providers {
    kubedaemon = {
      source = "kubedaemon/kubedaemon"
    }
  }
}
