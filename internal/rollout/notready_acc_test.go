package rollout

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// testFinalizer holds a pod in Terminating, as a NotReady node's pod stays:
// no kubelet confirms its end.
const testFinalizer = "kubedaemon.dev/test-hold"

// addNotReadyNode creates a node that nothing runs, NotReady; it is deleted
// after t.
func addNotReadyNode(t *testing.T) string {
	t.Helper()
	return clustertest.NotReadyNode(t, testCluster, "notready")
}

// releasePods removes testFinalizer from the pods of ns after t.
func releasePods(t *testing.T, ns string) {
	t.Cleanup(func() {
		ctx := context.Background()
		list, err := testCluster.Client().CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return
		}
		for _, p := range list.Items {
			if len(p.Finalizers) > 0 {
				_, _ = testCluster.Client().CoreV1().Pods(ns).Patch(ctx, p.Name, types.MergePatchType,
					[]byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
			}
		}
	})
}

// TestAccWaitNotReadyNodeWithoutPod: a DaemonSet that tolerates every taint
// runs on the 3 kwok nodes and on a NotReady node, where its pod never
// starts. skip_not_ready_nodes converges without that node. A rolling update
// then deletes the pod on the NotReady node, which stays Terminating, so the
// node has no live pod of the DaemonSet and gets no new one: the wait names
// it, and with skip_not_ready_nodes converges once the Ready nodes run the
// new template.
func TestAccWaitNotReadyNodeWithoutPod(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	node := addNotReadyNode(t)
	releasePods(t, ns)
	spec := func(image string) *appsv1.DaemonSet {
		ds := withMaxUnavailable(testDaemonSetSpec(ns, "logd", image), "100%")
		ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
		return ds
	}
	res, err := applyAndWait(t, c, spec("alpine:3"), WaitOptions{FailFast: true, SkipNotReadyNodes: true}, time.Minute)
	if err != nil {
		t.Fatalf("first rollout: %v", err)
	}
	want := fmt.Sprintf("daemonset %s/logd converged on the Ready nodes only: 1 NotReady node(s) have no ready pod of the current template: %s", ns, node)
	if len(res.Warnings) != 1 || res.Warnings[0] != want {
		t.Errorf("warnings = %q, want %q", res.Warnings, want)
	}
	var held bool
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if p.Spec.NodeName == node {
			patch := fmt.Sprintf(`{"metadata":{"finalizers":[%q]}}`, testFinalizer)
			if _, err := testCluster.Client().CoreV1().Pods(ns).Patch(context.Background(), p.Name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
				t.Fatal(err)
			}
			held = true
		}
	}
	if !held {
		t.Fatalf("no pod on %s", node)
	}

	var progress progressLog
	_, err = applyAndWait(t, c, spec("busybox:1"), WaitOptions{FailFast: true, Progress: progress.add}, 8*time.Second)
	nce := notConverged(t, err, "timeout")
	if strings.Join(nce.NotReadyNodes, ",") != node {
		t.Errorf("NotReadyNodes = %v, want [%s]\n%v", nce.NotReadyNodes, node, err)
	}
	entry := "node " + node + ": NodeNotReady: the node is NotReady and runs no pod of the DaemonSet"
	if !strings.Contains(err.Error(), entry) {
		t.Errorf("error lacks %q:\n%v", entry, err)
	}
	if !strings.Contains(progress.String(), "waiting for NotReady node(s) "+node) {
		t.Errorf("progress does not name %s:\n%s", node, progress.String())
	}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if p.Spec.NodeName == node && p.DeletionTimestamp == nil {
			t.Errorf("pod %s on %s is live: the test does not exercise a node without a pod", p.Name, node)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err = c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: true, SkipNotReadyNodes: true})
	if err != nil {
		t.Fatalf("wait skipping NotReady nodes: %v", err)
	}
	if len(res.Warnings) != 1 || res.Warnings[0] != want {
		t.Errorf("warnings = %q, want %q", res.Warnings, want)
	}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if p.Spec.NodeName != node && p.Spec.Containers[0].Image != "busybox:1" {
			t.Errorf("pod %s on Ready node %s runs %s after the wait", p.Name, p.Spec.NodeName, p.Spec.Containers[0].Image)
		}
	}
}

// TestAccWaitMissingServiceAccount: the pod template names a ServiceAccount
// that does not exist, so the API server forbids every pod the controller
// creates and no pod exists. The wait fails fast with the controller's
// FailedCreate event.
func TestAccWaitMissingServiceAccount(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds := testDaemonSetSpec(ns, "logd", "alpine:3")
	ds.Spec.Template.Spec.ServiceAccountName = "missing"
	start := time.Now()
	_, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true}, time.Minute)
	nce := notConverged(t, err, "stuck")
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("fail-fast took %s", d)
	}
	if len(nce.Stuck) != 1 || nce.Stuck[0].Reason != "FailedCreate" {
		t.Fatalf("stuck = %+v, want the FailedCreate event", nce.Stuck)
	}
	for _, want := range []string{
		"the DaemonSet controller cannot create its pods",
		`daemonset controller: FailedCreate: Error creating: pods "logd-" is forbidden: error looking up service account ` + ns + `/missing: serviceaccount "missing" not found`,
		"create the missing ServiceAccount",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if pods := daemonPodsOf(t, ns, "logd"); len(pods) != 0 {
		t.Errorf("%d pods exist, want none", len(pods))
	}
}

// TestAccGet reads an object by kind, namespace and name; a missing one is
// NotFound.
func TestAccGet(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx := context.Background()
	gvk := schema.GroupVersionKind{Version: "v1", Kind: "ServiceAccount"}
	obj, err := c.Get(ctx, gvk, ns, "default")
	for i := 0; apierrors.IsNotFound(err) && i < 50; i++ {
		// The serviceaccount controller creates "default" just after the
		// namespace.
		time.Sleep(100 * time.Millisecond)
		obj, err = c.Get(ctx, gvk, ns, "default")
	}
	if err != nil || obj.GetName() != "default" || obj.GetNamespace() != ns {
		t.Fatalf("Get = %v, %v", obj, err)
	}
	node, err := c.Get(ctx, schema.GroupVersionKind{Version: "v1", Kind: "Node"}, "ignored", allNodes[0])
	if err != nil || node.GetName() != allNodes[0] {
		t.Errorf("Get node = %v, %v", node, err)
	}
	_, err = c.Get(ctx, gvk, ns, "nope")
	if !apierrors.IsNotFound(err) || !strings.Contains(err.Error(), "read ServiceAccount "+ns+"/nope") {
		t.Errorf("Get missing = %v, want NotFound naming the object", err)
	}
}
