# The kubedaemon quickstart: `make demo` applies it to the local cluster.
# The provider reads the cluster from KUBE_CONFIG_PATH, which `make demo` sets.
#
# It is the seeds' scenario in small: label the first node env=prod and the
# others env=dev, run the logd collector (hostPort 6666, Downward API) on every
# node, the logcd compressor (hostPath /var/log) on prod nodes only, and the
# node-monitoring module (the node-exporter preset) everywhere.
terraform {
  required_version = ">= 1.11"
  required_providers {
    kubedaemon = {
      source = "kubedaemon/kubedaemon"
    }
  }
}

provider "kubedaemon" {}

data "kubedaemon_nodes" "all" {}

locals {
  nodes = data.kubedaemon_nodes.all.names
  envs  = { for i, n in local.nodes : n => (i == 0 ? "prod" : "dev") }
}

resource "kubedaemon_node_labels" "env" {
  for_each  = local.envs
  node_name = each.key
  labels    = { env = each.value }
}

# logd: a TCP log daemon on every node, reachable on the node's port 6666,
# that knows its node's address through the Downward API.
resource "kubedaemon_daemonset" "logd" {
  metadata {
    name      = "logd"
    namespace = "default"
  }
  spec {
    selector {
      match_labels = { app = "logd" }
    }
    template {
      metadata {
        labels = { app = "logd" }
      }
      spec {
        container {
          name  = "logd"
          image = "alpine:3.20"
          args  = ["/bin/sh", "-c", "nc -lk -p 6666 -e sh -c \"cat >> /var/node_log\""]
          port {
            container_port = 6666
            host_port      = 6666
          }
          env {
            name = "HOST_IP"
            value_from {
              field_ref {
                field_path = "status.hostIP"
              }
            }
          }
        }
      }
    }
  }
}

# logcd: compresses the node's logs, on production nodes only.
resource "kubedaemon_daemonset" "logcd" {
  metadata {
    name      = "logcd"
    namespace = "default"
  }
  spec {
    selector {
      match_labels = { app = "logcd" }
    }
    template {
      metadata {
        labels = { app = "logcd" }
      }
      spec {
        node_selector = { env = "prod" }
        container {
          name  = "logcd"
          image = "alpine:3.20"
          args  = ["/bin/sh", "-c", "while true; do gzip -r /var/log/archive 2>/dev/null; sleep 3600; done"]
          volume_mount {
            name       = "var-log"
            mount_path = "/var/log"
          }
        }
        volume {
          name = "var-log"
          host_path {
            path = "/var/log"
            type = "Directory"
          }
        }
      }
    }
  }
  depends_on = [kubedaemon_node_labels.env]
}

module "node_monitoring" {
  source    = "../modules/node-monitoring"
  namespace = "monitoring"
}

output "nodes" {
  description = "Nodes and the env label the quickstart gave them."
  value       = local.envs
}

output "daemonsets" {
  description = "ready/desired of each daemon."
  value = {
    "default/logd"             = "${kubedaemon_daemonset.logd.status.ready}/${kubedaemon_daemonset.logd.status.desired}"
    "default/logcd"            = "${kubedaemon_daemonset.logcd.status.ready}/${kubedaemon_daemonset.logcd.status.desired}"
    "monitoring/node-exporter" = "${module.node_monitoring.ready}/${module.node_monitoring.desired}"
  }
}

output "node_exporter_service" {
  description = "Where Prometheus scrapes the exporters."
  value       = module.node_monitoring.service
}
