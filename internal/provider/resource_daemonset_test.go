package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// testNamespace creates a namespace of its own for one test and deletes it
// when the test ends.
func testNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ctx := context.Background()
	ns := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000)
	_, err := testCluster.Client().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		_ = testCluster.Client().CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	return ns
}

// podNodes lists the nodes that run pods labelled name=<app> in ns.
func podNodes(ctx context.Context, ns, app string) ([]string, []corev1.Pod, error) {
	pods, err := testCluster.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "name=" + app})
	if err != nil {
		return nil, nil, err
	}
	var nodes []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			nodes = append(nodes, p.Spec.NodeName)
		}
	}
	sort.Strings(nodes)
	return nodes, pods.Items, nil
}

// checkPods checks that the DaemonSet's pods run on exactly the given nodes,
// each with the given image.
func checkPods(ns, app, image string, nodes ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, pods, err := podNodes(context.Background(), ns, app)
		if err != nil {
			return err
		}
		sort.Strings(nodes)
		if strings.Join(got, ",") != strings.Join(nodes, ",") {
			return fmt.Errorf("pods of %s/%s run on %v, want %v", ns, app, got, nodes)
		}
		for _, p := range pods {
			if p.DeletionTimestamp == nil && p.Spec.Containers[0].Image != image {
				return fmt.Errorf("pod %s runs %s, want %s", p.Name, p.Spec.Containers[0].Image, image)
			}
		}
		return nil
	}
}

func statusIs(addr string, n int64) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"desired":      knownvalue.Int64Exact(n),
		"current":      knownvalue.Int64Exact(n),
		"ready":        knownvalue.Int64Exact(n),
		"updated":      knownvalue.Int64Exact(n),
		"available":    knownvalue.Int64Exact(n),
		"misscheduled": knownvalue.Int64Exact(0),
	}))
}

var sharedNodes = []string{"kwok-node-0", "kwok-node-1", "kwok-node-2"}

