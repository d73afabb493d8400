package rollout

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
)

func TestParseWave(t *testing.T) {
	for in, want := range map[string]string{
		"25%": "25%", " 100% ": "100%", "3": "3 node(s)", "env=dev": "env=dev", "tier in (canary),zone!=b": "tier in (canary),zone!=b",
	} {
		w, err := ParseWave(in)
		if err != nil || w.String() != want {
			t.Errorf("ParseWave(%q) = %q, %v; want %q", in, w, err, want)
		}
	}
	for in, want := range map[string]string{
		"0%": "from 1% to 100%", "101%": "from 1% to 100%", "x%": "from 1% to 100%", "0": "at least 1",
		"": "is empty", "env in (": "not a node label selector", "!!": "not a node label selector",
	} {
		if _, err := ParseWave(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseWave(%q) error = %v, want one containing %q", in, err, want)
		}
	}
}

func TestDisjoint(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"env=dev", "env=prod", true},
		{"env=dev", "env!=dev", true},
		{"env in (dev,qa)", "env notin (dev,qa,staging)", true},
		{"env", "!env", true},
		{"env=dev", "!env", true},
		{"env=dev", "host=high-cpu", false},
		{"env=dev", "env in (dev,prod)", false},
		{"env in (dev,qa)", "env notin (dev)", false},
		{"env!=dev", "env!=prod", false},
		{"env=dev,host=a", "host=b", true},
	} {
		a, b := mustSelector(t, tc.a), mustSelector(t, tc.b)
		if got := Disjoint(a, b); got != tc.want || Disjoint(b, a) != tc.want {
			t.Errorf("Disjoint(%q, %q) = %v, want %v (both ways)", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestAssignWaves(t *testing.T) {
	nodes := map[string]map[string]string{}
	for i, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		env := "prod"
		if i%3 == 0 {
			env = "dev"
		}
		nodes[n] = map[string]string{"env": env}
	}
	two := intstr.FromString("50%")
	plan, warnings := assignWaves(nodes, []Wave{
		{Selector: mustSelector(t, "env=dev"), MaxUnavailable: &two},
		{Selector: mustSelector(t, "env=staging")},
		{Percent: 50, Soak: time.Minute},
		{Count: 2},
	}, Wave{})
	got := make([][]string, len(plan))
	for i, w := range plan {
		got[i] = sets.List(w.nodes)
	}
	want := [][]string{{"a", "d", "g", "j"}, {"b", "c", "e"}, {"f", "h"}, {"i"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("waves = %v, want %v", got, want)
	}
	if plan[0].maxUnavailable != 2 || plan[1].maxUnavailable != 1 || plan[1].soak != time.Minute || plan[3].name != "remaining nodes" {
		t.Errorf("plan = %+v", plan)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "wave 2 (env=staging) takes no node") {
		t.Errorf("warnings = %q", warnings)
	}
	three := intstr.FromInt32(3)
	if plan, _ := assignWaves(nodes, nil, Wave{MaxUnavailable: &three, Soak: time.Second}); len(plan) != 1 || plan[0].nodes.Len() != 10 ||
		plan[0].maxUnavailable != 3 || plan[0].soak != time.Second {
		t.Errorf("no waves: %+v, want one wave of every node paced by the default", plan)
	}
}

func TestMaxUnavailableOf(t *testing.T) {
	pct, zero, three := intstr.FromString("30%"), intstr.FromInt32(0), intstr.FromInt32(3)
	for _, tc := range []struct {
		v    *intstr.IntOrString
		size int
		want int
	}{{nil, 10, 1}, {&pct, 10, 3}, {&pct, 1, 1}, {&zero, 5, 1}, {&three, 2, 3}} {
		if got := maxUnavailableOf(tc.v, tc.size); got != tc.want {
			t.Errorf("maxUnavailableOf(%v, %d) = %d, want %d", tc.v, tc.size, got, tc.want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	ds := func(gen, observed int64, desired, updated, ready int32, strategy appsv1.DaemonSetUpdateStrategyType, rec *Record) *appsv1.DaemonSet {
		d := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Generation: gen},
			Spec: appsv1.DaemonSetSpec{UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: strategy}},
			Status: appsv1.DaemonSetStatus{ObservedGeneration: observed, DesiredNumberScheduled: desired, CurrentNumberScheduled: desired,
				UpdatedNumberScheduled: updated, NumberReady: ready, NumberAvailable: ready}}
		if rec != nil {
			raw, _ := json.Marshal(rec)
			d.Annotations = map[string]string{RolloutAnnotation: string(raw)}
		}
		return d
	}
	ru, od := appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType
	for name, tc := range map[string]struct {
		ds          *appsv1.DaemonSet
		skip        bool
		unfinished  bool
		summaryPart string
	}{
		"converged":                        {ds(2, 2, 3, 3, 3, ru, nil), false, false, "complete"},
		"not observed":                     {ds(3, 2, 3, 3, 3, ru, nil), false, true, "generation 3 unfinished"},
		"interrupted rolling update":       {ds(2, 2, 3, 1, 3, ru, nil), false, true, "1/3 nodes updated"},
		"not ready, not a rollout matter":  {ds(2, 2, 3, 3, 2, ru, nil), false, false, "complete"},
		"updated short, skipping NotReady": {ds(2, 2, 3, 2, 3, ru, nil), true, false, "complete"},
		"not ready, skipping NotReady":     {ds(2, 2, 3, 3, 2, ru, nil), true, false, "complete"},
		"OnDelete settled on old pods":     {ds(2, 2, 3, 0, 3, od, nil), false, false, "complete"},
		"waves interrupted":                {ds(2, 2, 3, 1, 3, od, &Record{Generation: 2, Waves: 3, Done: 1, Wave: "50%", Result: ResultProgressing}), false, true, "resume rollout: wave 2/3 (50%), 1/3 nodes updated"},
		"waves halted":                     {ds(2, 2, 3, 1, 3, od, &Record{Generation: 2, Waves: 3, Wave: "env=dev", Result: ResultHalted, Message: "wave 1/3 failed"}), false, true, "rollout halted in wave 1/3 (env=dev)"},
		"record of an older generation":    {ds(3, 3, 3, 3, 3, od, &Record{Generation: 2, Waves: 3, Result: ResultHalted}), false, false, "complete"},
		"rolled back for this generation":  {ds(4, 4, 3, 3, 3, od, &Record{Generation: 4, Waves: 3, Result: ResultRolledBack}), false, false, "rolled-back"},
	} {
		st := StatusOf(tc.ds, tc.skip)
		if st.Unfinished() != tc.unfinished || !strings.Contains(st.Summary(), tc.summaryPart) {
			t.Errorf("%s: %+v, summary %q; want unfinished %v and %q", name, st, st.Summary(), tc.unfinished, tc.summaryPart)
		}
	}
}

func TestClassifyNode(t *testing.T) {
	now := time.Now()
	rev := revision{generation: "2", hash: "new"}
	pod := func(gen, hash string, readyFor time.Duration, deleting bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{templateGenerationLabel: gen, appsv1.DefaultDaemonSetUniqueLabelKey: hash}}}
		if readyFor >= 0 {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-readyFor))}}
		}
		if deleting {
			p.DeletionTimestamp = &metav1.Time{Time: now}
		}
		return p
	}
	for name, tc := range map[string]struct {
		pods []*corev1.Pod
		want nodeState
	}{
		"current, available":                   {[]*corev1.Pod{pod("2", "new", time.Minute, false)}, nodeDone},
		"current by hash after a rollback":     {[]*corev1.Pod{pod("1", "new", time.Minute, false)}, nodeDone},
		"current, ready shorter than minReady": {[]*corev1.Pod{pod("2", "new", time.Second, false)}, nodeStarting},
		"current, not ready, old terminating":  {[]*corev1.Pod{pod("2", "new", -1, false), pod("1", "old", time.Minute, true)}, nodeStarting},
		"old, available":                       {[]*corev1.Pod{pod("1", "old", time.Minute, false)}, nodeOldServing},
		"old, not ready":                       {[]*corev1.Pod{pod("1", "old", -1, false)}, nodeOldBroken},
		"only a terminating pod":               {[]*corev1.Pod{pod("1", "old", time.Minute, true)}, nodeInTransit},
		"no pod":                               {nil, nodeInTransit},
	} {
		if got, _ := classifyNode(tc.pods, rev, 10*time.Second, now); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
}

