package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// scaleNodes is how many nodes the scale test adds: more than one page of
// 500 would make the test slow on two cores, fewer than a few hundred would
// not show what grows with the cluster.
const scaleNodes = 300

// TestAccWaitStuckAtScale: on 300 nodes, an update to an unpullable image,
// 10% of the nodes at a time, leaves 30 pods of the current template in
// ErrImagePull. Fail-fast names 10 and counts all 30 (not only those past
// the grace period), and its diagnosis costs one list of pods and one of
// nodes (one page each), as the API server's own metrics count them.
func TestAccWaitStuckAtScale(t *testing.T) {
	ctx := context.Background()
	names := make([]string, scaleNodes)
	for i := range names {
		names[i] = fmt.Sprintf("scale-%03d", i)
	}
	addCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := testCluster.AddNodes(addCtx, names, map[string]string{"kubedaemon.dev/scale": "test"}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := testCluster.DeleteNodes(context.Background(), names...); err != nil {
			t.Error(err)
		}
	})
	c, ns := newTestClient(t), testNamespace(t)
	ds := withMaxUnavailable(testDaemonSetSpec(ns, "logd", "alpine:3.20"), "10%")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubedaemon.dev/scale": "test"}
	if _, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true}, 5*time.Minute); err != nil {
		t.Fatal(err)
	}

	ds.Spec.Template.Spec.Containers[0].Image = "registry.invalid/unpullable:1"
	if _, err := c.ApplyDaemonSet(ctx, ds, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	// The controller replaces 30 pods and stops there: wait (outside the
	// code under test) until all 30 report the pull error.
	const stuck = scaleNodes / 10
	err := wait.PollUntilContextTimeout(ctx, time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		return failingPods(t, ns) == stuck, nil
	})
	if err != nil {
		t.Fatalf("%d pods never reported ErrImagePull (%d do): %v", stuck, failingPods(t, ns), err)
	}

	before := clustertest.APIRequests(t, testCluster)
	waitCtx, cancelWait := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelWait()
	_, err = c.WaitDaemonSet(waitCtx, ns, "logd", WaitOptions{FailFast: true, StuckGrace: time.Second})
	requests := clustertest.APIRequests(t, testCluster).Since(before)

	var nce *NotConvergedError
	if !errors.As(err, &nce) || nce.Cause != CauseStuck {
		t.Fatalf("err = %v, want pods stuck", err)
	}
	if len(nce.Stuck) != maxReported || nce.Failing != stuck || nce.PastGrace != stuck {
		t.Errorf("shown %d, failing %d, past the grace period %d; want %d, %d, %d\n%v",
			len(nce.Stuck), nce.Failing, nce.PastGrace, maxReported, stuck, stuck, err)
	}
	if want := fmt.Sprintf("\n  and %d more failing (%d of them past the grace period", stuck-maxReported, stuck-maxReported); !strings.Contains(err.Error(), want) {
		t.Errorf("error does not say %q:\n%v", want, err)
	}
	// One diagnosis: one page of the namespace's pods, and one of nodes
	// (more than 10 nodes lag, so they are listed rather than read one by
	// one). No GET per pod or node. (kwok lists pods by node across
	// namespaces all along: scope "cluster", not counted here.)
	for key, want := range map[string]int{"namespace/pods:LIST": 1, "cluster/nodes:LIST": 1, "resource/pods:GET": 0, "resource/nodes:GET": 0} {
		if requests[key] != want {
			t.Errorf("%s = %d, want %d (all requests of the wait: %v)", key, requests[key], want, requests)
		}
	}
}

// failingPods counts the pods of ns whose container waits on ErrImagePull
// or ImagePullBackOff.
func failingPods(t *testing.T, ns string) int {
	t.Helper()
	list, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range list.Items {
		for _, cs := range p.Status.ContainerStatuses {
			if w := cs.State.Waiting; w != nil && (w.Reason == "ErrImagePull" || w.Reason == "ImagePullBackOff") && p.DeletionTimestamp == nil {
				n++
			}
		}
	}
	return n
}
