package rollout

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
)

// verdict is what a DaemonSet's status says about its rollout.
type verdict int

const (
	// progressing: keep waiting.
	progressing verdict = iota
	// converged: every node that should run the daemon runs the current
	// template, ready and available, and no other node runs it.
	converged
	// onDeleteSettled: an OnDelete DaemonSet has a ready, available pod on
	// every node, some of them still of an old template.
	onDeleteSettled
	// nothingDesired: the controller wants the daemon on no node at all.
	nothingDesired
)

func (v verdict) String() string {
	switch v {
	case converged:
		return "converged"
	case onDeleteSettled:
		return "on-delete-settled"
	case nothingDesired:
		return "nothing-desired"
	default:
		return "progressing"
	}
}

// decision is the verdict and, while progressing, what the rollout waits for.
type decision struct {
	verdict verdict
	waiting string
}

// decide reads the DaemonSet's status. It is stricter than kubectl's
// DaemonSetStatusViewer: the controller must have observed this generation
// (so the previous generation's counters never end a wait), every counter must
// reach desired (kubectl checks only updated and available), and misscheduled
// pods must be gone. skip is the number of nodes the caller chose not to wait
// for (NotReady nodes without a current, ready pod): the counters may fall
// short of desired by that much.
func decide(ds *appsv1.DaemonSet, skip int32) decision {
	st := ds.Status
	if st.ObservedGeneration < ds.Generation {
		return decision{progressing, fmt.Sprintf("the DaemonSet controller to observe generation %d (it has seen %d)", ds.Generation, st.ObservedGeneration)}
	}
	desired := st.DesiredNumberScheduled
	var short []string
	if st.NumberMisscheduled > 0 {
		short = append(short, fmt.Sprintf("%d misscheduled pod(s) to be removed", st.NumberMisscheduled))
	}
	if desired == 0 {
		if len(short) > 0 {
			return decision{progressing, strings.Join(short, ", ")}
		}
		return decision{verdict: nothingDesired}
	}
	need := desired - skip
	if need < 0 {
		need = 0
	}
	reached := func(n int32) bool { return n >= need && n <= desired }
	count := func(n int32, what string) {
		if !reached(n) {
			short = append(short, fmt.Sprintf("%d/%d %s", n, desired, what))
		}
	}
	count(st.CurrentNumberScheduled, "scheduled")
	onDelete := ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType
	if !onDelete {
		count(st.UpdatedNumberScheduled, "updated")
	}
	count(st.NumberReady, "ready")
	count(st.NumberAvailable, "available")
	if len(short) > 0 {
		return decision{progressing, strings.Join(short, ", ")}
	}
	if onDelete && !reached(st.UpdatedNumberScheduled) {
		return decision{verdict: onDeleteSettled}
	}
	return decision{verdict: converged}
}

// counters are the numbers a progress line shows; a new line is printed
// only when one of them changes.
type counters struct {
	generation, observed                                      int64
	desired, current, updated, ready, available, misscheduled int32
}

func countersOf(ds *appsv1.DaemonSet) counters {
	st := ds.Status
	return counters{
		generation: ds.Generation, observed: st.ObservedGeneration,
		desired: st.DesiredNumberScheduled, current: st.CurrentNumberScheduled,
		updated: st.UpdatedNumberScheduled, ready: st.NumberReady,
		available: st.NumberAvailable, misscheduled: st.NumberMisscheduled,
	}
}

// progressLine is e.g. "default/logd: generation 2, 1/3 updated, 2/3 ready, 2/3 available".
func progressLine(ds *appsv1.DaemonSet) string {
	c := countersOf(ds)
	line := fmt.Sprintf("%s/%s: generation %d, %d/%d updated, %d/%d ready, %d/%d available",
		ds.Namespace, ds.Name, c.generation, c.updated, c.desired, c.ready, c.desired, c.available, c.desired)
	if c.current != c.desired {
		line += fmt.Sprintf(", %d/%d scheduled", c.current, c.desired)
	}
	if c.misscheduled > 0 {
		line += fmt.Sprintf(", %d misscheduled", c.misscheduled)
	}
	if c.observed < c.generation {
		line += fmt.Sprintf(" (status is of generation %d)", c.observed)
	}
	return line
}
