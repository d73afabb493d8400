package cluster

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/yaml"
)

func TestNodeName(t *testing.T) {
	for i, want := range []string{"kwok-node-0", "kwok-node-1", "kwok-node-42"} {
		n := []int{0, 1, 42}[i]
		if got := NodeName(n); got != want {
			t.Errorf("NodeName(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestStagesConfig(t *testing.T) {
	stages := func(large bool) map[string]bool {
		data, err := stagesConfig(large)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var stage struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &stage); err != nil {
				t.Fatalf("stage is not YAML: %v\n%s", err, doc)
			}
			if stage.Kind != "Stage" || stage.Metadata.Name == "" || seen[stage.Metadata.Name] {
				t.Errorf("bad or duplicate stage %q (kind %q)", stage.Metadata.Name, stage.Kind)
			}
			seen[stage.Metadata.Name] = true
		}
		return seen
	}
	small, large := stages(false), stages(true)
	if len(small) != 8 || !small["kubedaemon-node-heartbeat"] {
		t.Errorf("small cluster: got stages %v, want 8 with the heartbeat", slices.Sorted(maps.Keys(small)))
	}
	// The large cluster runs without node-lifecycle (TestKwokNodeLeases),
	// so nothing reads the heartbeats it leaves out.
	delete(small, "kubedaemon-node-heartbeat")
	if !maps.Equal(small, large) {
		t.Errorf("large cluster: got stages %v, want %v", slices.Sorted(maps.Keys(large)), slices.Sorted(maps.Keys(small)))
	}
}

// TestKwokNodeLeases: small clusters renew node Leases as kubelets do, for
// the node-lifecycle controller; large ones run without that controller and
// renew none.
func TestKwokNodeLeases(t *testing.T) {
	leaseFlag := func(args []string) string {
		for _, a := range args {
			if strings.HasPrefix(a, "--node-lease-duration-seconds=") {
				return a
			}
		}
		return ""
	}
	if got := leaseFlag(kwokArgs(t.TempDir(), false)); got != "--node-lease-duration-seconds=40" {
		t.Errorf("small cluster: lease flag %q, want 40 s leases", got)
	}
	if got := leaseFlag(kwokArgs(t.TempDir(), true)); got != "" {
		t.Errorf("large cluster: lease flag %q, want none", got)
	}
	if got := controllerManagerArgs(t.TempDir(), ports{}, true); !slices.Contains(got, "--controllers=*,-node-lifecycle-controller") {
		t.Errorf("large cluster without leases must run without node-lifecycle: %v", got)
	}
}

// TestCluster starts a real 3-node cluster. The first run on a machine builds
// the binaries, which takes several minutes (see EnsureBinaries).
func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	fmt.Fprintln(os.Stderr, "TestCluster: building the control-plane binaries if they are not cached; the first build takes several minutes")
	if err := EnsureBinaries(ctx, os.Stderr); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	c, err := Start(ctx, Options{Nodes: 3, Log: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
			t.Errorf("state dir %s left behind", c.Dir)
		}
	})
	t.Logf("3 Ready nodes %s after Start", time.Since(start).Round(time.Millisecond))
	for _, s := range c.Components() {
		t.Logf("%-24s pid %-7d RSS %4d MiB", s.Name, s.Pid, s.RSSKiB/1024)
	}
	client := c.Client()

	t.Run("nodes", func(t *testing.T) {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes.Items) != 3 {
			t.Fatalf("got %d nodes, want 3", len(nodes.Items))
		}
		for i := range nodes.Items {
			n := &nodes.Items[i]
			if !nodeReady(n, nil) {
				t.Errorf("node %s not Ready or tainted: %v %v", n.Name, n.Status.Conditions, n.Spec.Taints)
			}
			if n.Labels[corev1.LabelHostname] != n.Name || n.Labels["type"] != "kwok" {
				t.Errorf("node %s labels = %v", n.Name, n.Labels)
			}
			if got := n.Status.Allocatable.Cpu().String(); got != NodeCPU {
				t.Errorf("node %s allocatable cpu = %s", n.Name, got)
			}
		}
	})

	// Without renewed Leases the node-lifecycle controller marks every node
	// NotReady 40 s after start, and tests that run longer see their pods
	// go unready.
	t.Run("node leases renewed", func(t *testing.T) {
		for i := range 3 {
			var first string
			err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
				lease, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, NodeName(i), metav1.GetOptions{})
				if err != nil || lease.Spec.RenewTime == nil {
					return false, nil //nolint:nilerr // not created yet: poll again
				}
				renewed := lease.Spec.RenewTime.String()
				if first == "" {
					first = renewed
				}
				return renewed != first, nil
			})
			if err != nil {
				t.Errorf("lease of %s not renewed within 30 s (first renew time %q): %v", NodeName(i), first, err)
			}
		}
	})

	t.Run("daemonset ready and cascade delete", func(t *testing.T) {
		ds := newDaemonSet("fluent", "registry.example/busybox:1.36", nil)
		if _, err := client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitDaemonSet(ctx, t, client, ds.Name, func(ds *appsv1.DaemonSet) bool {
			return ds.Status.DesiredNumberScheduled == 3 && ds.Status.NumberReady == 3
		})
		policy := metav1.DeletePropagationForeground
		if err := client.AppsV1().DaemonSets("default").Delete(ctx, ds.Name, metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil {
			t.Fatal(err)
		}
		waitPods(ctx, t, client, "app="+ds.Name, "all pods gone", func(pods []corev1.Pod) bool { return len(pods) == 0 })
	})

	t.Run("image pull error", func(t *testing.T) {
		for _, tc := range []struct {
			name, image string
			annotations map[string]string
		}{
			{"pull-by-image", "registry.invalid/unpullable:1", nil},
			{"pull-by-annotation", "registry.example/busybox:1.36", map[string]string{SimulateAnnotation: SimulateImagePullError}},
		} {
			ds := newDaemonSet(tc.name, tc.image, tc.annotations)
			if _, err := client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			waitPods(ctx, t, client, "app="+tc.name, "3 pods with ErrImagePull", func(pods []corev1.Pod) bool {
				n := 0
				for _, p := range pods {
					if p.Status.Phase == corev1.PodPending && waitingReason(p) == "ErrImagePull" && !podReady(p) {
						n++
					}
				}
				return n == 3
			})
			deleteDaemonSet(ctx, t, client, tc.name)
		}
	})

	t.Run("crash loop", func(t *testing.T) {
		for _, tc := range []struct {
			name, image string
			annotations map[string]string
		}{
			{"crash-by-image", "registry.example/crashloop:1", nil},
			{"crash-by-annotation", "registry.example/busybox:1.36", map[string]string{SimulateAnnotation: SimulateCrashLoop}},
		} {
			ds := newDaemonSet(tc.name, tc.image, tc.annotations)
			if _, err := client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			waitPods(ctx, t, client, "app="+tc.name, "3 crash-looping pods", func(pods []corev1.Pod) bool {
				n := 0
				for _, p := range pods {
					if waitingReason(p) != "CrashLoopBackOff" || podReady(p) {
						continue
					}
					cs := p.Status.ContainerStatuses[0]
					if cs.RestartCount == CrashLoopRestartCount && cs.LastTerminationState.Terminated != nil &&
						cs.LastTerminationState.Terminated.ExitCode == 1 && cs.LastTerminationState.Terminated.Message != "" {
						n++
					}
				}
				return n == 3
			})
			deleteDaemonSet(ctx, t, client, tc.name)
		}
	})

	t.Run("ready delay", func(t *testing.T) {
		ds := newDaemonSet("slow", "registry.example/busybox:1.36", map[string]string{ReadyDelayAnnotation: "2s"})
		created := time.Now()
		if _, err := client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitDaemonSet(ctx, t, client, ds.Name, func(ds *appsv1.DaemonSet) bool {
			return ds.Status.DesiredNumberScheduled == 3 && ds.Status.NumberReady == 3
		})
		if took := time.Since(created); took < 2*time.Second {
			t.Errorf("pods with a 2s ready delay were Ready after %s", took)
		}
		deleteDaemonSet(ctx, t, client, ds.Name)
	})

	t.Run("pod completes", func(t *testing.T) {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "once", Labels: map[string]string{"app": "once"}},
			Spec: corev1.PodSpec{
				NodeName:      NodeName(0),
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "main", Image: "registry.example/busybox:1.36"}},
			},
		}
		if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitPods(ctx, t, client, "app=once", "pod Succeeded", func(pods []corev1.Pod) bool {
			return len(pods) == 1 && pods[0].Status.Phase == corev1.PodSucceeded
		})
		if err := client.CoreV1().Pods("default").Delete(ctx, pod.Name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		waitPods(ctx, t, client, "app=once", "pod gone", func(pods []corev1.Pod) bool { return len(pods) == 0 })
	})

	t.Run("restart apiserver", func(t *testing.T) {
		before := c.process("kube-apiserver").Pid
		start := time.Now()
		if err := c.RestartAPIServer(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("apiserver restarted in %s", time.Since(start).Round(time.Millisecond))
		if c.process("kube-apiserver").Pid == before {
			t.Error("apiserver pid unchanged")
		}
		ds := newDaemonSet("after-restart", "registry.example/busybox:1.36", nil)
		if _, err := client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitDaemonSet(ctx, t, client, ds.Name, func(ds *appsv1.DaemonSet) bool {
			return ds.Status.DesiredNumberScheduled == 3 && ds.Status.NumberReady == 3
		})
	})

	t.Run("add and delete nodes", func(t *testing.T) {
		taint := corev1.Taint{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}
		if err := c.AddNodes(ctx, []string{"extra-0"}, map[string]string{"pool": "infra"}, []corev1.Taint{taint}); err != nil {
			t.Fatal(err)
		}
		n, err := client.CoreV1().Nodes().Get(ctx, "extra-0", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if n.Labels["pool"] != "infra" || len(n.Spec.Taints) != 1 || n.Spec.Taints[0].Key != "dedicated" {
			t.Errorf("extra node labels %v taints %v", n.Labels, n.Spec.Taints)
		}
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "on-extra", Labels: map[string]string{"app": "on-extra"}},
			Spec: corev1.PodSpec{
				NodeName:   "extra-0",
				Containers: []corev1.Container{{Name: "main", Image: "registry.example/busybox:1.36"}},
			},
		}
		if _, err := client.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitPods(ctx, t, client, "app=on-extra", "pod Ready", func(pods []corev1.Pod) bool {
			return len(pods) == 1 && podReady(pods[0])
		})
		if err := c.DeleteNodes(ctx, "extra-0"); err != nil {
			t.Fatal(err)
		}
		waitPods(ctx, t, client, "app=on-extra", "pod of deleted node gone", func(pods []corev1.Pod) bool { return len(pods) == 0 })
	})
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newDaemonSet(name, image string, annotations map[string]string) *appsv1.DaemonSet {
	labels := map[string]string{"app": name}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annotations},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: image}}},
			},
		},
	}
}

