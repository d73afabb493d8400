package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// The daemons and scenarios that resource_daemonset_test.go does not cover:
// node-exporter with its OnDelete strategy, the hwameistor CSI node driver,
// nodeSelector host=high-cpu with a selector change, a create whose wait
// fails, and quantities written differently from the API's canonical form.

// warningRecorder serves the provider like testAccProtoV6ProviderFactories
// and keeps the warnings of every plan and apply. NOTE:
// terraform-plugin-testing has no assertion on warnings; the test reads
// them here instead, as the provider sent them to Terraform.
type warningRecorder struct {
	mu       sync.Mutex
	warnings []string
}

func (w *warningRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"kubedaemon": func() (tfprotov6.ProviderServer, error) {
			s, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				return nil, err
			}
			return recordingServer{ProviderServer: s, rec: w}, nil
		},
	}
}

func (w *warningRecorder) add(diags []*tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityWarning {
			w.warnings = append(w.warnings, d.Summary+": "+d.Detail)
		}
	}
}

// take returns the warnings recorded so far and forgets them.
func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.warnings
	w.warnings = nil
	return out
}

// expect checks that one recorded warning matches each pattern, and
// forgets the recorded warnings.
func (w *warningRecorder) expect(patterns ...string) error {
	got := w.take()
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		found := false
		for _, g := range got {
			found = found || re.MatchString(g)
		}
		if !found {
			return fmt.Errorf("no warning matches %q; got %q", p, got)
		}
	}
	return nil
}

type recordingServer struct {
	tfprotov6.ProviderServer
	rec *warningRecorder
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

// uniqueName is prefix with a suffix of its own, for namespaces and nodes.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000)
}

// createNamespace creates ns for one test and deletes it when the test
// ends. Tests call it from PreCheck, which resource.Test runs only with
// TF_ACC set: without it the test is skipped before it needs the cluster.
func createNamespace(t *testing.T, ns string) {
	t.Helper()
	_, err := testCluster.Client().CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s: %v", ns, err)
	}
	t.Cleanup(func() {
		_ = testCluster.Client().CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
}

// livePods lists the pods in ns that match selector and are not being
// deleted, sorted by node.
func livePods(ctx context.Context, ns, selector string) ([]corev1.Pod, error) {
	list, err := testCluster.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	var pods []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			pods = append(pods, p)
		}
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Spec.NodeName < pods[j].Spec.NodeName })
	return pods, nil
}

// checkPodSpecs checks that the pods matching selector run on exactly the
// given nodes, and passes each to check.
func checkPodSpecs(ns, selector string, nodes []string, check func(p *corev1.Pod) error) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pods, err := livePods(context.Background(), ns, selector)
		if err != nil {
			return err
		}
		var got []string
		for _, p := range pods {
			got = append(got, p.Spec.NodeName)
		}
		want := append([]string(nil), nodes...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Errorf("pods %s in %s run on %v, want %v", selector, ns, got, want)
		}
		for i := range pods {
			if err := check(&pods[i]); err != nil {
				return fmt.Errorf("pod %s on %s: %w", pods[i].Name, pods[i].Spec.NodeName, err)
			}
		}
		return nil
	}
}

// checkNothingLeft is a CheckDestroy: the DaemonSet, its pods and its
// ControllerRevisions are all gone.
func checkNothingLeft(ns, name, selector string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		if _, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("daemonset %s/%s still exists (err %v)", ns, name, err)
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil || len(pods.Items) != 0 {
			return fmt.Errorf("%d pod(s) %s left in %s after destroy (err %v)", len(pods.Items), selector, ns, err)
		}
		revs, err := cs.AppsV1().ControllerRevisions(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil || len(revs.Items) != 0 {
			return fmt.Errorf("%d controller revision(s) %s left in %s after destroy (err %v)", len(revs.Items), selector, ns, err)
		}
		return nil
	}
}

