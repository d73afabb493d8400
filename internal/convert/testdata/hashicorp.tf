resource "kubernetes_daemon_set_v1" "node_exporter" {
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
    strategy {
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
          name              = "prometheus-node-exporter"
          image             = "prom/node-exporter:v0.15.2"
          image_pull_policy = "IfNotPresent"
          args              = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys"]
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

resource "kubernetes_labels" "node" {
  api_version   = "v1"
  kind          = "Node"
  metadata {
    name = "worker-1"
  }
  labels        = { "example.com/pool" = var.pool }
  field_manager = "terraform-labels"
}

resource "kubernetes_labels" "cm" {
  api_version = "v1"
  kind        = "ConfigMap"
  metadata {
    name = "x"
  }
  labels = { a = "b" }
}

resource "kubernetes_node_taint" "node" {
  metadata {
    name = "worker-1"
  }
  force = true
  taint {
    key    = "dedicated"
    value  = "logging"
    effect = "NoSchedule"
  }
}

# A DaemonSet that spells out what Kubernetes defaults anyway.
resource "kubernetes_daemon_set_v1" "agent" {
  metadata {
    name = "agent"
  }
  spec {
    revision_history_limit = 10
    selector {
      match_labels = { app = "agent" }
    }
    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_unavailable = "1"
      }
    }
    template {
      metadata {
        labels = { app = "agent" }
      }
      spec {
        dns_policy                       = "ClusterFirst"
        termination_grace_period_seconds = var.grace
        container {
          name              = "agent"
          image             = "example.com/agent:latest"
          image_pull_policy = "Always"
          volume_mount {
            name       = "config"
            mount_path = "/etc/agent"
          }
        }
        volume {
          name = "config"
          config_map {
            name         = "agent"
            default_mode = "0640"
            items {
              key  = "agent.yaml"
              path = "agent.yaml"
              mode = "0644"
            }
          }
        }
      }
    }
  }
}
