package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	k8sresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// parityConfig sets the pod-spec fields kubedaemon_daemonset took over from
// hashicorp/kubernetes's kubernetes_daemon_set_v1 (and the Kubernetes 1.35
// ones node daemons use), with values the API server accepts.
func parityConfig(ns, runtimeClass string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "parity" {
  metadata {
    name      = "parity"
    namespace = %[1]q
  }
  wait_for_rollout = false
  spec {
    selector {
      match_labels = { name = "parity" }
    }
    template {
      metadata {
        labels = { name = "parity" }
      }
      spec {
        share_process_namespace = true
        scheduler_name          = "default-scheduler"
        runtime_class_name      = %[2]q
        overhead                = { cpu = "10m", memory = "16Mi" }
        enable_service_links    = false
        hostname                = "parity"
        subdomain               = "daemons"
        set_hostname_as_fqdn    = false
        preemption_policy       = "PreemptLowerPriority"
        dns_config {
          nameservers = ["192.0.2.53"]
          searches    = ["example.internal"]
          option {
            name  = "ndots"
            value = "2"
          }
          option {
            name = "edns0"
          }
        }
        host_aliases {
          ip        = "192.0.2.10"
          hostnames = ["collector.example.internal"]
        }
        os {
          name = "linux"
        }
        readiness_gate {
          condition_type = "example.com/registered"
        }
        affinity {
          pod_anti_affinity {
            preferred_during_scheduling_ignored_during_execution {
              weight = 10
              pod_affinity_term {
                topology_key = "kubernetes.io/hostname"
                label_selector {
                  match_labels = { role = "noisy" }
                }
                namespace_selector {}
              }
            }
          }
          pod_affinity {
            preferred_during_scheduling_ignored_during_execution {
              weight = 5
              pod_affinity_term {
                topology_key = "kubernetes.io/hostname"
                label_selector {
                  match_labels = { role = "collector" }
                }
                namespaces = ["kube-system"]
                namespace_selector {
                  match_labels = { team = "observability" }
                  match_expressions {
                    key      = "env"
                    operator = "In"
                    values   = ["prod"]
                  }
                }
              }
            }
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "kubernetes.io/hostname"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = { name = "parity" }
          }
        }
        security_context {
          fs_group               = 2000
          fs_group_change_policy = "OnRootMismatch"
          se_linux_options {
            type = "spc_t"
          }
          app_armor_profile {
            type = "RuntimeDefault"
          }
        }
        init_container {
          name           = "sidecar"
          image          = "busybox"
          restart_policy = "Always"
        }
        container {
          name       = "main"
          image      = "busybox"
          stdin      = true
          stdin_once = true
          tty        = true
          resize_policy {
            resource_name  = "cpu"
            restart_policy = "NotRequired"
          }
          lifecycle {
            pre_stop {
              sleep {
                seconds = 5
              }
            }
          }
          liveness_probe {
            termination_grace_period_seconds = 10
            exec {
              command = ["true"]
            }
          }
          volume_mount {
            name          = "logs"
            mount_path    = "/logs"
            sub_path_expr = "$(NODE_NAME)"
          }
          volume_mount {
            name                = "ro"
            mount_path          = "/ro"
            read_only           = true
            recursive_read_only = "IfPossible"
          }
          env {
            name = "NODE_NAME"
            value_from {
              field_ref {
                field_path = "spec.nodeName"
              }
            }
          }
        }
        volume {
          name = "logs"
          nfs {
            server = "192.0.2.20"
            path   = "/exports/logs"
          }
        }
        volume {
          name = "ro"
          persistent_volume_claim {
            claim_name = "shared"
            read_only  = true
          }
        }
        volume {
          name = "scratch"
          ephemeral {
            volume_claim_template {
              metadata {
                labels = { app = "parity" }
              }
              spec {
                access_modes       = ["ReadWriteOnce"]
                storage_class_name = "local"
                resources {
                  requests = { storage = "1Gi" }
                }
              }
            }
          }
        }
        volume {
          name = "modules"
          host_path {
            path = "/lib/modules"
          }
        }
      }
    }
  }
}
`, ns, runtimeClass)
}

// TestAccDaemonSet_parityFields applies the parity fields against the real
// API server: the plan after the apply is empty (state = what Kubernetes
// stores), an import reads the same, and a second plan is empty too.
func TestAccDaemonSet_parityFields(t *testing.T) {
	ns := testNamespace(t, "parity")
	ctx := context.Background()
	rc := &nodev1.RuntimeClass{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-sandboxed"},
		Handler:    "runc",
		Overhead: &nodev1.Overhead{PodFixed: corev1.ResourceList{
			corev1.ResourceCPU: k8sresource.MustParse("10m"), corev1.ResourceMemory: k8sresource.MustParse("16Mi"),
		}},
	}
	if _, err := testCluster.Client().NodeV1().RuntimeClasses().Create(ctx, rc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = testCluster.Client().NodeV1().RuntimeClasses().Delete(context.Background(), rc.Name, metav1.DeleteOptions{})
	})
	addr := "kubedaemon_daemonset.parity"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: parityConfig(ns, rc.Name)},
			{Config: parityConfig(ns, rc.Name), PlanOnly: true},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     ns + "/parity",
				ImportStateVerify: true,
				// wait_for_rollout is configuration only: an import gets its default.
				ImportStateVerifyIgnore: []string{"status", "rollout_status", "metadata.resource_version", "wait_for_rollout"},
			},
		},
	})
}
