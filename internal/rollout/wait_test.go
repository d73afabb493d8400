package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

// allNodes are the 3 nodes of the test cluster, sorted.
var allNodes = []string{cluster.NodeName(0), cluster.NodeName(1), cluster.NodeName(2)}

func TestAccWaitConvergesOnEveryNode(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	var progress progressLog
	res, err := applyAndWait(t, c, testDaemonSetSpec(ns, "logd", "alpine:3.20"), WaitOptions{FailFast: true, Progress: progress.add}, 2*time.Minute)
	if err != nil {
		t.Fatalf("wait: %v\nprogress:\n%s", err, &progress)
	}
	st := res.DaemonSet.Status
	if st.DesiredNumberScheduled != 3 || st.UpdatedNumberScheduled != 3 || st.NumberReady != 3 || st.NumberAvailable != 3 {
		t.Errorf("status = %+v, want 3 desired, updated, ready, available", st)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings = %q, want none", res.Warnings)
	}
	lines := progress.all()
	if want := ns + "/logd: generation 1, 3/3 updated, 3/3 ready, 3/3 available"; len(lines) == 0 || lines[len(lines)-1] != want {
		t.Errorf("last progress line = %q, want %q", lines, want)
	}
	nodes := map[string]bool{}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if podReady(&p) {
			nodes[p.Spec.NodeName] = true
		}
	}
	for _, n := range allNodes {
		if !nodes[n] {
			t.Errorf("no ready pod on node %s after the wait", n)
		}
	}
}

func TestAccWaitNodeSelector(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	cs := testCluster.Client()
	ctx := context.Background()
	// Label one of the shared nodes, and take the label off again after.
	patch := func(value string) {
		body := `{"metadata":{"labels":{"env":` + value + `}}}`
		if _, err := cs.CoreV1().Nodes().Patch(ctx, allNodes[1], types.MergePatchType, []byte(body), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	patch(`"prod"`)
	t.Cleanup(func() { patch("null") })
	ds := testDaemonSetSpec(ns, "logd", "alpine:3.20")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"env": "prod"}
	res, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true}, 2*time.Minute)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	if got := res.DaemonSet.Status.DesiredNumberScheduled; got != 1 {
		t.Errorf("desired = %d, want 1", got)
	}
	pods := daemonPodsOf(t, ns, "logd")
	if len(pods) != 1 || pods[0].Spec.NodeName != allNodes[1] || !podReady(&pods[0]) {
		t.Errorf("pods = %d, want one ready pod on %s", len(pods), allNodes[1])
	}
}

// TestAccWaitRollingUpdate proves that the wait does not end on the previous
// generation's status: right after the update the status still says 3/3 of
// everything, and the new pods take 1.5 s each to become ready, one node at
// a time.
func TestAccWaitRollingUpdate(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	if _, err := applyAndWait(t, c, testDaemonSetSpec(ns, "logd", "alpine:3.20"), WaitOptions{FailFast: true}, 2*time.Minute); err != nil {
		t.Fatalf("first rollout: %v", err)
	}
	var progress progressLog
	start := time.Now()
	ds := withReadyDelay(testDaemonSetSpec(ns, "logd", "busybox:1.36"), "1500ms")
	res, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true, Progress: progress.add}, 2*time.Minute)
	if err != nil {
		t.Fatalf("update: %v\nprogress:\n%s", err, &progress)
	}
	elapsed := time.Since(start)
	// maxUnavailable 1: three nodes, one after the other, 1.5 s each.
	if elapsed < 4500*time.Millisecond {
		t.Errorf("the wait returned after %s, before three pods could each take 1.5 s to start", elapsed)
	}
	if res.DaemonSet.Generation != 2 || res.DaemonSet.Status.ObservedGeneration != 2 {
		t.Errorf("returned generation %d (observed %d), want 2", res.DaemonSet.Generation, res.DaemonSet.Status.ObservedGeneration)
	}
	pods := daemonPodsOf(t, ns, "logd")
	if len(pods) != 3 {
		t.Errorf("%d pods after the wait, want 3", len(pods))
	}
	for _, p := range pods {
		if p.Spec.Containers[0].Image != "busybox:1.36" || !podReady(&p) || p.DeletionTimestamp != nil {
			t.Errorf("pod %s on %s: image %s, ready %v, deleting %v; want busybox:1.36, ready", p.Name, p.Spec.NodeName,
				p.Spec.Containers[0].Image, podReady(&p), p.DeletionTimestamp != nil)
		}
	}
	lines := progress.all()
	if len(lines) < 3 || !strings.Contains(strings.Join(lines, "\n"), "0/3 updated") && !strings.Contains(lines[0], "status is of generation 1") {
		t.Errorf("progress did not show the rollout under way:\n%s", &progress)
	}
}

