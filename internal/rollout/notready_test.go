package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// notReadyCluster is a fake cluster where a DaemonSet is current and ready
// on n1 and n2, and its pod on the NotReady node n3 is not ready.
func notReadyCluster() *Client {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd", UID: "ds-uid", Generation: 2,
			Annotations: map[string]string{templateGenerationAnnotation: "2"}},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "logd"}}},
		Status: appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
			UpdatedNumberScheduled: 3, NumberReady: 2, NumberAvailable: 2},
	}
	pod := func(node string, ready corev1.ConditionStatus) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd-" + node,
				Labels:          map[string]string{"app": "logd", templateGenerationLabel: "2"},
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "logd", UID: "ds-uid", Controller: new(true)}}},
			Spec:   corev1.PodSpec{NodeName: node},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}},
		}
	}
	node := func(name string, ready corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	}
	objs := []runtime.Object{ds,
		pod("n1", corev1.ConditionTrue), pod("n2", corev1.ConditionTrue), pod("n3", corev1.ConditionFalse),
		node("n1", corev1.ConditionTrue), node("n2", corev1.ConditionTrue), node("n3", corev1.ConditionUnknown)}
	return &Client{Clientset: fake.NewClientset(objs...)}
}

func TestWaitSkipNotReadyNodes(t *testing.T) {
	c := notReadyCluster()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true, SkipNotReadyNodes: true})
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	want := []string{"daemonset default/logd converged on the Ready nodes only: 1 NotReady node(s) have no ready pod of the current template: n3"}
	if diff := cmp.Diff(want, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestWaitNamesNotReadyNodes(t *testing.T) {
	c := notReadyCluster()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var progress progressLog
	_, err := c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true, Progress: progress.add})
	var nce *NotConvergedError
	if !errors.As(err, &nce) || nce.Cause != "timeout" {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if diff := cmp.Diff([]string{"n3"}, nce.NotReadyNodes); diff != "" {
		t.Errorf("NotReadyNodes (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "NotReady nodes holding up the rollout: n3 (skip_not_ready_nodes = true") {
		t.Errorf("error does not name n3 and the fix:\n%v", err)
	}
	wantLines := []string{
		"default/logd: generation 2, 3/3 updated, 2/3 ready, 2/3 available",
		"default/logd: waiting for NotReady node(s) n3",
	}
	if diff := cmp.Diff(wantLines, progress.all()); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}
