package rollout

import (
	"time"

	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testDaemonSet(gen int64, onDelete bool, st appsv1.DaemonSetStatus) *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd", Generation: gen}, Status: st}
	if onDelete {
		ds.Spec.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType
	}
	return ds
}

// all returns a status of generation gen where every counter is n.
func all(gen int64, n int32) appsv1.DaemonSetStatus {
	return appsv1.DaemonSetStatus{ObservedGeneration: gen, DesiredNumberScheduled: n, CurrentNumberScheduled: n,
		UpdatedNumberScheduled: n, NumberReady: n, NumberAvailable: n}
}

func TestDecide(t *testing.T) {
	with := func(st appsv1.DaemonSetStatus, f func(*appsv1.DaemonSetStatus)) appsv1.DaemonSetStatus {
		f(&st)
		return st
	}
	tests := []struct {
		name        string
		ds          *appsv1.DaemonSet
		skip        int32
		wantVerdict verdict
		wantWaiting string
	}{
		{
			name:        "converged on three nodes",
			ds:          testDaemonSet(1, false, all(1, 3)),
			wantVerdict: converged,
		},
		{
			name:        "stale status of the previous generation never converges",
			ds:          testDaemonSet(2, false, all(1, 3)),
			wantVerdict: progressing,
			wantWaiting: "the DaemonSet controller to observe generation 2 (it has seen 1)",
		},
		{
			name:        "new object not yet seen by the controller",
			ds:          testDaemonSet(1, false, appsv1.DaemonSetStatus{}),
			wantVerdict: progressing,
			wantWaiting: "the DaemonSet controller to observe generation 1 (it has seen 0)",
		},
		{
			name:        "rolling update half way: old pods ready but not updated",
			ds:          testDaemonSet(2, false, with(all(2, 3), func(s *appsv1.DaemonSetStatus) { s.UpdatedNumberScheduled = 1 })),
			wantVerdict: progressing,
			wantWaiting: "1/3 updated",
		},
		{
			name: "updated but not yet ready or available",
			ds: testDaemonSet(2, false, with(all(2, 3), func(s *appsv1.DaemonSetStatus) {
				s.NumberReady, s.NumberAvailable = 2, 1
			})),
			wantVerdict: progressing,
			wantWaiting: "2/3 ready, 1/3 available",
		},
		{
			name:        "ready but not available (minReadySeconds)",
			ds:          testDaemonSet(1, false, with(all(1, 3), func(s *appsv1.DaemonSetStatus) { s.NumberAvailable = 2 })),
			wantVerdict: progressing,
			wantWaiting: "2/3 available",
		},
		{
			name:        "a node without a pod yet",
			ds:          testDaemonSet(1, false, with(all(1, 3), func(s *appsv1.DaemonSetStatus) { s.CurrentNumberScheduled = 2 })),
			wantVerdict: progressing,
			wantWaiting: "2/3 scheduled",
		},
		{
			name:        "misscheduled pods keep the wait going",
			ds:          testDaemonSet(1, false, with(all(1, 3), func(s *appsv1.DaemonSetStatus) { s.NumberMisscheduled = 1 })),
			wantVerdict: progressing,
			wantWaiting: "1 misscheduled pod(s) to be removed",
		},
		{
			name:        "desired zero",
			ds:          testDaemonSet(1, false, all(1, 0)),
			wantVerdict: nothingDesired,
		},
		{
			name:        "desired zero with misscheduled pods left",
			ds:          testDaemonSet(1, false, with(all(1, 0), func(s *appsv1.DaemonSetStatus) { s.NumberMisscheduled = 2 })),
			wantVerdict: progressing,
			wantWaiting: "2 misscheduled pod(s) to be removed",
		},
		{
			name:        "desired zero of a stale status waits",
			ds:          testDaemonSet(2, false, all(1, 0)),
			wantVerdict: progressing,
			wantWaiting: "the DaemonSet controller to observe generation 2 (it has seen 1)",
		},
		{
			name:        "OnDelete with old pods settles",
			ds:          testDaemonSet(2, true, with(all(2, 3), func(s *appsv1.DaemonSetStatus) { s.UpdatedNumberScheduled = 0 })),
			wantVerdict: onDeleteSettled,
		},
		{
			name:        "OnDelete with every pod updated converges",
			ds:          testDaemonSet(2, true, all(2, 3)),
			wantVerdict: converged,
		},
		{
			name: "OnDelete still waits for ready",
			ds: testDaemonSet(2, true, with(all(2, 3), func(s *appsv1.DaemonSetStatus) {
				s.UpdatedNumberScheduled, s.NumberReady = 0, 2
			})),
			wantVerdict: progressing,
			wantWaiting: "2/3 ready",
		},
		{
			name:        "one NotReady node skipped",
			ds:          testDaemonSet(2, false, with(all(2, 3), func(s *appsv1.DaemonSetStatus) { s.UpdatedNumberScheduled, s.NumberReady, s.NumberAvailable = 2, 2, 2 })),
			skip:        1,
			wantVerdict: converged,
		},
		{
			name:        "one NotReady node not skipped",
			ds:          testDaemonSet(2, false, with(all(2, 3), func(s *appsv1.DaemonSetStatus) { s.UpdatedNumberScheduled, s.NumberReady, s.NumberAvailable = 2, 2, 2 })),
			wantVerdict: progressing,
			wantWaiting: "2/3 updated, 2/3 ready, 2/3 available",
		},
		{
			name:        "skipping one node does not excuse two",
			ds:          testDaemonSet(2, false, with(all(2, 3), func(s *appsv1.DaemonSetStatus) { s.NumberReady = 1 })),
			skip:        1,
			wantVerdict: progressing,
			wantWaiting: "1/3 ready",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decide(tt.ds, tt.skip)
			if got.verdict != tt.wantVerdict || got.waiting != tt.wantWaiting {
				t.Errorf("decide() = %v %q, want %v %q", got.verdict, got.waiting, tt.wantVerdict, tt.wantWaiting)
			}
		})
	}
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name string
		ds   *appsv1.DaemonSet
		want string
	}{
		{
			name: "mid rollout",
			ds: testDaemonSet(2, false, appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
				UpdatedNumberScheduled: 1, NumberReady: 2, NumberAvailable: 2}),
			want: "default/logd: generation 2, 1/3 updated, 2/3 ready, 2/3 available",
		},
		{
			name: "stale, unscheduled and misscheduled",
			ds: testDaemonSet(3, false, appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 3, CurrentNumberScheduled: 2,
				UpdatedNumberScheduled: 2, NumberReady: 2, NumberAvailable: 2, NumberMisscheduled: 1}),
			want: "default/logd: generation 3, 2/3 updated, 2/3 ready, 2/3 available, 2/3 scheduled, 1 misscheduled (status is of generation 2)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine(tt.ds); got != tt.want {
				t.Errorf("progressLine() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPace: the quiet period after a change follows the longest pause of
// the rollout so far, within [quiet, maxQuiet].
func TestPace(t *testing.T) {
	var p pace
	steps := []struct {
		after time.Duration
		want  time.Duration
	}{
		{0, firstQuiet},           // first change: nothing learnt yet
		{time.Second, firstQuiet}, // 1 s pauses: 2 s of quiet is already twice that
		{3 * time.Second, 6 * time.Second},
		{time.Second, 6 * time.Second}, // the longest pause counts
		{45 * time.Second, maxQuiet},   // capped
	}
	now := t0
	for i, s := range steps {
		now = now.Add(s.after)
		if got := p.quietAfterChange(now, firstQuiet); got != s.want {
			t.Errorf("change %d (+%s): quiet = %s, want %s", i, s.after, got, s.want)
		}
	}
}
