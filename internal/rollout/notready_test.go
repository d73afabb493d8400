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

// fakePod is a pod of the fake DaemonSet logd on node, of template
// generation gen, Running and ready or not.
func fakePod(node, gen string, ready corev1.ConditionStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd-" + node,
			Labels:          map[string]string{"app": "logd", templateGenerationLabel: gen},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "logd", UID: "ds-uid", Controller: new(true)}}},
		Spec:   corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}},
	}
}

func fakeNode(name string, ready corev1.ConditionStatus) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
}

// fakeDaemonSet is logd at generation 2 (template generation 2) with status st.
func fakeDaemonSet(st appsv1.DaemonSetStatus) *appsv1.DaemonSet {
	st.ObservedGeneration = 2
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd", UID: "ds-uid", Generation: 2,
			CreationTimestamp: metav1.NewTime(t0),
			Annotations:       map[string]string{templateGenerationAnnotation: "2"}},
		Spec:   appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "logd"}}},
		Status: st,
	}
}

// notReadyCluster is a fake cluster where a DaemonSet is current and ready
// on n1 and n2, and its pod on the NotReady node n3 is not ready.
func notReadyCluster() *Client {
	objs := []runtime.Object{
		fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
			UpdatedNumberScheduled: 3, NumberReady: 2, NumberAvailable: 2}),
		fakePod("n1", "2", corev1.ConditionTrue), fakePod("n2", "2", corev1.ConditionTrue), fakePod("n3", "2", corev1.ConditionFalse),
		fakeNode("n1", corev1.ConditionTrue), fakeNode("n2", corev1.ConditionTrue), fakeNode("n3", corev1.ConditionUnknown)}
	return &Client{Clientset: fake.NewClientset(objs...)}
}

// noPodCluster is a fake cluster where a DaemonSet is current and ready on
// n1 and n2, and the NotReady node n3 has no pod of it: its old pod is
// being deleted, which a NotReady node never finishes.
func noPodCluster() *Client {
	terminating := fakePod("n3", "1", corev1.ConditionFalse)
	terminating.DeletionTimestamp = new(metav1.NewTime(t0))
	terminating.Finalizers = []string{"kubedaemon.dev/test"}
	objs := []runtime.Object{
		fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 2,
			UpdatedNumberScheduled: 2, NumberReady: 2, NumberAvailable: 2}),
		fakePod("n1", "2", corev1.ConditionTrue), fakePod("n2", "2", corev1.ConditionTrue), terminating,
		fakeNode("n1", corev1.ConditionTrue), fakeNode("n2", corev1.ConditionTrue), fakeNode("n3", corev1.ConditionFalse)}
	return &Client{Clientset: fake.NewClientset(objs...)}
}

func TestWaitSkipNotReadyNodes(t *testing.T) {
	for name, c := range map[string]*Client{"pod not ready": notReadyCluster(), "no pod": noPodCluster()} {
		t.Run(name, func(t *testing.T) {
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
		})
	}
}

func TestWaitNamesNotReadyNodes(t *testing.T) {
	tests := []struct {
		name      string
		c         *Client
		wantLines []string
		wantEntry string
	}{
		{"pod not ready", notReadyCluster(),
			[]string{"default/logd: generation 2, 3/3 updated, 2/3 ready, 2/3 available", "default/logd: waiting for NotReady node(s) n3"},
			"node n3: pod logd-n3 (Running): NodeNotReady: the node is NotReady"},
		{"no pod", noPodCluster(),
			[]string{"default/logd: generation 2, 2/3 updated, 2/3 ready, 2/3 available, 2/3 scheduled", "default/logd: waiting for NotReady node(s) n3"},
			"node n3: NodeNotReady: the node is NotReady and runs no pod of the DaemonSet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			var progress progressLog
			_, err := tt.c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true, Progress: progress.add})
			var nce *NotConvergedError
			if !errors.As(err, &nce) || nce.Cause != "timeout" {
				t.Fatalf("err = %v, want a timeout", err)
			}
			if diff := cmp.Diff([]string{"n3"}, nce.NotReadyNodes); diff != "" {
				t.Errorf("NotReadyNodes (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), "\n  "+tt.wantEntry+"\n") || !strings.Contains(err.Error(), "NotReady nodes holding up the rollout: n3") {
				t.Errorf("error does not name n3 and its state:\n%v", err)
			}
			if !nce.HasKnob(KnobSkipNotReadyNodes) || !nce.HasKnob(KnobTimeout) {
				t.Errorf("Knobs = %v, want skip-not-ready-nodes and timeout", nce.Knobs)
			}
			if diff := cmp.Diff(tt.wantLines, progress.all()); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWaitSkipNotReadyNodesChecksEveryReadyNode: the counters fall short of
// desired by one, as many as the NotReady nodes, yet it is the Ready node n3
// that still runs the old template (n4's new pod is not ready): skipping n4
// must not end the wait.
func TestWaitSkipNotReadyNodesChecksEveryReadyNode(t *testing.T) {
	objs := []runtime.Object{
		fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 4, CurrentNumberScheduled: 4,
			UpdatedNumberScheduled: 3, NumberReady: 3, NumberAvailable: 3}),
		fakePod("n1", "2", corev1.ConditionTrue), fakePod("n2", "2", corev1.ConditionTrue),
		fakePod("n3", "1", corev1.ConditionTrue), fakePod("n4", "2", corev1.ConditionFalse),
		fakeNode("n1", corev1.ConditionTrue), fakeNode("n2", corev1.ConditionTrue),
		fakeNode("n3", corev1.ConditionTrue), fakeNode("n4", corev1.ConditionFalse)}
	c := &Client{Clientset: fake.NewClientset(objs...)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true, SkipNotReadyNodes: true})
	var nce *NotConvergedError
	if !errors.As(err, &nce) || nce.Cause != "timeout" {
		t.Fatalf("wait = %+v, %v; want a timeout", res, err)
	}
	var got []string
	for _, s := range nce.Stuck {
		got = append(got, s.Node+" "+s.Reason)
	}
	if diff := cmp.Diff([]string{"n3 OldTemplate", "n4 NodeNotReady"}, got); diff != "" {
		t.Errorf("stuck (-want +got):\n%s", diff)
	}
}

// TestWaitNamesReadyNodeWithoutPod: a Ready node that should run the
// daemon but has no pod is named in the diagnosis.
func TestWaitNamesReadyNodeWithoutPod(t *testing.T) {
	objs := []runtime.Object{
		fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 2, CurrentNumberScheduled: 1,
			UpdatedNumberScheduled: 1, NumberReady: 1, NumberAvailable: 1}),
		fakePod("n1", "2", corev1.ConditionTrue),
		fakeNode("n1", corev1.ConditionTrue), fakeNode("n2", corev1.ConditionTrue)}
	c := &Client{Clientset: fake.NewClientset(objs...)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true, SkipNotReadyNodes: true})
	want := "\n  node n2: NoPod: the node should run the daemon but has no pod of the DaemonSet yet\n"
	if err == nil || !strings.Contains(err.Error()+"\n", want) {
		t.Errorf("err = %v\nwant it to contain %q", err, want)
	}
}