// statusCounts checks the status counters one by one; updated differs from
// the others during an OnDelete update.
func statusCounts(addr string, desired, updated int64) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"desired":      knownvalue.Int64Exact(desired),
		"current":      knownvalue.Int64Exact(desired),
		"ready":        knownvalue.Int64Exact(desired),
		"available":    knownvalue.Int64Exact(desired),
		"updated":      knownvalue.Int64Exact(updated),
		"misscheduled": knownvalue.Int64Exact(0),
	}))
}

func checkImages(images ...string) func(p *corev1.Pod) error {
	return func(p *corev1.Pod) error {
		var got []string
		for _, c := range p.Spec.Containers {
			got = append(got, c.Image)
		}
		if strings.Join(got, ",") != strings.Join(images, ",") {
			return fmt.Errorf("images %v, want %v", got, images)
		}
		return nil
	}
}

// nodeExporterConfig is the seed's node-exporter: host network and PID
// namespace, host port 9100, the node-critical priority class, /proc and
// /sys of the node read-only, and the OnDelete update strategy.
func nodeExporterConfig(ns, image string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "node_exporter" {
  metadata {
    name      = "node-exporter"
    namespace = %[1]q
    labels = {
      "k8s-app"                         = "node-exporter"
      "kubernetes.io/cluster-service"   = "true"
      "addonmanager.kubernetes.io/mode" = "Reconcile"
      "version"                         = "v0.15.2"
    }
  }
  spec {
    selector {
      match_labels = { "k8s-app" = "node-exporter", "version" = "v0.15.2" }
    }
    update_strategy {
      type = "OnDelete"
    }
    template {
      metadata {
        labels = { "k8s-app" = "node-exporter", "version" = "v0.15.2" }
      }
      spec {
        priority_class_name = "system-node-critical"
        host_network        = true
        host_pid            = true
        container {
          name              = "prometheus-node-exporter"
          image             = %[2]q
          image_pull_policy = "IfNotPresent"
          args              = ["--path.procfs=/host/proc", "--path.sysfs=/host/sys"]
          port {
            name           = "metrics"
            container_port = 9100
            host_port      = 9100
          }
          volume_mount {
            name              = "proc"
            mount_path        = "/host/proc"
            read_only         = true
            mount_propagation = "HostToContainer"
          }
          volume_mount {
            name              = "sys"
            mount_path        = "/host/sys"
            read_only         = true
            mount_propagation = "HostToContainer"
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

// checkNodeExporterPod checks the host-facing fields of a node-exporter pod.
func checkNodeExporterPod(p *corev1.Pod) error {
	s := p.Spec
	if !s.HostNetwork || !s.HostPID {
		return fmt.Errorf("hostNetwork %v, hostPID %v, want both true", s.HostNetwork, s.HostPID)
	}
	if s.PriorityClassName != "system-node-critical" || s.Priority == nil || *s.Priority < 2_000_000_000 {
		return fmt.Errorf("priority class %q (priority %v), want system-node-critical", s.PriorityClassName, s.Priority)
	}
	c := s.Containers[0]
	if len(c.Ports) != 1 || c.Ports[0].HostPort != 9100 || c.Ports[0].ContainerPort != 9100 || c.Ports[0].Name != "metrics" {
		return fmt.Errorf("ports %+v, want metrics 9100 on host port 9100", c.Ports)
	}
	hostPaths := map[string]string{}
	for _, v := range s.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name] = v.HostPath.Path
		}
	}
	want := map[string]string{"/host/proc": "/proc", "/host/sys": "/sys"}
	for _, m := range c.VolumeMounts {
		node, ok := want[m.MountPath]
		if !ok {
			continue
		}
		delete(want, m.MountPath)
		if hostPaths[m.Name] != node || !m.ReadOnly || m.MountPropagation == nil ||
			*m.MountPropagation != corev1.MountPropagationHostToContainer {
			return fmt.Errorf("mount %s: volume %q (node path %q), read-only %v, propagation %v; want the node's %s "+
				"read-only with HostToContainer", m.MountPath, m.Name, hostPaths[m.Name], m.ReadOnly, m.MountPropagation, node)
		}
	}
	if len(want) != 0 {
		return fmt.Errorf("mounts missing: %v", want)
	}
	if got := c.Resources.Requests.Cpu().String(); got != "100m" {
		return fmt.Errorf("cpu request %s, want 100m", got)
	}
	return nil
}

// TestAccDaemonSet_nodeExporterOnDelete runs the seed's node-exporter on the
// 3 nodes, then changes its image: with OnDelete the apply returns at once
// and warns that the pods run the old template, the pods keep the old
// image, and a pod deleted by hand comes back with the new one.
func TestAccDaemonSet_nodeExporterOnDelete(t *testing.T) {
	ns := uniqueName("node-exporter")
	addr := "kubedaemon_daemonset.node_exporter"
	selector := "k8s-app=node-exporter"
	oldImage, newImage := "prom/node-exporter:v0.15.2", "prom/node-exporter:v1.8.2"
	rec := &warningRecorder{}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { createNamespace(t, ns) },
		ProtoV6ProviderFactories: rec.factories(),
		CheckDestroy:             checkNothingLeft(ns, "node-exporter", selector),
		Steps: []resource.TestStep{
			{
				Config: nodeExporterConfig(ns, oldImage),
				ConfigStateChecks: []statecheck.StateCheck{
					statusCounts(addr, 3, 3),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("spec").AtMapKey("update_strategy").AtMapKey("type"),
						knownvalue.StringExact("OnDelete")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkPodSpecs(ns, selector, sharedNodes, checkNodeExporterPod),
					checkPodSpecs(ns, selector, sharedNodes, checkImages(oldImage)),
					func(*terraform.State) error { rec.take(); return nil },
				),
			},
			{
				Config: nodeExporterConfig(ns, newImage),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				// The controller has seen the new template; no pod runs it.
				ConfigStateChecks: []statecheck.StateCheck{statusCounts(addr, 3, 0)},
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						return rec.expect(
							`Pods Keep The Old Template Until Deleted`,
							`DaemonSet Rollout Warning: 3 of 3 pod\(s\) of daemonset `+ns+`/node-exporter still run an old template`,
						)
					},
					checkPodSpecs(ns, selector, sharedNodes, checkImages(oldImage)),
					replacePodOn(ns, selector, "kwok-node-1", newImage),
					checkPodSpecs(ns, selector, sharedNodes, func(p *corev1.Pod) error {
						if p.Spec.NodeName == "kwok-node-1" {
							return checkImages(newImage)(p)
						}
						return checkImages(oldImage)(p)
					}),
				),
			},
			// The pods' images are not in the state: nothing to plan.
			{Config: nodeExporterConfig(ns, newImage), PlanOnly: true},
		},
	})
}

