package rollout

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
)

// Wave is one step of a progressive rollout: which nodes get the new
// template, how many of them may be without an available pod at once, and
// how long their new pods must run cleanly before the next wave starts.
// Exactly one of Selector, Count and Percent chooses the nodes, among those
// no earlier wave took; nodes no wave takes form one more wave at the end.
type Wave struct {
	// Selector takes the nodes whose labels match (e.g. env=dev).
	Selector labels.Selector
	// Count takes that many of the remaining nodes, in name order.
	Count int
	// Percent takes that percentage of the remaining nodes, rounded up.
	Percent int
	// MaxUnavailable is how many of the wave's nodes may be without an
	// available pod at a time: a number or a percent of the wave's nodes
	// (rounded up, at least 1). 1 when unset.
	MaxUnavailable *intstr.IntOrString
	// Soak is how long every new pod of the wave must stay ready, without
	// restarting more than MaxRestarts, before the next wave starts.
	Soak time.Duration
}

// String names the wave as a user wrote it: "env=dev", "25%", "3 nodes".
func (w Wave) String() string {
	switch {
	case w.Selector != nil:
		return w.Selector.String()
	case w.Percent > 0:
		return strconv.Itoa(w.Percent) + "%"
	case w.Count > 0:
		return fmt.Sprintf("%d node(s)", w.Count)
	}
	return "remaining nodes"
}

// ParseWave reads a wave as the command line and the docs write it: "25%"
// (a percent of the remaining nodes), "3" (a count), or a node label
// selector ("env=dev", "tier in (canary),zone!=b").
func ParseWave(s string) (Wave, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 || n > 100 {
			return Wave{}, fmt.Errorf("wave %q: a percent must be a whole number from 1%% to 100%%", s)
		}
		return Wave{Percent: n}, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 {
			return Wave{}, fmt.Errorf("wave %q: a node count must be at least 1", s)
		}
		return Wave{Count: n}, nil
	}
	if s == "" {
		return Wave{}, fmt.Errorf("wave is empty: give a node label selector (env=dev), a count (3) or a percent (25%%)")
	}
	sel, err := labels.Parse(s)
	if err != nil {
		return Wave{}, fmt.Errorf("wave %q is not a node label selector (env=dev), a count (3) or a percent (25%%): %w", s, err)
	}
	if sel.Empty() {
		return Wave{}, fmt.Errorf("wave %q selects every node: give a node label selector (env=dev), a count or a percent", s)
	}
	return Wave{Selector: sel}, nil
}

// Disjoint reports whether no set of labels can match both selectors: some
// key has requirements in a and in b that cannot both hold. Waves whose
// selectors are not disjoint overlap: which wave a node belongs to would
// depend on their order, which a plan refuses.
func Disjoint(a, b labels.Selector) bool {
	ra, _ := a.Requirements()
	rb, _ := b.Requirements()
	for _, x := range ra {
		for _, y := range rb {
			if x.Key() == y.Key() && exclusive(x, y) {
				return true
			}
		}
	}
	return false
}

// exclusive reports whether two requirements on one key contradict.
func exclusive(x, y labels.Requirement) bool {
	xv, yv := allowed(x), allowed(y)
	switch {
	case x.Operator() == selection.DoesNotExist && yv.needsKey, y.Operator() == selection.DoesNotExist && xv.needsKey:
		return true
	case xv.in != nil && yv.in != nil:
		return xv.in.Intersection(yv.in).Len() == 0
	case xv.in != nil && yv.notIn != nil:
		return yv.notIn.IsSuperset(xv.in)
	case yv.in != nil && xv.notIn != nil:
		return xv.notIn.IsSuperset(yv.in)
	}
	return false
}

// allowedValues is what a requirement allows of its key: a set of values
// (in), every value but some (notIn), and whether the key must exist.
type allowedValues struct {
	in, notIn sets.Set[string]
	needsKey  bool
}

func allowed(r labels.Requirement) allowedValues {
	vals := sets.New(r.ValuesUnsorted()...)
	switch r.Operator() {
	case selection.Equals, selection.DoubleEquals, selection.In:
		return allowedValues{in: vals, needsKey: true}
	case selection.NotEquals, selection.NotIn:
		return allowedValues{notIn: vals}
	case selection.Exists, selection.GreaterThan, selection.LessThan:
		return allowedValues{needsKey: true}
	}
	return allowedValues{}
}

// plannedWave is a wave with its nodes chosen.
type plannedWave struct {
	name           string
	nodes          sets.Set[string]
	maxUnavailable int
	soak           time.Duration
}

// assignWaves gives each node (name → labels) to the first wave that takes
// it, in order; nodes no wave takes form a last wave, "remaining nodes",
// paced by def. It warns about waves that take no node.
func assignWaves(nodes map[string]map[string]string, waves []Wave, def Wave) ([]plannedWave, []string) {
	remaining := make([]string, 0, len(nodes))
	for n := range nodes {
		remaining = append(remaining, n)
	}
	slices.Sort(remaining)
	var planned []plannedWave
	var warnings []string
	for i, w := range waves {
		var take []string
		switch {
		case w.Selector != nil:
			for _, n := range remaining {
				if w.Selector.Matches(labels.Set(nodes[n])) {
					take = append(take, n)
				}
			}
		case w.Percent > 0:
			take = remaining[:min(len(remaining), int(math.Ceil(float64(len(remaining))*float64(w.Percent)/100)))]
		case w.Count > 0:
			take = remaining[:min(len(remaining), w.Count)]
		}
		if len(take) == 0 {
			warnings = append(warnings, fmt.Sprintf("wave %d (%s) takes no node: no remaining node that runs the daemon matches it; it is skipped", i+1, w))
			continue
		}
		taken := sets.New(take...)
		remaining = slices.DeleteFunc(remaining, taken.Has)
		planned = append(planned, newPlannedWave(w.String(), taken, w))
	}
	if len(remaining) > 0 {
		planned = append(planned, newPlannedWave("remaining nodes", sets.New(remaining...), def))
	}
	return planned, warnings
}

func newPlannedWave(name string, nodes sets.Set[string], w Wave) plannedWave {
	return plannedWave{name: name, nodes: nodes, maxUnavailable: maxUnavailableOf(w.MaxUnavailable, nodes.Len()), soak: w.Soak}
}

// maxUnavailableOf resolves a wave's max unavailable against its size: a
// percent rounds up, and at least one pod is replaced at a time.
func maxUnavailableOf(v *intstr.IntOrString, size int) int {
	if v == nil {
		return 1
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, size, true)
	if err != nil || n < 1 {
		return 1
	}
	return n
}