// logdConfig is the seed's logd: hostPort 6666 and the Downward API.
func logdConfig(ns, image string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "logd" {
  metadata {
    name      = "logd"
    namespace = %[1]q
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
          image = %[2]q
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
`, ns, image)
}

// TestAccDaemonSet_logd creates the seed's logd on the 3 nodes, imports it,
// sees an out-of-band image change as drift, and rolls it to busybox.
func TestAccDaemonSet_logd(t *testing.T) {
	ns := testNamespace(t, "logd")
	addr := "kubedaemon_daemonset.logd"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			_, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), "logd", metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				return fmt.Errorf("daemonset %s/logd still exists (err %v)", ns, err)
			}
			// Foreground: the DaemonSet went only after its pods.
			if got, _, err := podNodes(context.Background(), ns, "logd"); err != nil || len(got) != 0 {
				return fmt.Errorf("pods of %s/logd still run on %v after a Foreground delete (err %v)", ns, got, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: logdConfig(ns, "alpine"),
				ConfigStateChecks: []statecheck.StateCheck{
					statusIs(addr, 3),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(ns+"/logd")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("spec").AtMapKey("template").AtMapKey("spec").
						AtMapKey("container").AtSliceIndex(0).AtMapKey("image_pull_policy"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(
					checkPods(ns, "logd", "alpine", sharedNodes...),
					func(*terraform.State) error {
						_, pods, err := podNodes(context.Background(), ns, "logd")
						if err != nil {
							return err
						}
						for _, p := range pods {
							env := p.Spec.Containers[0].Env
							if len(env) != 2 || env[0].ValueFrom.FieldRef.FieldPath != "status.hostIP" ||
								p.Spec.Containers[0].Ports[0].HostPort != 6666 {
								return fmt.Errorf("pod %s: env %v, ports %v", p.Name, env, p.Spec.Containers[0].Ports)
							}
						}
						return nil
					},
				),
			},
			// A second plan is empty: defaults Kubernetes added cause no diff.
			{Config: logdConfig(ns, "alpine"), PlanOnly: true},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     ns + "/logd",
				ImportStateVerify: true,
				// The imported metadata holds the same fields; the status
				// and resource version can move between the two reads.
				ImportStateVerifyIgnore: []string{"status", "metadata.resource_version"},
			},
			{
				// kubectl set image behind Terraform's back shows as drift.
				PreConfig: func() {
					clustertest.UpdateDaemonSet(t, testCluster, ns, "logd", "kubectl-set", func(ds *appsv1.DaemonSet) {
						ds.Spec.Template.Spec.Containers[0].Image = "alpine:edge"
					})
				},
				Config:             logdConfig(ns, "alpine"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// The rolling update: apply waits, and every pod runs busybox
				// after. kubectl-set owns the image now: take it back.
				Config: strings.Replace(logdConfig(ns, "busybox"), "  spec {\n    selector",
					"  force_conflicts = true\n  spec {\n    selector", 1),
				ConfigStateChecks: []statecheck.StateCheck{statusIs(addr, 3)},
				Check:             checkPods(ns, "logd", "busybox", sharedNodes...),
			},
		},
	})
}

// TestAccDaemonSet_importByName imports a DaemonSet of the default namespace
// by its bare name, and the plan after it is empty.
func TestAccDaemonSet_importByName(t *testing.T) {
	name := fmt.Sprintf("logcd-%d", time.Now().UnixNano()%1_000_000)
	config := fmt.Sprintf(`
resource "kubedaemon_daemonset" "logcd" {
  metadata {
    name = %[1]q
  }
  spec {
    selector {
      match_labels = { name = %[1]q }
    }
    template {
      metadata {
        labels = { name = %[1]q }
      }
      spec {
        volume {
          name = "logdir"
          host_path {
            path = "/var/log"
          }
        }
        container {
          name  = "logcd"
          image = "alpine"
          args  = ["/bin/sh", "-c", "while true; do tar czf /var/log/all-logs-$(date +%%F).tar.gz /var/log/*.log; sleep 60; done"]
          volume_mount {
            name       = "logdir"
            mount_path = "/var/log"
          }
        }
      }
    }
  }
}
`, name)
	addr := "kubedaemon_daemonset.logcd"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{statusIs(addr, 3)},
				Check: resource.ComposeTestCheckFunc(
					checkPods("default", name, "alpine", sharedNodes...),
					func(*terraform.State) error {
						_, pods, err := podNodes(context.Background(), "default", name)
						if err != nil {
							return err
						}
						for _, p := range pods {
							v := p.Spec.Volumes[0]
							if v.HostPath == nil || v.HostPath.Path != "/var/log" || p.Spec.Containers[0].VolumeMounts[0].MountPath != "/var/log" {
								return fmt.Errorf("pod %s does not mount the node's /var/log: %+v", p.Name, v)
							}
						}
						return nil
					},
				),
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"status", "metadata.resource_version"},
			},
		},
	})
}

// TestAccDaemonSet_nodeSelector runs on the nodes labelled env=prod only (1
// of 3 nodes of its own, told apart from the shared ones by a unique label).
func TestAccDaemonSet_nodeSelector(t *testing.T) {
	ctx := context.Background()
	ns := testNamespace(t, "prod")
	pool := fmt.Sprintf("pool-%d", time.Now().UnixNano()%1_000_000)
	nodes := []string{pool + "-a", pool + "-b", pool + "-c"}
	if err := testCluster.AddNodes(ctx, nodes[:1], map[string]string{"env": "prod", "pool": pool}, nil); err != nil {
		t.Fatal(err)
	}
	if err := testCluster.AddNodes(ctx, nodes[1:], map[string]string{"env": "dev", "pool": pool}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), nodes...) })
	config := fmt.Sprintf(`
resource "kubedaemon_daemonset" "logcd" {
  metadata {
    name      = "logcd"
    namespace = %[1]q
  }
  spec {
    update_strategy {
      type = "OnDelete"
    }
    selector {
      match_labels = { name = "logcd" }
    }
    template {
      metadata {
        labels = { name = "logcd" }
      }
      spec {
        node_selector = { env = "prod", pool = %[2]q }
        container {
          name  = "logcd"
          image = "alpine"
        }
      }
    }
  }
}
`, ns, pool)
	addr := "kubedaemon_daemonset.logcd"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            config,
			ConfigStateChecks: []statecheck.StateCheck{statusIs(addr, 1)},
			Check:             checkPods(ns, "logcd", "alpine", nodes[0]),
		}},
	})
}

// TestAccDaemonSet_orphan deletes with Orphan: the pods keep running.
func TestAccDaemonSet_orphan(t *testing.T) {
	ns := testNamespace(t, "orphan")
	t.Cleanup(func() {
		// The orphans hold host port 6666 on every node: free it now.
		zero := int64(0)
		_ = testCluster.Client().CoreV1().Pods(ns).DeleteCollection(context.Background(),
			metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{LabelSelector: "name=logd"})
	})
	config := strings.Replace(logdConfig(ns, "alpine"), "  spec {\n    selector", "  delete_propagation = \"Orphan\"\n  spec {\n    selector", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			ctx := context.Background()
			if _, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(ctx, "logd", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("daemonset still exists (err %v)", err)
			}
			// The garbage collector orphans the pods: they stay.
			return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
				got, pods, err := podNodes(ctx, ns, "logd")
				if err != nil || len(got) != 3 {
					return false, err
				}
				for _, p := range pods {
					if len(p.OwnerReferences) != 0 {
						return false, nil
					}
				}
				return true, nil
			})
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check:  checkPods(ns, "logd", "alpine", sharedNodes...),
		}},
	})
}

// TestAccDaemonSet_unpullable fails the apply with the diagnosis: which
// node's pod cannot pull its image, not a bare timeout.
func TestAccDaemonSet_unpullable(t *testing.T) {
	ns := testNamespace(t, "unpullable")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// No host port: the pods another test orphaned may still hold it.
			// stuck_grace: ErrImagePull counts as stuck after 2 s, not 30.
			Config: strings.NewReplacer("host_port      = 6666", "",
				`resource "kubedaemon_daemonset" "logd" {`, `resource "kubedaemon_daemonset" "logd" {`+"\n  stuck_grace = \"2s\"").
				Replace(logdConfig(ns, "registry.invalid/unpullable:1")),
			ExpectError: regexp.MustCompile(`(?s)DaemonSet Did Not Roll Out.*kwok-node-\d.*(ErrImagePull|ImagePullBackOff).*set\s+fail_fast\s+=\s+false`),
		}},
	})
}

// TestDaemonSet_planTimeValidation: the schema's own validators reject what
// Kubernetes would, at plan time, on the attribute. The relations between
// attributes are table-tested in daemonset_validate_test.go.
func TestDaemonSet_planTimeValidation(t *testing.T) {
	base := logdConfig("default", "alpine")
	for name, tc := range map[string]struct{ from, to, want string }{
		"unknown taint effect": {
			from: "        container {", to: "        toleration {\n          key = \"x\"\n          effect = \"NoScheduling\"\n        }\n        container {",
			want: `(?s)toleration\[0\]\.effect.*NoSchedule`,
		},
		"unknown mount propagation": {
			from: "          port {", to: "          volume_mount {\n            name = \"v\"\n            mount_path = \"/v\"\n            mount_propagation = \"Shared\"\n          }\n          port {",
			want: `(?s)mount_propagation.*Bidirectional`,
		},
		"stuck_grace without a unit": {
			from: `resource "kubedaemon_daemonset" "logd" {`, to: `resource "kubedaemon_daemonset" "logd" {` + "\n  stuck_grace = \"30\"",
			want: `(?s)Invalid Duration.*stuck_grace = "30" is not a duration`,
		},
		"host port out of range": {
			from: "host_port      = 6666", to: "host_port      = 70000",
			want: `(?s)Invalid Host Port.*70000 is outside 1-65535`,
		},
		"preferred affinity weight out of range": {
			from: "        container {", to: "        affinity {\n          node_affinity {\n            preferred_during_scheduling_ignored_during_execution {\n" +
				"              weight = 0\n              preference {\n                match_expressions {\n" +
				"                  key = \"disk\"\n                  operator = \"Exists\"\n                }\n              }\n            }\n          }\n        }\n        container {",
			want: `(?s)preferred_during_scheduling_ignored_during_execution\[0\]\.weight.*between 1 and 100`,
		},
		"selector does not match": {
			from: "labels = { name = \"logd\" }", to: "labels = { name = \"other\" }",
			want: `Selector Does Not Match Template Labels`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      strings.Replace(base, tc.from, tc.to, 1),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestDaemonSet_planUnknownHostPort: a host port whose protocol or host IP
// is known only at apply time (here from terraform_data) is not a duplicate
// of another port at plan time; the check runs again at apply.
func TestDaemonSet_planUnknownHostPort(t *testing.T) {
	for _, attr := range []string{"protocol", "host_ip"} {
		t.Run(attr, func(t *testing.T) {
			config := fmt.Sprintf(`
resource "terraform_data" "later" {
  input = %q
}
`, map[string]string{"protocol": "UDP", "host_ip": "127.0.0.1"}[attr]) + strings.Replace(logdConfig("default", "alpine"),
				"host_port      = 6666\n          }",
				"host_port      = 6666\n            "+attr+" = terraform_data.later.output\n          }\n"+
					"          port {\n            container_port = 6667\n            host_port      = 6666\n          }", 1)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:             config,
					PlanOnly:           true,
					ExpectNonEmptyPlan: true,
				}},
			})
		})
	}
}
