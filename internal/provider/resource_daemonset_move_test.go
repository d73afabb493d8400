package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubernetesProvider returns the directory of the hashicorp/kubernetes
// provider that `make kubernetes-provider` builds, and skips the test when
// it is not there. Terraform needs the source provider of a cross-provider
// `moved` block installed: the state names it, and Terraform loads every
// provider the state names before it plans.
func kubernetesProvider(t *testing.T) string {
	t.Helper()
	testClusterKubeconfig(t)
	mod, err := os.ReadFile(filepath.Join("..", "..", "tools", "kubernetes", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	var version string
	for _, line := range strings.Split(string(mod), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "github.com/hashicorp/terraform-provider-kubernetes" {
			version = f[1]
		}
	}
	cache := os.Getenv("KUBEDAEMON_CLUSTER_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, _ := os.UserHomeDir()
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "kubedaemon")
	}
	dir := filepath.Join(cache, "bin", "terraform-provider-kubernetes-"+version)
	if _, err := os.Stat(filepath.Join(dir, "terraform-provider-kubernetes")); err != nil {
		t.Skipf("moving from hashicorp/kubernetes needs its provider installed (Terraform loads the provider "+
			"the state names); build it with `make kubernetes-provider` (minutes, once): %v", err)
	}
	// dev_overrides makes Terraform run the local build for
	// hashicorp/kubernetes; kubedaemon comes from the test's own server.
	cfg := filepath.Join(t.TempDir(), "terraformrc")
	content := fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    \"hashicorp/kubernetes\" = %q\n  }\n  direct {}\n}\n", dir)
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_CLI_CONFIG_FILE", cfg)
	return dir
}

// logdKubernetes is the seed's logd (logdConfig) as hashicorp/kubernetes's
// kubernetes_daemon_set_v1: hostPort 6666 and the Downward API.
func logdKubernetes(ns string) string {
	return fmt.Sprintf(`
resource "kubernetes_daemon_set_v1" "logd" {
  metadata {
    name      = "logd"
    namespace = %q
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
          image = "alpine"
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
          env {
            name = "NODE_NAME"
            value_from {
              field_ref {
                field_path = "spec.nodeName"
              }
            }
          }
          resources {
            requests = { cpu = "100m", memory = "64Mi" }
          }
        }
      }
    }
  }
}
`, ns)
}

// nodeExporterKubernetes is the seed's node-exporter (OnDelete, hostNetwork,
// hostPID, host paths, an explicit IfNotPresent).
func nodeExporterKubernetes(ns string) string {
	return fmt.Sprintf(`
resource "kubernetes_daemon_set_v1" "node_exporter" {
  metadata {
    name      = "node-exporter"
    namespace = %q
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
`, ns)
}

// nodeExporterKubedaemon is the same DaemonSet in kubedaemon's syntax, as
// `kubedaemon convert` writes it: update_strategy, and no image pull policy
// that Kubernetes gives the image anyway.
func nodeExporterKubedaemon(ns, image string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "node_exporter" {
  metadata {
    name      = "node-exporter"
    namespace = %q
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
          image = %q
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
`, ns, image)
}

const movedDaemonSets = `
moved {
  from = kubernetes_daemon_set_v1.logd
  to   = kubedaemon_daemonset.logd
}

moved {
  from = kubernetes_daemon_set_v1.node_exporter
  to   = kubedaemon_daemonset.node_exporter
}
`

// TestAccDaemonSet_moveFromKubernetes applies the seeds' logd and
// node-exporter with hashicorp/kubernetes, so that the state is exactly what
// it writes (schema version 1), moves both to kubedaemon_daemonset with the
// same objects in kubedaemon's syntax and gets an empty plan, then changes
// node-exporter's image: the first apply takes the fields over from
// hashicorp/kubernetes's field manager without a conflict.
func TestAccDaemonSet_moveFromKubernetes(t *testing.T) {
	kubernetesProvider(t)
	ns := testNamespace(t, "move")
	kubedaemon := logdConfig(ns, "alpine") + nodeExporterKubedaemon(ns, "prom/node-exporter:v0.15.2")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: logdKubernetes(ns) + nodeExporterKubernetes(ns)},
			{
				Config: kubedaemon + movedDaemonSets,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kubedaemon_daemonset.logd", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("kubedaemon_daemonset.node_exporter", plancheck.ResourceActionNoop),
					plancheck.ExpectEmptyPlan(),
				}},
			},
			{Config: kubedaemon, PlanOnly: true},
			{
				Config: logdConfig(ns, "alpine") + nodeExporterKubedaemon(ns, "prom/node-exporter:v0.16.0"),
				Check: func(*terraform.State) error {
					ds, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), "node-exporter", metav1.GetOptions{})
					if err != nil {
						return err
					}
					if got := ds.Spec.Template.Spec.Containers[0].Image; got != "prom/node-exporter:v0.16.0" {
						return fmt.Errorf("image = %q after the apply", got)
					}
					for _, mf := range ds.ManagedFields {
						if movedManagers.Has(mf.Manager) {
							return fmt.Errorf("field manager %q (%s) still owns fields after the first apply", mf.Manager, mf.Operation)
						}
					}
					return nil
				},
			},
		},
	})
}
