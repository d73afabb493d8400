resource "kubedaemon_daemonset" "node_exporter" {
  metadata {
    name      = "node-exporter"
    namespace = "monitoring"
    labels = {
      "k8s-app"                         = "node-exporter"
      "kubernetes.io/cluster-service"   = "true"
      "addonmanager.kubernetes.io/mode" = "Reconcile"
      version                           = "v0.15.2"
    }
  }
  spec {
    selector {
      match_labels = { "k8s-app" = "node-exporter", version = "v0.15.2" }
    }
    update_strategy {
      type = "OnDelete"
    }
    template {
      metadata {
        labels = { "k8s-app" = "node-exporter", version = "v0.15.2" }
      }
      spec {
        priority_class_name = "system-node-critical"
        host_network        = true
        host_pid            = true
        container {
          name  = "prometheus-node-exporter"
          image = "prom/node-exporter:v0.15.2"
          args  = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys"]
          port {
            name           = "metrics"
            container_port = 9100
            host_port      = 9100
          }
          volume_mount {
            name       = "proc"
            mount_path = "/host/proc"
            read_only  = true
          }
          volume_mount {
            name       = "sys"
            mount_path = "/host/sys"
            read_only  = true
          }
          resources {
            limits   = { memory = "50Mi" }
            requests = { cpu = "100m", memory = "50Mi" }
          }
        }
        volume {
          name = "proc"
          host_path {
            path = "/proc"
          }
        }
        volume {
          name = "sys"
          host_path {
            path = "/sys"
          }
        }
      }
    }
  }
}

resource "kubedaemon_node_labels" "node" {
  node_name = "worker-1"
  labels    = { "example.com/pool" = var.pool }
}

resource "kubedaemon_node_taints" "node" {
  node_name = "worker-1"
  taint {
    key    = "dedicated"
    value  = "logging"
    effect = "NoSchedule"
  }
}

# A DaemonSet that spells out what Kubernetes defaults anyway.
resource "kubedaemon_daemonset" "agent" {
  metadata {
    name = "agent"
  }
  spec {
    selector {
      match_labels = { app = "agent" }
    }
    template {
      metadata {
        labels = { app = "agent" }
      }
      spec {
        termination_grace_period_seconds = var.grace
        container {
          name  = "agent"
          image = "example.com/agent:latest"
          volume_mount {
            name       = "config"
            mount_path = "/etc/agent"
          }
        }
        volume {
          name = "config"
          config_map {
            name         = "agent"
            default_mode = 416
            items {
              key  = "agent.yaml"
              path = "agent.yaml"
              mode = 420
            }
          }
        }
      }
    }
  }
}

moved {
  from = kubernetes_daemon_set_v1.node_exporter
  to   = kubedaemon_daemonset.node_exporter
}

moved {
  from = kubernetes_labels.node
  to   = kubedaemon_node_labels.node
}

moved {
  from = kubernetes_node_taint.node
  to   = kubedaemon_node_taints.node
}

moved {
  from = kubernetes_daemon_set_v1.agent
  to   = kubedaemon_daemonset.agent
}