// replacePodOn deletes the pod on node, as a user of OnDelete does, and
// waits until the DaemonSet controller runs a ready pod with image there.
func replacePodOn(ns, selector, node, image string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		pods, err := livePods(ctx, ns, selector)
		if err != nil {
			return err
		}
		var old string
		for _, p := range pods {
			if p.Spec.NodeName == node {
				old = p.Name
			}
		}
		if old == "" {
			return fmt.Errorf("no pod %s on %s to delete", selector, node)
		}
		if err := testCluster.Client().CoreV1().Pods(ns).Delete(ctx, old, metav1.DeleteOptions{}); err != nil {
			return fmt.Errorf("delete pod %s: %w", old, err)
		}
		return wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			pods, err := livePods(ctx, ns, selector)
			if err != nil {
				return false, err
			}
			for _, p := range pods {
				if p.Spec.NodeName == node && p.Name != old && p.Spec.Containers[0].Image == image && podReady(&p) {
					return true, nil
				}
			}
			return false, nil
		})
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// csiNodeConfig is the hwameistor local-disk-manager of the seeds: two
// containers, a privileged one with Bidirectional mounts, a preStop hook,
// the Downward API, DirectoryOrCreate host paths and the seed's tolerations.
func csiNodeConfig(ns string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "ldm" {
  metadata {
    name      = "hwameistor-local-disk-manager"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { app = "hwameistor-local-disk-manager" }
    }
    update_strategy {
      type = "RollingUpdate"
      rolling_update {
        max_unavailable = "1"
        max_surge       = "0"
      }
    }
    template {
      metadata {
        labels = { app = "hwameistor-local-disk-manager" }
      }
      spec {
        service_account_name = "hwameistor-admin"
        host_network         = true
        host_pid             = true
        volume {
          name = "udev"
          host_path {
            path = "/run/udev"
            type = "Directory"
          }
        }
        volume {
          name = "procmount"
          host_path {
            path = "/proc"
            type = "Directory"
          }
        }
        volume {
          name = "devmount"
          host_path {
            path = "/dev"
            type = "Directory"
          }
        }
        volume {
          name = "socket-dir"
          host_path {
            path = "/var/lib/kubelet/plugins/disk.hwameistor.io"
            type = "DirectoryOrCreate"
          }
        }
        volume {
          name = "registration-dir"
          host_path {
            path = "/var/lib/kubelet/plugins_registry/"
            type = "Directory"
          }
        }
        volume {
          name = "plugin-dir"
          host_path {
            path = "/var/lib/kubelet/plugins"
            type = "DirectoryOrCreate"
          }
        }
        volume {
          name = "pods-mount-dir"
          host_path {
            path = "/var/lib/kubelet/pods"
            type = "DirectoryOrCreate"
          }
        }
        container {
          name  = "registrar"
          image = "k8s-gcr.m.daocloud.io/sig-storage/csi-node-driver-registrar:v2.5.0"
          args = [
            "--v=5",
            "--csi-address=/csi/csi.sock",
            "--kubelet-registration-path=/var/lib/kubelet/plugins/disk.hwameistor.io/csi.sock",
          ]
          env {
            name = "KUBE_NODE_NAME"
            value_from {
              field_ref {
                field_path = "spec.nodeName"
              }
            }
          }
          volume_mount {
            name       = "socket-dir"
            mount_path = "/csi"
          }
          volume_mount {
            name       = "registration-dir"
            mount_path = "/registration"
          }
          lifecycle {
            pre_stop {
              exec {
                command = ["/bin/sh", "-c", "rm -rf /registration/disk.hwameistor.io /registration/disk.hwameistor.io-reg.sock"]
              }
            }
          }
        }
        container {
          name    = "manager"
          image   = "ghcr.m.daocloud.io/hwameistor/local-disk-manager:v0.6.1"
          command = ["/local-disk-manager"]
          args    = ["--endpoint=$(CSI_ENDPOINT)", "--nodeid=$(NODENAME)", "--csi-enable=true"]
          env {
            name  = "CSI_ENDPOINT"
            value = "unix://var/lib/kubelet/plugins/disk.hwameistor.io/csi.sock"
          }
          env {
            name = "NAMESPACE"
            value_from {
              field_ref {
                field_path = "metadata.namespace"
              }
            }
          }
          env {
            name = "POD_NAME"
            value_from {
              field_ref {
                field_path = "metadata.name"
              }
            }
          }
          env {
            name = "NODENAME"
            value_from {
              field_ref {
                field_path = "spec.nodeName"
              }
            }
          }
          env {
            name  = "OPERATOR_NAME"
            value = "local-disk-manager"
          }
          volume_mount {
            name       = "udev"
            mount_path = "/run/udev"
          }
          volume_mount {
            name       = "procmount"
            mount_path = "/host/proc"
            read_only  = true
          }
          volume_mount {
            name       = "devmount"
            mount_path = "/dev"
          }
          volume_mount {
            name       = "registration-dir"
            mount_path = "/var/lib/kubelet/plugins_registry"
          }
          volume_mount {
            name              = "plugin-dir"
            mount_path        = "/var/lib/kubelet/plugins"
            mount_propagation = "Bidirectional"
          }
          volume_mount {
            name              = "pods-mount-dir"
            mount_path        = "/var/lib/kubelet/pods"
            mount_propagation = "Bidirectional"
          }
          security_context {
            privileged = true
          }
        }
        toleration {
          key      = "CriticalAddonsOnly"
          operator = "Exists"
        }
        toleration {
          key      = "node.kubernetes.io/not-ready"
          operator = "Exists"
          effect   = "NoSchedule"
        }
        toleration {
          key      = "node-role.kubernetes.io/master"
          operator = "Exists"
          effect   = "NoSchedule"
        }
        toleration {
          key      = "node-role.kubernetes.io/control-plane"
          operator = "Exists"
          effect   = "NoSchedule"
        }
        toleration {
          key      = "node.cloudprovider.kubernetes.io/uninitialized"
          operator = "Exists"
          effect   = "NoSchedule"
        }
      }
    }
  }
}
`, ns)
}

// checkCSINodePod checks the fields a CSI node driver depends on.
func checkCSINodePod(p *corev1.Pod) error {
	s := p.Spec
	if len(s.Containers) != 2 || s.Containers[0].Name != "registrar" || s.Containers[1].Name != "manager" {
		return fmt.Errorf("%d containers, want registrar and manager", len(s.Containers))
	}
	if !s.HostNetwork || !s.HostPID || s.ServiceAccountName != "hwameistor-admin" {
		return fmt.Errorf("hostNetwork %v, hostPID %v, service account %q", s.HostNetwork, s.HostPID, s.ServiceAccountName)
	}
	reg, mgr := s.Containers[0], s.Containers[1]
	if ps := reg.Lifecycle; ps == nil || ps.PreStop == nil || ps.PreStop.Exec == nil ||
		!strings.Contains(strings.Join(ps.PreStop.Exec.Command, " "), "rm -rf /registration/disk.hwameistor.io") {
		return fmt.Errorf("registrar has no preStop hook that removes its registration: %+v", reg.Lifecycle)
	}
	if len(reg.Env) != 1 || reg.Env[0].ValueFrom == nil || reg.Env[0].ValueFrom.FieldRef == nil ||
		reg.Env[0].ValueFrom.FieldRef.FieldPath != "spec.nodeName" {
		return fmt.Errorf("registrar env %+v, want KUBE_NODE_NAME from spec.nodeName", reg.Env)
	}
	if sc := mgr.SecurityContext; sc == nil || sc.Privileged == nil || !*sc.Privileged {
		return fmt.Errorf("manager is not privileged: %+v", sc)
	}
	fieldEnv := map[string]string{}
	for _, e := range mgr.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			fieldEnv[e.Name] = e.ValueFrom.FieldRef.FieldPath
		}
	}
	if fieldEnv["NODENAME"] != "spec.nodeName" || fieldEnv["NAMESPACE"] != "metadata.namespace" || fieldEnv["POD_NAME"] != "metadata.name" {
		return fmt.Errorf("manager's Downward API env %v", fieldEnv)
	}
	bidi := 0
	for _, m := range mgr.VolumeMounts {
		if m.MountPropagation != nil && *m.MountPropagation == corev1.MountPropagationBidirectional {
			bidi++
		}
	}
	if bidi != 2 {
		return fmt.Errorf("%d Bidirectional mounts in manager, want 2: %+v", bidi, mgr.VolumeMounts)
	}
	// Kubernetes adds a projected volume for the service account token.
	hostPaths, orCreate := 0, 0
	for _, v := range s.Volumes {
		if v.HostPath == nil {
			continue
		}
		hostPaths++
		if v.HostPath.Type != nil && *v.HostPath.Type == corev1.HostPathDirectoryOrCreate {
			orCreate++
		}
	}
	if hostPaths != 7 || orCreate != 3 {
		return fmt.Errorf("%d hostPath volumes, %d DirectoryOrCreate; want 7 and 3", hostPaths, orCreate)
	}
	// The seed's five tolerations, after the ones the DaemonSet controller
	// adds for node conditions.
	keys := map[string]bool{}
	for _, tol := range s.Tolerations {
		keys[tol.Key] = true
	}
	for _, k := range []string{"CriticalAddonsOnly", "node-role.kubernetes.io/master", "node-role.kubernetes.io/control-plane",
		"node.cloudprovider.kubernetes.io/uninitialized"} {
		if !keys[k] {
			return fmt.Errorf("no toleration of %s: %+v", k, s.Tolerations)
		}
	}
	return nil
}

// TestAccDaemonSet_csiNodeDriver creates the seed's hwameistor CSI node
// driver on the 3 nodes, imports it, and plans no change after either.
func TestAccDaemonSet_csiNodeDriver(t *testing.T) {
	ns := uniqueName("hwameistor")
	addr := "kubedaemon_daemonset.ldm"
	selector := "app=hwameistor-local-disk-manager"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		PreCheck: func() {
			createNamespace(t, ns)
			// The pods run as the seed's service account: without it the
			// apiserver refuses to create them.
			sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "hwameistor-admin"}}
			if _, err := testCluster.Client().CoreV1().ServiceAccounts(ns).Create(context.Background(), sa, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		},
		CheckDestroy: checkNothingLeft(ns, "hwameistor-local-disk-manager", selector),
		Steps: []resource.TestStep{
			{
				Config: csiNodeConfig(ns),
				ConfigStateChecks: []statecheck.StateCheck{
					statusIs(addr, 3),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("spec").AtMapKey("template").AtMapKey("spec").
						AtMapKey("toleration"), knownvalue.ListSizeExact(5)),
				},
				Check: checkPodSpecs(ns, selector, sharedNodes, checkCSINodePod),
			},
			{Config: csiNodeConfig(ns), PlanOnly: true},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           ns + "/hwameistor-local-disk-manager",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"status", "metadata.resource_version"},
			},
		},
	})
}

// highCPUConfig is the seed's HDFS NameNode DaemonSet: nodeSelector
// host=high-cpu, OnDelete. pool tells this test's nodes from the others;
// app is the selector's label.
func highCPUConfig(ns, pool, app string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "namenode" {
  metadata {
    name      = "hdfs-namenode"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { "k8s-app" = %[3]q }
    }
    update_strategy {
      type = "OnDelete"
    }
    template {
      metadata {
        labels = { "k8s-app" = %[3]q }
      }
      spec {
        node_selector = { host = "high-cpu", pool = %[2]q }
        container {
          name  = "namenode"
          image = "apache/hadoop:3"
        }
      }
    }
  }
}
`, ns, pool, app)
}

