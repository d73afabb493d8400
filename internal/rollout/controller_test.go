package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// failedCreate is a FailedCreate event of the fake DaemonSet logd, last seen
// at last.
func failedCreate(name string, last time.Time, msg string) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Namespace: "default", Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: "DaemonSet", Namespace: "default", Name: "logd", UID: "ds-uid"},
		Type:           corev1.EventTypeWarning, Reason: reasonFailedCreate, Message: msg, Count: 7,
		FirstTimestamp: metav1.NewTime(last.Add(-time.Minute)), LastTimestamp: metav1.NewTime(last),
	}
}

// TestWaitControllerCannotCreatePods: the controller cannot create any pod
// (its FailedCreate event says the API server forbids them): the wait fails
// fast with the event's message; an event from before the spec last changed
// says nothing about the current generation and is ignored.
func TestWaitControllerCannotCreatePods(t *testing.T) {
	const forbidden = `Error creating: pods "logd-" is forbidden: error looking up service account default/missing: serviceaccount "missing" not found`
	changed := t0.Add(time.Hour)
	ds := func() *appsv1.DaemonSet {
		ds := fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 2})
		ds.ManagedFields = []metav1.ManagedFieldsEntry{
			{Manager: "kubedaemon", Operation: metav1.ManagedFieldsOperationApply, Time: new(metav1.NewTime(changed))},
			{Manager: "kube-controller-manager", Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "status", Time: new(metav1.NewTime(changed.Add(time.Hour)))},
		}
		return ds
	}
	nodes := func() (*corev1.Node, *corev1.Node) {
		return fakeNode("n1", corev1.ConditionTrue), fakeNode("n2", corev1.ConditionTrue)
	}
	t.Run("forbidden fails fast", func(t *testing.T) {
		n1, n2 := nodes()
		c := &Client{Clientset: fake.NewClientset(ds(), n1, n2, failedCreate("logd.1", changed.Add(time.Second), forbidden))}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true})
		var nce *NotConvergedError
		if !errors.As(err, &nce) || nce.Cause != "stuck" {
			t.Fatalf("err = %v, want stuck", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("failed after %v, want at the first diagnosis", d)
		}
		for _, want := range []string{
			"daemonset default/logd cannot converge: the DaemonSet controller cannot create its pods",
			"\n  daemonset controller: FailedCreate: " + forbidden + " (7 times)\n",
			"create the missing ServiceAccount",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
	})
	t.Run("event of an older spec ignored", func(t *testing.T) {
		n1, n2 := nodes()
		c := &Client{Clientset: fake.NewClientset(ds(), n1, n2, failedCreate("logd.1", changed.Add(-time.Second), forbidden))}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err := c.WaitDaemonSet(ctx, "default", "logd", WaitOptions{FailFast: true})
		var nce *NotConvergedError
		if !errors.As(err, &nce) || nce.Cause != "timeout" || strings.Contains(err.Error(), "FailedCreate") {
			t.Fatalf("err = %v, want a timeout without the old event", err)
		}
	})
}