func mustSelector(t *testing.T, s string) labels.Selector {
	t.Helper()
	sel, err := labels.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

// A NotReady node in a wave halts it (whatever OnFailure says: the template
// is not at fault), or, with SkipNotReadyNodes, leaves the wave with a
// warning.
func TestSkipNotReady(t *testing.T) {
	wave := func() *plannedWave {
		return &plannedWave{name: "env=prod", nodes: sets.New("a", "b", "c")}
	}
	r := &waveRun{notReady: sets.New("b", "x")}
	f := r.skipNotReady(wave())
	if f == nil || !f.halt || len(f.stuck) != 1 || f.stuck[0].Node != "b" || f.stuck[0].Reason != reasonNodeNotReady {
		t.Fatalf("without skipping: %+v, want a halt naming b", f)
	}
	r.opts.Wait.SkipNotReadyNodes = true
	w := wave()
	if f := r.skipNotReady(w); f != nil {
		t.Fatalf("skipping: %+v, want no failure", f)
	}
	if w.nodes.Has("b") || w.nodes.Len() != 2 || len(r.warnings) != 1 || !strings.Contains(r.warnings[0], "b") {
		t.Errorf("skipping: nodes %v, warnings %q; want b left out with a warning", sets.List(w.nodes), r.warnings)
	}
	if f := (&waveRun{}).skipNotReady(wave()); f != nil {
		t.Errorf("no NotReady node: %+v", f)
	}
}
