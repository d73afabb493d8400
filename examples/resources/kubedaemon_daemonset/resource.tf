# The logd node daemon: a log collector on every node, reachable on the
# node's port 6666, that knows its node through the Downward API.
resource "kubedaemon_daemonset" "logd" {
  metadata {
    name      = "logd"
    namespace = "kube-system"
  }
  spec {
    selector {
      match_labels = { name = "logd" }
    }
    template {
      metadata {
        labels = { name = "logd" }
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
          resources {
            requests = { cpu = "100m", memory = "64Mi" }
            limits   = { memory = "128Mi" }
          }
        }
        toleration {
          key      = "node-role.kubernetes.io/control-plane"
          operator = "Exists"
          effect   = "NoSchedule"
        }
      }
    }
  }

  timeouts {
    create = "5m"
    update = "10m"
  }
}

output "logd_ready" {
  value = "${kubedaemon_daemonset.logd.status.ready}/${kubedaemon_daemonset.logd.status.desired}"
}