// TestAccDaemonSet_highCPU runs on the 2 of 3 nodes of its own labelled
// host=high-cpu, then changes the immutable selector: the plan replaces the
// DaemonSet, whose new pods run on the same 2 nodes.
func TestAccDaemonSet_highCPU(t *testing.T) {
	ns := uniqueName("high-cpu")
	pool := uniqueName("hc")
	high := []string{pool + "-a", pool + "-b"}
	low := []string{pool + "-c"}
	addNodes := func() {
		ctx := context.Background()
		createNamespace(t, ns)
		t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), high[0], high[1], low[0]) })
		if err := testCluster.AddNodes(ctx, high, map[string]string{"host": "high-cpu", "pool": pool}, nil); err != nil {
			t.Fatal(err)
		}
		if err := testCluster.AddNodes(ctx, low, map[string]string{"host": "low-cpu", "pool": pool}, nil); err != nil {
			t.Fatal(err)
		}
	}
	addr := "kubedaemon_daemonset.namenode"
	uid := statecheck.CompareValue(compare.ValuesDiffer())
	onHighCPU := func(p *corev1.Pod) error {
		if p.Spec.NodeSelector["host"] != "high-cpu" {
			return fmt.Errorf("node selector %v", p.Spec.NodeSelector)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		PreCheck:                 addNodes,
		CheckDestroy:             checkNothingLeft(ns, "hdfs-namenode", "k8s-app"),
		Steps: []resource.TestStep{
			{
				Config: highCPUConfig(ns, pool, "hdfs-namenode"),
				ConfigStateChecks: []statecheck.StateCheck{
					statusIs(addr, 2),
					uid.AddStateValue(addr, tfjsonpath.New("metadata").AtMapKey("uid")),
				},
				Check: checkPodSpecs(ns, "k8s-app=hdfs-namenode", high, onHighCPU),
			},
			{
				Config: highCPUConfig(ns, pool, "hdfs-namenode-v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statusIs(addr, 2),
					uid.AddStateValue(addr, tfjsonpath.New("metadata").AtMapKey("uid")),
				},
				Check: resource.ComposeTestCheckFunc(
					checkPodSpecs(ns, "k8s-app=hdfs-namenode-v2", high, onHighCPU),
					checkPodSpecs(ns, "k8s-app=hdfs-namenode", nil, onHighCPU),
				),
			},
		},
	})
}