func TestAccWaitOnDelete(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	onDelete := func(image string) *appsv1.DaemonSet {
		ds := testDaemonSetSpec(ns, "logd", image)
		ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
		return ds
	}
	if _, err := applyAndWait(t, c, onDelete("alpine:3.20"), WaitOptions{FailFast: true}, 2*time.Minute); err != nil {
		t.Fatalf("first rollout: %v", err)
	}
	res, err := applyAndWait(t, c, onDelete("busybox:1.36"), WaitOptions{FailFast: true}, 2*time.Minute)
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	want := "3 of 3 pod(s) of daemonset " + ns + "/logd still run an old template: its update strategy is OnDelete, so a pod changes only when it is deleted"
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) {
		t.Fatalf("warnings = %q, want one starting %q", res.Warnings, want)
	}
	// Replace one pod by hand: two remain old.
	pods := daemonPodsOf(t, ns, "logd")
	if err := testCluster.Client().CoreV1().Pods(ns).Delete(context.Background(), pods[0].Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var res2 *WaitResult
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if res2, err = c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: true}); err != nil {
			t.Fatal(err)
		}
		if len(res2.Warnings) == 1 && strings.HasPrefix(res2.Warnings[0], "2 of 3") {
			break
		}
		// The controller has not replaced the deleted pod yet: the status
		// said 3/3 of the old pods a moment ago.
		time.Sleep(200 * time.Millisecond)
	}
	if len(res2.Warnings) != 1 || !strings.HasPrefix(res2.Warnings[0], "2 of 3 pod(s)") {
		t.Errorf("after deleting one pod: warnings = %q, want \"2 of 3 pod(s) ...\"", res2.Warnings)
	}
}

func TestAccWaitDesiredZero(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds := testDaemonSetSpec(ns, "logd", "alpine:3.20")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"rollout-test": "nowhere"}
	start := time.Now()
	res, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := "daemonset " + ns + "/logd runs on no node: of 3 node(s), the node selector rollout-test=nowhere exclude(s) 3 (e.g. " +
		allNodes[0] + ": label rollout-test=nowhere not matched (node has no rollout-test label))."
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) {
		t.Errorf("warnings = %q, want one starting %q", res.Warnings, want)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("desired 0 took %s; want it at once", d)
	}
}

// notConverged asserts that err is a *NotConvergedError of cause.
func notConverged(t *testing.T, err error, cause Cause) *NotConvergedError {
	t.Helper()
	var nce *NotConvergedError
	if !errors.As(err, &nce) {
		t.Fatalf("err = %v, want a NotConvergedError", err)
	}
	if nce.Cause != cause {
		t.Fatalf("cause = %q, want %q; error:\n%v", nce.Cause, cause, err)
	}
	return nce
}

