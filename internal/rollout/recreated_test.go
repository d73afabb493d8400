package rollout

import (
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// A DaemonSet deleted and recreated while the watch was disconnected comes
// back from the re-list as a Modified event of another UID, not as Deleted:
// the new object's status must not end the wait as if it were the one the
// wait began with.
func TestWaitConditionRecreatedDaemonSet(t *testing.T) {
	w := &waiter{c: &Client{}, namespace: "default", name: "logd",
		changed: make(chan struct{}, 1), verify: make(chan struct{}, 1)}
	first := fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 1, NumberReady: 3, NumberAvailable: 3})
	if done, err := w.condition(watch.Event{Type: watch.Added, Object: first}); done || err != nil {
		t.Fatalf("first event: done %v, err %v; want the wait to go on", done, err)
	}
	other := fakeDaemonSet(appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 3, UpdatedNumberScheduled: 3, NumberReady: 3, NumberAvailable: 3})
	other.UID = "another-uid"
	done, err := w.condition(watch.Event{Type: watch.Modified, Object: other})
	if !errors.Is(err, errDeleted) {
		t.Fatalf("recreated DaemonSet: done %v, err %v; want errDeleted", done, err)
	}
}