// failingConfig is a DaemonSet whose image is image.
func failingConfig(ns, image string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "broken" {
  metadata {
    name      = "broken"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { name = "broken" }
    }
    template {
      metadata {
        labels = { name = "broken" }
      }
      spec {
        container {
          name  = "app"
          image = %[2]q
        }
      }
    }
  }
}
`, ns, image)
}

// TestAccDaemonSet_failedCreateIsTainted: a create whose wait fails still
// records the DaemonSet, tainted, so the next plan replaces it (rather than
// creating a second one or updating it in place), and destroy leaves
// nothing behind.
func TestAccDaemonSet_failedCreateIsTainted(t *testing.T) {
	ns := uniqueName("tainted")
	addr := "kubedaemon_daemonset.broken"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		PreCheck:                 func() { createNamespace(t, ns) },
		CheckDestroy:             checkNothingLeft(ns, "broken", "name=broken"),
		Steps: []resource.TestStep{
			{
				Config:      failingConfig(ns, "registry.invalid/unpullable:1"),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Did Not Roll Out.*(ErrImagePull|ImagePullBackOff).*recorded in the\s+state`),
			},
			{
				// An image change alone is an in-place update; the taint
				// makes it a replacement.
				PreConfig: func() {
					_, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), "broken", metav1.GetOptions{})
					if err != nil {
						t.Fatalf("the failed create left no daemonset %s/broken: %v", ns, err)
					}
				},
				Config: failingConfig(ns, "busybox"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statusIs(addr, 3)},
				Check:             checkPodSpecs(ns, "name=broken", sharedNodes, checkImages("busybox")),
			},
		},
	})
}