// waitDaemonSet watches one DaemonSet until done says so.
func waitDaemonSet(ctx context.Context, t *testing.T, client kubernetes.Interface, name string, done func(*appsv1.DaemonSet) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return client.AppsV1().DaemonSets("default").List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = selector
			return client.AppsV1().DaemonSets("default").Watch(ctx, o)
		},
	}
	var last *appsv1.DaemonSet
	_, err := watchtools.UntilWithSync(ctx, lw, &appsv1.DaemonSet{}, nil, func(e watch.Event) (bool, error) {
		ds, ok := e.Object.(*appsv1.DaemonSet)
		if !ok {
			return false, nil
		}
		last = ds
		return done(ds), nil
	})
	if err != nil {
		if last != nil {
			t.Fatalf("daemonset %s: %v; last status %+v", name, err, last.Status)
		}
		t.Fatalf("daemonset %s: %v", name, err)
	}
}

// waitPods polls the pods with a label selector until done says so.
func waitPods(ctx context.Context, t *testing.T, client kubernetes.Interface, selector, what string, done func([]corev1.Pod) bool) {
	t.Helper()
	var pods []corev1.Pod
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		list, err := client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, nil //nolint:nilerr // transient: poll again until the timeout
		}
		pods = list.Items
		return done(pods), nil
	})
	if err != nil {
		var states []string
		for _, p := range pods {
			states = append(states, fmt.Sprintf("%s %s ready=%t waiting=%q", p.Name, p.Status.Phase, podReady(p), waitingReason(p)))
		}
		t.Fatalf("wait for %s (%s): %v; pods: %v", what, selector, err, states)
	}
}

func deleteDaemonSet(ctx context.Context, t *testing.T, client kubernetes.Interface, name string) {
	t.Helper()
	err := client.AppsV1().DaemonSets("default").Delete(ctx, name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
}

func waitingReason(p corev1.Pod) string {
	for _, cs := range p.Status.ContainerStatuses {
		if cs.State.Waiting != nil {
			return cs.State.Waiting.Reason
		}
	}
	return ""
}

func podReady(p corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