// stuckOnEveryNode asserts one stuck pod per node with reason.
func stuckOnEveryNode(t *testing.T, nce *NotConvergedError, reason, container string) {
	t.Helper()
	var nodes []string
	for _, s := range nce.Stuck {
		nodes = append(nodes, s.Node)
		if s.Reason != reason || s.Container != container || s.Pod == "" || s.Phase == "" || s.Message == "" {
			t.Errorf("stuck pod %+v, want reason %s, container %s, pod, phase and message", s, reason, container)
		}
	}
	if strings.Join(nodes, ",") != strings.Join(allNodes, ",") {
		t.Errorf("stuck nodes = %v, want %v\n%v", nodes, allNodes, nce)
	}
}

func TestAccWaitUnpullableImageFailsFast(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	start := time.Now()
	_, err := applyAndWait(t, c, testDaemonSetSpec(ns, "logd", "registry.invalid/unpullable:1"),
		WaitOptions{FailFast: true, StuckGrace: time.Second}, 2*time.Minute)
	nce := notConverged(t, err, "stuck")
	stuckOnEveryNode(t, nce, "ErrImagePull", "main")
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("fail-fast took %s", d)
	}
	for _, want := range []string{"cannot converge", allNodes[2], "ErrImagePull"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %q:\n%v", want, err)
		}
	}
	if !nce.HasKnob(KnobFailFast) || nce.Failing != len(allNodes) {
		t.Errorf("Knobs = %v, Failing = %d; want fail-fast and %d", nce.Knobs, nce.Failing, len(allNodes))
	}
}

func TestAccWaitCrashLoop(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	_, err := applyAndWait(t, c, testDaemonSetSpec(ns, "logd", "example.com/crashloop:1"),
		WaitOptions{FailFast: true, StuckGrace: time.Second}, 2*time.Minute)
	nce := notConverged(t, err, "stuck")
	stuckOnEveryNode(t, nce, "CrashLoopBackOff", "main")
	if !strings.Contains(nce.Stuck[0].Message, "last exit code 1 (Error)") {
		t.Errorf("message = %q, want the last termination", nce.Stuck[0].Message)
	}
}

func TestAccWaitHostPortConflict(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	withPort := func(name string) *appsv1.DaemonSet {
		ds := testDaemonSetSpec(ns, name, "fluent-bit:3")
		ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 6666, HostPort: 6666}}
		return ds
	}
	if _, err := applyAndWait(t, c, withPort("logd"), WaitOptions{FailFast: true}, 2*time.Minute); err != nil {
		t.Fatalf("first daemonset: %v", err)
	}
	_, err := applyAndWait(t, c, withPort("logd-2"), WaitOptions{FailFast: true}, 2*time.Minute)
	nce := notConverged(t, err, "stuck")
	stuckOnEveryNode(t, nce, "Unschedulable", "")
	if !strings.Contains(nce.Stuck[0].Message, "free ports") {
		t.Errorf("message = %q, want the port conflict", nce.Stuck[0].Message)
	}
}

// TestAccWaitAPIServerRestart restarts the API server while pods take 4 s to
// become ready: the watch reconnects and the wait still converges.
func TestAccWaitAPIServerRestart(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ds := withMaxUnavailable(withReadyDelay(testDaemonSetSpec(ns, "logd", "alpine:3.20"), "4s"), "100%")
	if _, err := c.ApplyDaemonSet(ctx, ds, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res *WaitResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: true})
		done <- outcome{res, err}
	}()
	time.Sleep(500 * time.Millisecond)
	if err := testCluster.RestartAPIServer(ctx); err != nil {
		t.Fatalf("restart: %v", err)
	}
	o := <-done
	if o.err != nil {
		t.Fatalf("wait across the restart: %v", o.err)
	}
	if o.res.DaemonSet.Status.NumberReady != 3 {
		t.Errorf("ready = %d, want 3", o.res.DaemonSet.Status.NumberReady)
	}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if !podReady(&p) {
			t.Errorf("pod %s not ready after the wait", p.Name)
		}
	}
}