// quantitiesConfig writes its quantities unlike the API's canonical form
// ("0.1" is stored as "100m", "0.5Gi" as "512Mi", "1000m" as "1").
func quantitiesConfig(ns string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "quantities" {
  metadata {
    name      = "quantities"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { name = "quantities" }
    }
    template {
      metadata {
        labels = { name = "quantities" }
      }
      spec {
        volume {
          name = "scratch"
          empty_dir {
            size_limit = "0.5Gi"
          }
        }
        container {
          name  = "app"
          image = "alpine"
          env {
            name = "CPU_LIMIT"
            value_from {
              resource_field_ref {
                resource = "limits.cpu"
                divisor  = "1000m"
              }
            }
          }
          resources {
            requests = { cpu = "0.1", memory = "0.5Gi" }
            limits   = { cpu = "1.5", memory = "1024Mi" }
          }
          volume_mount {
            name       = "scratch"
            mount_path = "/scratch"
          }
        }
      }
    }
  }
}
`, ns)
}

// TestAccDaemonSet_quantities: after an import, whose state holds the API's
// canonical quantities, a configuration that writes them differently plans
// no change.
func TestAccDaemonSet_quantities(t *testing.T) {
	ns := uniqueName("quantities")
	addr := "kubedaemon_daemonset.quantities"
	// GOTCHA: a tfjsonpath.Path appends to a shared slice; build each path
	// anew, or one overwrites another.
	container := func() tfjsonpath.Path {
		return tfjsonpath.New("spec").AtMapKey("template").AtMapKey("spec").AtMapKey("container").AtSliceIndex(0)
	}
	requests := container().AtMapKey("resources").AtMapKey("requests")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		PreCheck:                 func() { createNamespace(t, ns) },
		CheckDestroy:             checkNothingLeft(ns, "quantities", "name=quantities"),
		Steps: []resource.TestStep{
			{
				Config: quantitiesConfig(ns),
				ConfigStateChecks: []statecheck.StateCheck{
					statusIs(addr, 3),
					// The state keeps the configuration's spelling.
					statecheck.ExpectKnownValue(addr, requests, knownvalue.MapExact(map[string]knownvalue.Check{
						"cpu": knownvalue.StringExact("0.1"), "memory": knownvalue.StringExact("0.5Gi"),
					})),
				},
				Check: checkPodSpecs(ns, "name=quantities", sharedNodes, func(p *corev1.Pod) error {
					c := p.Spec.Containers[0]
					if got := c.Resources.Requests.Cpu().String(); got != "100m" {
						return fmt.Errorf("cpu request %s, want 100m", got)
					}
					if got := c.Resources.Limits.Memory().String(); got != "1Gi" {
						return fmt.Errorf("memory limit %s, want 1Gi", got)
					}
					if got := p.Spec.Volumes[0].EmptyDir.SizeLimit.String(); got != "512Mi" {
						return fmt.Errorf("size limit %s, want 512Mi", got)
					}
					return nil
				}),
			},
			{
				// Forget the DaemonSet, keeping it in the cluster...
				Config: fmt.Sprintf(`
