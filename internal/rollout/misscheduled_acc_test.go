package rollout

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// A NoSchedule taint added under a running daemon pod makes the node
// misscheduled, but the DaemonSet controller leaves the pod running (only
// NoExecute evicts it): numberMisscheduled stays 1 for good, and the wait
// must converge instead of waiting for the pod to go.
func TestAccWaitMisscheduledPodThatStays(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ctx := context.Background()
	label := fmt.Sprintf("misscheduled-%d", time.Now().UnixNano()%1_000_000)
	nodes := []string{label + "-a", label + "-b"}
	if err := testCluster.AddNodes(ctx, nodes, map[string]string{"rollout-test": label}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), nodes...) })
	ds := testDaemonSetSpec(ns, "logd", "alpine:3.20")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"rollout-test": label}
	if _, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true}, time.Minute); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	cs := testCluster.Client()
	clustertest.UpdateNode(t, testCluster, nodes[1], "", func(n *corev1.Node) {
		n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: "rollout-test/drain", Value: "soon", Effect: corev1.TaintEffectNoSchedule})
	})
	// A metadata-only change (no new generation) waits again, as a
	// Terraform apply of a label does.
	ds.Labels = map[string]string{"team": "logs"}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := c.ApplyDaemonSet(wctx, ds, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	// Let the controller count the pod as misscheduled first.
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "logd", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status.NumberMisscheduled == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status = %+v, want 1 misscheduled", got.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	res, err := c.WaitDaemonSet(wctx, ns, "logd", WaitOptions{FailFast: true})
	if err != nil {
		t.Fatalf("wait with a misscheduled pod the controller keeps: %v", err)
	}
	want := "1 pod(s) of daemonset " + ns + "/logd stay on node(s) the DaemonSet no longer schedules to: " + nodes[1]
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) {
		t.Errorf("warnings = %q, want one starting %q", res.Warnings, want)
	}
}