func TestAccWaitCancelled(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := c.ApplyDaemonSet(ctx, testDaemonSetSpec(ns, "logd", "registry.invalid/unpullable:1"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(time.Second, cancel)
	start := time.Now()
	_, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{})
	_ = notConverged(t, err, "cancelled")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled wait took %s to return", d)
	}
}

func TestAccWaitTimeout(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if _, err := c.ApplyDaemonSet(ctx, testDaemonSetSpec(ns, "logd", "registry.invalid/unpullable:1"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: false})
	nce := notConverged(t, err, "timeout")
	stuckOnEveryNode(t, nce, "ErrImagePull", "main")
	if !strings.Contains(err.Error(), "did not converge before the deadline") || !strings.Contains(err.Error(), "0/3 ready") {
		t.Errorf("error:\n%v", err)
	}
}

func TestAccWaitDeleted(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.ApplyDaemonSet(ctx, testDaemonSetSpec(ns, "logd", "registry.invalid/unpullable:1"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(time.Second, func() {
		_ = testCluster.Client().AppsV1().DaemonSets(ns).Delete(context.Background(), "logd", metav1.DeleteOptions{})
	})
	_, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{})
	_ = notConverged(t, err, "deleted")
}

func TestAccWaitMissing(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.WaitDaemonSet(ctx, ns, "nothing", WaitOptions{})
	if err == nil || !strings.Contains(err.Error(), "does not exist; apply it first") {
		t.Errorf("err = %v, want it to say the daemonset does not exist", err)
	}
}

func TestAccApplyConflict(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx := context.Background()
	if _, err := c.ApplyDaemonSet(ctx, testDaemonSetSpec(ns, "logd", "alpine:3.20"), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	other := newTestClient(t)
	other.FieldManager = "someone-else"
	_, err := other.ApplyDaemonSet(ctx, testDaemonSetSpec(ns, "logd", "busybox:1.36"), ApplyOptions{})
	var ce *k8s.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ConflictError", err)
	}
	found := false
	for _, f := range ce.Conflicts {
		if f.Key == `.spec.template.spec.containers[name="main"].image` && len(f.Owners) == 1 && f.Owners[0] == "kubedaemon-test" {
			found = true
		}
	}
	if !found || ce.Object != "DaemonSet "+ns+"/logd" {
		t.Errorf("conflict = %+v, want the image owned by kubedaemon-test", ce)
	}
	got, err := other.ApplyDaemonSet(ctx, testDaemonSetSpec(ns, "logd", "busybox:1.36"), ApplyOptions{Force: true})
	if err != nil {
		t.Fatalf("forced apply: %v", err)
	}
	if img := got.Spec.Template.Spec.Containers[0].Image; img != "busybox:1.36" {
		t.Errorf("image after forced apply = %s", img)
	}
}

func TestAccDelete(t *testing.T) {
	gvk := appsv1.SchemeGroupVersion.WithKind("DaemonSet")
	tests := []struct {
		name        string
		propagation metav1.DeletionPropagation
		wantPods    int
	}{
		{name: "foreground default", wantPods: 0},
		{name: "orphan", propagation: metav1.DeletePropagationOrphan, wantPods: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ns := newTestClient(t), testNamespace(t)
			if _, err := applyAndWait(t, c, testDaemonSetSpec(ns, "logd", "alpine:3.20"), WaitOptions{FailFast: true}, 2*time.Minute); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := c.Delete(ctx, gvk, ns, "logd", DeleteOptions{Propagation: tt.propagation}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			_, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(ctx, "logd", metav1.GetOptions{})
			if !apierrors.IsNotFound(err) {
				t.Errorf("daemonset after delete: err = %v, want NotFound", err)
			}
			if got := len(daemonPodsOf(t, ns, "logd")); got != tt.wantPods {
				t.Errorf("%d pods right after delete, want %d", got, tt.wantPods)
			}
			if err := c.Delete(ctx, gvk, ns, "logd", DeleteOptions{}); err != nil {
				t.Errorf("deleting what is gone: %v", err)
			}
		})
	}
}