removed {
  from = %s
  lifecycle {
    destroy = false
  }
}
`, addr),
			},
			{
				// ...and import it again: the import and the plan that
				// follows it are one, and that plan must be empty.
				Config: quantitiesConfig(ns) + fmt.Sprintf(`
import {
  to = %s
  id = "%s/quantities"
}
`, addr, ns),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				// The imported state holds the API's spelling, and the plan
				// kept it.
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, requests, knownvalue.MapExact(map[string]knownvalue.Check{
						"cpu": knownvalue.StringExact("100m"), "memory": knownvalue.StringExact("512Mi"),
					})),
					statecheck.ExpectKnownValue(addr, container().AtMapKey("resources").AtMapKey("limits"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"cpu": knownvalue.StringExact("1500m"), "memory": knownvalue.StringExact("1Gi"),
						})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("spec").AtMapKey("template").AtMapKey("spec").
						AtMapKey("volume").AtSliceIndex(0).AtMapKey("empty_dir").AtMapKey("size_limit"), knownvalue.StringExact("512Mi")),
					statecheck.ExpectKnownValue(addr, container().AtMapKey("env").AtSliceIndex(0).AtMapKey("value_from").
						AtMapKey("resource_field_ref").AtMapKey("divisor"), knownvalue.StringExact("1")),
				},
			},
			// A real change still shows, and applies.
			{
				Config: strings.Replace(quantitiesConfig(ns), `memory = "0.5Gi"`, `memory = "768Mi"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{statusIs(addr, 3)},
				Check: checkPodSpecs(ns, "name=quantities", sharedNodes, func(p *corev1.Pod) error {
					if got := p.Spec.Containers[0].Resources.Requests.Memory().String(); got != "768Mi" {
						return fmt.Errorf("memory request %s, want 768Mi", got)
					}
					return nil
				}),
			},
		},
	})
}
