package rollout

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/placement"
)

// OnFailure is what a progressive rollout does when a wave fails.
type OnFailure string

// The choices of OnFailure.
const (
	// OnFailureRollback applies the previous template again and replaces
	// the new pods already created with pods of it.
	OnFailureRollback OnFailure = "rollback"
	// OnFailureHalt stops: the finished waves keep the new template, the
	// others the old one.
	OnFailureHalt OnFailure = "halt"
)

// WavesOptions tune RolloutWaves.
type WavesOptions struct {
	Waves []Wave
	// Default paces the nodes that no wave takes (MaxUnavailable, Soak),
	// and the last sweep of nodes still on an old template.
	Default Wave
	// MaxRestarts is how often a new pod may restart before its wave fails
	// (negative: no limit).
	MaxRestarts int32
	OnFailure   OnFailure
	// Reapply applies the DaemonSet again with tmpl, the previous template,
	// for a rollback; the provider re-applies its configuration with it, as
	// its field manager. Without it the rollback patches the template back
	// as `kubectl rollout undo` does.
	Reapply func(ctx context.Context, tmpl corev1.PodTemplateSpec) error
	// RollbackTimeout bounds the rollback after the deadline passed (5 min
	// when zero).
	RollbackTimeout time.Duration
	// Wait: FailFast fails a wave whose new pods are stuck, StuckGrace,
	// and Progress, which gets one line per change of a wave's counters.
	Wait WaitOptions
}

// WavesResult is a progressive rollout that reached every node.
type WavesResult struct {
	DaemonSet *appsv1.DaemonSet
	Record    Record
	Warnings  []string
}

// WaveError is a progressive rollout that stopped in a wave.
type WaveError struct {
	Namespace, Name string
	// Wave is the 1-based number of the wave that failed, of Waves.
	Wave, Waves int
	WaveName    string
	// Nodes are the wave's nodes.
	Nodes []string
	// Stuck names up to 10 pods that failed the wave; More counts others.
	Stuck []StuckPod
	More  int
	// Cause: CauseStuck (pods failed), or CauseTimeout or CauseCancelled
	// (interrupted: Result is ResultProgressing, and the rollout resumes).
	Cause Cause
	// Result says what was done about it.
	Result Result
	// RollbackErr is why the rollback itself failed, if it did.
	RollbackErr error
	// RecordErr is why the rollout's record could not be written, if so:
	// the next plan may then not know the rollout is unfinished.
	RecordErr error
}

func (e *WaveError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "daemonset %s/%s: wave %d/%d (%s) ", e.Namespace, e.Name, e.Wave, e.Waves, e.WaveName)
	switch e.Cause {
	case CauseCancelled:
		b.WriteString("was interrupted")
	case CauseTimeout:
		b.WriteString("did not finish before the deadline")
	default:
		b.WriteString("failed")
	}
	fmt.Fprintf(&b, " on node(s) %s", nodeList(e.Nodes))
	for _, s := range e.Stuck {
		b.WriteString("\n  " + s.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  and %d more", e.More)
	}
	switch {
	case e.RollbackErr != nil:
		fmt.Fprintf(&b, "\nrolling back failed: %v", e.RollbackErr)
	case e.Result == ResultRolledBack:
		b.WriteString("\nrolled back: the previous template is applied again and runs on every node")
	case e.Result == ResultHalted:
		fmt.Fprintf(&b, "\nhalted: the nodes of waves 1-%d run the new template (those of wave %d where their pods were replaced), "+
			"the other nodes the previous one; the next apply retries wave %d", e.Wave, e.Wave, e.Wave)
	case e.Result == ResultProgressing:
		b.WriteString("\nthe rollout resumes from this wave on the next apply")
	}
	if e.RecordErr != nil {
		fmt.Fprintf(&b, "\nrecording the rollout's progress on the DaemonSet failed: %v", e.RecordErr)
	}
	return b.String()
}

// nodeList is nodes joined by commas, the first maxReported of them, then
// how many more there are.
func nodeList(nodes []string) string {
	if len(nodes) > maxReported {
		return strings.Join(nodes[:maxReported], ", ") + fmt.Sprintf(" and %d more", len(nodes)-maxReported)
	}
	return strings.Join(nodes, ", ")
}

// RolloutWaves replaces the pods of an OnDelete DaemonSet wave by wave (see
// doc.go): the DaemonSet must already carry the new template. A rollout
// recorded on the DaemonSet for its generation resumes after its last
// finished wave. It returns a *WaveError when a wave fails or the rollout
// is interrupted.
func (c *Client) RolloutWaves(ctx context.Context, namespace, name string, opts WavesOptions) (*WavesResult, error) {
	if opts.Wait.StuckGrace <= 0 {
		opts.Wait.StuckGrace = DefaultStuckGrace
	}
	if opts.OnFailure == "" {
		opts.OnFailure = OnFailureRollback
	}
	// The record says "progressing" before anything else: a rollout
	// interrupted even before its first wave is then known unfinished.
	cur, err := c.Clientset.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get daemonset %s/%s: %w", namespace, name, err)
	}
	prev, resume := RecordOf(cur)
	resume = resume && (prev.Result == ResultProgressing || prev.Result == ResultHalted)
	if !resume {
		prev = Record{Generation: cur.Generation}
	}
	prev.Result = ResultProgressing
	if _, err := c.writeRecord(ctx, cur, prev); err != nil {
		return nil, err
	}
	ds, err := c.observed(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	if ds.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType {
		return nil, fmt.Errorf("daemonset %s/%s has update strategy %s: a progressive rollout replaces pods itself and needs OnDelete",
			namespace, name, ds.Spec.UpdateStrategy.Type)
	}
	rev, err := c.revisionOf(ctx, ds)
	if err != nil {
		return nil, err
	}
	t, err := c.trackPods(ctx, ds)
	if err != nil {
		return nil, err
	}
	defer t.stop()
	rec := prev
	rec.Generation = ds.Generation
	if rec.From == "" {
		rec.From = t.previousHash(rev)
	}
	if !resume && rec.From == "" {
		// Every pod runs the current template already (a change of the
		// metadata only): no wave has anything to replace, and none
		// soaks.
		return c.settle(ctx, ds, rec, opts, nil)
	}
	nodes, notReady, err := c.nodeLabels(ctx, t.nodes(), &ds.Spec.Template.Spec)
	if err != nil {
		return nil, err
	}
	plan, warnings := assignWaves(nodes, opts.Waves, opts.Default)
	rec.Waves, rec.Done, rec.Result, rec.Message = len(plan), min(rec.Done, len(plan)), ResultProgressing, ""
	r := &waveRun{c: c, t: t, ds: ds, opts: opts, plan: plan, notReady: notReady, assigned: sets.New[string]()}
	for _, w := range plan {
		r.assigned = r.assigned.Union(w.nodes)
	}
	for i := rec.Done; i < len(plan); i++ {
		rec.Wave = plan[i].name
		if ds, err = c.writeRecord(ctx, ds, rec); err != nil {
			return nil, err
		}
		failed, err := r.wave(ctx, i, rev, true)
		if err != nil || failed != nil {
			return nil, r.fail(ctx, i, rec, failed, err)
		}
		rec.Done = i + 1
	}
	// Nodes still on an old template: those a resumed rollout's waves
	// moved past when the nodes changed since it stopped. One last sweep.
	if left := r.notCurrent(rev, nodes); left.Len() > 0 {
		r.plan = append(r.plan, newPlannedWave("nodes left on an old template", left, opts.Default))
		i := len(r.plan) - 1
		rec.Waves, rec.Wave = len(r.plan), r.plan[i].name
		failed, err := r.wave(ctx, i, rev, true)
		if err != nil || failed != nil {
			return nil, r.fail(ctx, i, rec, failed, err)
		}
		rec.Done = i + 1
	}
	// Every node runs an available pod of the new template: wait for the
	// controller's status to say so, without diagnosing the pods the waves
	// checked. Only when it does not within settleQuick (NotReady nodes
	// skipped, misscheduled pods the controller keeps) does the full wait
	// decide, with its diagnosis and warnings.
	qctx, cancel := context.WithTimeout(ctx, settleQuick)
	done, err := c.watchDaemonSet(qctx, ds.Namespace, ds.Name, "report the rollout converged", func(ds *appsv1.DaemonSet) bool {
		return decide(ds, 0).verdict != progressing
	})
	cancel()
	if err != nil {
		return c.settle(ctx, ds, rec, opts, append(warnings, r.warnings...))
	}
	rec.Result, rec.Wave = ResultComplete, ""
	if done, err = c.writeRecord(ctx, done, rec); err != nil {
		return nil, err
	}
	return &WavesResult{DaemonSet: done, Record: rec, Warnings: append(warnings, r.warnings...)}, nil
}

// settleQuick bounds the wait for the controller's status after the last
// wave before the full wait takes over.
const settleQuick = 10 * time.Second

// notCurrent are the nodes (of those that run the new template, nodes)
// whose pod is not of rev and not on its way out.
func (r *waveRun) notCurrent(rev revision, nodes map[string]map[string]string) sets.Set[string] {
	out := sets.New[string]()
	for _, p := range r.t.pods() {
		n := podNode(p)
		if _, ok := nodes[n]; ok && p.DeletionTimestamp == nil && !rev.current(p) && !r.notReady.Has(n) {
			out.Insert(n)
		}
	}
	return out
}

// settle waits for the DaemonSet to converge once every wave is done, and
// records the rollout complete.
func (c *Client) settle(ctx context.Context, ds *appsv1.DaemonSet, rec Record, opts WavesOptions, warnings []string) (*WavesResult, error) {
	res, err := c.WaitDaemonSet(ctx, ds.Namespace, ds.Name, opts.Wait)
	if err != nil {
		return nil, err
	}
	rec.Result, rec.Wave = ResultComplete, ""
	if res.DaemonSet, err = c.writeRecord(ctx, res.DaemonSet, rec); err != nil {
		return nil, err
	}
	return &WavesResult{DaemonSet: res.DaemonSet, Record: rec, Warnings: append(warnings, res.Warnings...)}, nil
}

// waveRun is one progressive rollout in progress.
type waveRun struct {
	c        *Client
	t        *podTracker
	ds       *appsv1.DaemonSet
	opts     WavesOptions
	plan     []plannedWave
	assigned sets.Set[string]
	// notReady are the nodes that were NotReady when the rollout started:
	// their kubelet cannot start a new pod.
	notReady sets.Set[string]
	warnings []string
}

// waveFailure is why a wave failed: the pods that failed it. halt is set
// when the template is not at fault (NotReady nodes): the rollout halts
// whatever OnFailure says.
type waveFailure struct {
	stuck []StuckPod
	halt  bool
}

// fail ends a rollout that stopped in wave i: interrupted (the record says
// so, and the next apply resumes), or failed (halt or roll back).
func (r *waveRun) fail(ctx context.Context, i int, rec Record, failed *waveFailure, err error) error {
	w := r.plan[i]
	e := &WaveError{Namespace: r.ds.Namespace, Name: r.ds.Name, Wave: i + 1, Waves: len(r.plan), WaveName: w.name,
		Nodes: sets.List(w.nodes), Cause: CauseStuck}
	// The record must be written even when ctx is done.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.rollbackTimeout())
	defer cancel()
	switch {
	case failed != nil:
		e.Stuck = failed.stuck
		if len(e.Stuck) > 10 {
			e.More, e.Stuck = len(e.Stuck)-10, e.Stuck[:10]
		}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// Interrupted: the deadline passed or the caller stopped. Not a
		// failure of the new template: the record says where the rollout
		// stands, and the next run resumes this wave.
		e.Cause, e.Result = CauseCancelled, ResultProgressing
		if errors.Is(err, context.DeadlineExceeded) {
			e.Cause = CauseTimeout
		}
		_, _ = r.c.writeRecord(bg, r.ds, rec)
		return e
	default:
		return err
	}
	rec.Message = strings.TrimPrefix(e.Error(), fmt.Sprintf("daemonset %s/%s: ", r.ds.Namespace, r.ds.Name))
	rec.Message, _, _ = strings.Cut(rec.Message, "\n")
	if r.opts.OnFailure == OnFailureHalt || rec.From == "" || (failed != nil && failed.halt) {
		e.Result, rec.Result = ResultHalted, ResultHalted
		if rec.From == "" && r.opts.OnFailure == OnFailureRollback && (failed == nil || !failed.halt) {
			e.RollbackErr = errors.New("no previous template: the DaemonSet ran no pods of an older revision when the rollout started")
		}
		_, e.RecordErr = r.c.writeRecord(bg, r.ds, rec)
		return e
	}
	e.Result, rec.Result = ResultRolledBack, ResultRolledBack
	if err := r.rollback(bg, rec.From); err != nil {
		e.RollbackErr = err
		e.Result, rec.Result = ResultHalted, ResultHalted
	}
	// The rollback applied a new generation (when it got that far): the
	// record must be of it, or no reader takes it.
	ds, err := r.c.Clientset.AppsV1().DaemonSets(r.ds.Namespace).Get(bg, r.ds.Name, metav1.GetOptions{})
	if err != nil {
		e.RecordErr = err
		return e
	}
	rec.Generation = ds.Generation
	_, e.RecordErr = r.c.writeRecord(bg, ds, rec)
	return e
}

func (r *waveRun) rollbackTimeout() time.Duration {
	if r.opts.RollbackTimeout > 0 {
		return r.opts.RollbackTimeout
	}
	return 5 * time.Minute
}

// rollback applies the template of revision hash from again and replaces
// every pod of the newer template on the nodes the rollout touched, all at
// once (they are the failed template's), then waits until they are
// available.
func (r *waveRun) rollback(ctx context.Context, from string) error {
	ds := r.ds
	cr, err := r.c.revisionByHash(ctx, ds, from)
	if err != nil {
		return err
	}
	var data struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data.Raw, &data); err != nil {
		return fmt.Errorf("read revision %s of daemonset %s/%s: %w", cr.Name, ds.Namespace, ds.Name, err)
	}
	r.progress(fmt.Sprintf("%s/%s: rolling back to revision %d (%s)", ds.Namespace, ds.Name, cr.Revision, from))
	if r.opts.Reapply != nil {
		err = r.opts.Reapply(ctx, data.Spec.Template)
	} else {
		_, err = r.c.Clientset.AppsV1().DaemonSets(ds.Namespace).Patch(ctx, ds.Name, types.StrategicMergePatchType, cr.Data.Raw,
			metav1.PatchOptions{FieldManager: r.c.FieldManager})
	}
	if err != nil {
		return fmt.Errorf("apply the previous template of daemonset %s/%s: %w", ds.Namespace, ds.Name, err)
	}
	back, err := r.c.observed(ctx, ds.Namespace, ds.Name)
	if err != nil {
		return err
	}
	rev, err := r.c.revisionOf(ctx, back)
	if err != nil {
		return err
	}
	touched := sets.New[string]()
	for _, p := range r.t.pods() {
		if !rev.current(p) {
			touched.Insert(podNode(p))
		}
	}
	touched.Delete("")
	if touched.Len() == 0 {
		return nil
	}
	r.plan = append(r.plan, plannedWave{name: "rollback", nodes: touched, maxUnavailable: touched.Len()})
	failed, err := r.wave(ctx, len(r.plan)-1, rev, false)
	if err != nil {
		return err
	}
	if failed != nil {
		return fmt.Errorf("pods of the previous template are failing too:\n  %s", strings.Join(stuckLines(failed.stuck), "\n  "))
	}
	return nil
}

func stuckLines(stuck []StuckPod) []string {
	out := make([]string, 0, min(len(stuck), 10))
	for i, s := range stuck {
		if i == 10 {
			out = append(out, fmt.Sprintf("and %d more", len(stuck)-10))
			break
		}
		out = append(out, s.String())
	}
	return out
}

func (r *waveRun) progress(line string) {
	if r.opts.Wait.Progress != nil {
		r.opts.Wait.Progress(line)
	}
}

// nodeState is what one node of a wave runs.
type nodeState int

const (
	// nodeDone: a pod of the current template, available.
	nodeDone nodeState = iota
	// nodeStarting: a pod of the current template, not available yet.
	nodeStarting
	// nodeOldServing: a pod of an older template, available.
	nodeOldServing
	// nodeOldBroken: a pod of an older template, not available.
	nodeOldBroken
	// nodeInTransit: only pods on their way out, or none.
	nodeInTransit
)

// wave replaces the pods of wave i's nodes with pods of rev: it deletes the
// old pods, at most maxUnavailable nodes without an available pod at a
// time (old pods that are not available go first and cost nothing), waits
// until each node runs an available pod of rev, then soaks. A new pod that
// is stuck (FailFast) fails the wave, and with check one that restarts more
// than MaxRestarts times. A pod of rev that appears on a node no wave took (a node
// that joined) joins this wave.
func (r *waveRun) wave(ctx context.Context, i int, rev revision, check bool) (*waveFailure, error) {
	w := &r.plan[i]
	label := fmt.Sprintf("wave %d/%d %s", i+1, len(r.plan), w.name)
	if w.name == "rollback" {
		label = "rollback"
	}
	deleted := sets.New[types.UID]()
	minReady := time.Duration(r.ds.Spec.MinReadySeconds) * time.Second
	var soakStart time.Time
	noPodSince := map[string]time.Time{}
	// Restarts count from the wave's start: a resumed wave's pods keep the
	// restarts of the attempt that failed.
	baseline := map[types.UID]int32{}
	first := true
	last := ""
	if f := r.skipNotReady(w); f != nil {
		return f, nil
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		now := r.c.now()
		byNode := map[string][]*corev1.Pod{}
		for _, p := range r.t.pods() {
			n := podNode(p)
			if n == "" {
				continue
			}
			if !r.assigned.Has(n) && rev.current(p) {
				// A node that joined during the rollout: the controller
				// gave it the new template; it counts toward this wave.
				r.assigned.Insert(n)
				w.nodes.Insert(n)
			}
			if w.nodes.Has(n) {
				byNode[n] = append(byNode[n], p)
			}
		}
		counts := map[nodeState]int{}
		var serving, broken []*corev1.Pod
		var stuck []StuckPod
		restarts := int32(0)
		for _, n := range sets.List(w.nodes) {
			st, old := classifyNode(byNode[n], rev, minReady, now)
			counts[st]++
			switch st {
			case nodeOldServing:
				serving = append(serving, old)
			case nodeOldBroken:
				broken = append(broken, old)
			}
			for _, p := range byNode[n] {
				if !rev.current(p) || p.DeletionTimestamp != nil {
					continue
				}
				if _, seen := baseline[p.UID]; !seen {
					baseline[p.UID] = 0
					if first {
						baseline[p.UID] = podRestarts(p)
					}
				}
				rc := podRestarts(p) - baseline[p.UID]
				restarts += rc
				if check && r.opts.MaxRestarts >= 0 && rc > r.opts.MaxRestarts {
					stuck = append(stuck, StuckPod{Node: n, Pod: p.Name, Phase: string(p.Status.Phase), Reason: "Restarted",
						Message: fmt.Sprintf("%d restart(s), more than the %d allowed (max_restarts)", rc, r.opts.MaxRestarts)})
					continue
				}
				if prob, ok := podProblem(p); ok && r.opts.Wait.FailFast && (prob.fatal || now.Sub(prob.since) >= r.opts.Wait.StuckGrace) {
					stuck = append(stuck, prob.stuck)
				}
			}
		}
		first = false
		if len(stuck) > 0 {
			return &waveFailure{stuck: stuck}, nil
		}
		// A node of the wave without any pod for the grace period: the
		// node may be gone or no longer fit the template, or the
		// controller cannot create the pod.
		var overdue []string
		for _, n := range sets.List(w.nodes) {
			if len(byNode[n]) > 0 {
				delete(noPodSince, n)
				continue
			}
			if _, ok := noPodSince[n]; !ok {
				noPodSince[n] = now
			}
			if now.Sub(noPodSince[n]) >= r.opts.Wait.StuckGrace {
				overdue = append(overdue, n)
			}
		}
		if len(overdue) > 0 {
			if f, err := r.dropGoneNodes(ctx, w, overdue); err != nil || f != nil {
				return f, err
			}
		}
		total := w.nodes.Len()
		line := fmt.Sprintf("%s: %d/%d updated", label, counts[nodeDone], total)
		if counts[nodeDone] == total {
			if soakStart.IsZero() {
				soakStart = now
			}
			if now.Sub(soakStart) >= w.soak {
				r.logLine(&last, line+fmt.Sprintf(", done, %d restart(s)", restarts))
				return nil, nil
			}
			line += fmt.Sprintf(", soaking %s, %d restart(s)", w.soak, restarts)
		} else {
			// The soak is continuous: a pod that is not available any more
			// starts it over.
			soakStart = time.Time{}
			// Old pods that are not available cost nothing; available ones
			// are replaced while fewer than maxUnavailable nodes are down.
			budget := w.maxUnavailable - (total - counts[nodeDone] - counts[nodeOldServing])
			victims := broken
			for _, p := range serving {
				if budget <= 0 {
					break
				}
				victims = append(victims, p)
				budget--
			}
			for _, p := range victims {
				if deleted.Has(p.UID) || r.notReady.Has(podNode(p)) {
					continue
				}
				if err := r.deletePod(ctx, p); err != nil {
					return nil, err
				}
				deleted.Insert(p.UID)
			}
			line += fmt.Sprintf(", %d restart(s)", restarts)
		}
		r.logLine(&last, line)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-r.t.changed:
		case <-tick.C:
		}
	}
}

func (r *waveRun) logLine(last *string, line string) {
	if line != *last {
		*last = line
		r.progress(line)
	}
}

// dropGoneNodes removes from the wave the nodes without a pod (for the grace
// period) that no longer exist or no longer fit the template (the controller
// deleted their pod); a node that fits and still has no pod fails the wave.
func (r *waveRun) dropGoneNodes(ctx context.Context, w *plannedWave, nodes []string) (*waveFailure, error) {
	var stuck []StuckPod
	fits := placement.NewEvaluator(&r.ds.Spec.Template.Spec)
	for _, n := range nodes {
		node, err := r.c.Clientset.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			w.nodes.Delete(n)
		case err != nil:
			return nil, fmt.Errorf("get node %s: %w", n, err)
		case !fits.Fits(node):
			w.nodes.Delete(n)
		default:
			stuck = append(stuck, StuckPod{Node: n, Reason: reasonNoPod,
				Message: fmt.Sprintf("no pod for %s after its old one was deleted", r.opts.Wait.StuckGrace)})
		}
	}
	if len(stuck) > 0 {
		return &waveFailure{stuck: stuck}, nil
	}
	return nil, nil
}

// classifyNode says what a node runs, and returns its old pod when the node
// runs one that is not being deleted.
func classifyNode(pods []*corev1.Pod, rev revision, minReady time.Duration, now time.Time) (nodeState, *corev1.Pod) {
	var cur, old *corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if rev.current(p) {
			cur = p
		} else {
			old = p
		}
	}
	switch {
	case cur != nil && podAvailable(cur, minReady, now):
		return nodeDone, old
	case cur != nil:
		return nodeStarting, old
	case old != nil && podAvailable(old, minReady, now):
		return nodeOldServing, old
	case old != nil:
		return nodeOldBroken, old
	}
	return nodeInTransit, nil
}

// podAvailable: ready for at least minReady, as the DaemonSet controller
// counts available pods.
func podAvailable(p *corev1.Pod, minReady time.Duration, now time.Time) bool {
	c := podCondition(p, corev1.PodReady)
	if c == nil || c.Status != corev1.ConditionTrue {
		return false
	}
	return minReady == 0 || (!c.LastTransitionTime.IsZero() && !c.LastTransitionTime.Add(minReady).After(now))
}

func podRestarts(p *corev1.Pod) int32 {
	var n int32
	for _, cs := range p.Status.ContainerStatuses {
		n += cs.RestartCount
	}
	for _, cs := range p.Status.InitContainerStatuses {
		n += cs.RestartCount
	}
	return n
}

func (r *waveRun) deletePod(ctx context.Context, p *corev1.Pod) error {
	uid := p.UID
	err := r.c.Clientset.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("delete pod %s/%s on node %s: %w", p.Namespace, p.Name, podNode(p), err)
	}
	return nil
}

// observed waits until the DaemonSet's controller has observed its current
// generation (so its current ControllerRevision exists) and returns it.
func (c *Client) observed(ctx context.Context, namespace, name string) (*appsv1.DaemonSet, error) {
	return c.watchDaemonSet(ctx, namespace, name, "observe", func(ds *appsv1.DaemonSet) bool {
		return ds.Status.ObservedGeneration >= ds.Generation
	})
}

// watchDaemonSet watches the DaemonSet (one list, one watch) until cond
// holds, and returns it; what names the wait in errors.
func (c *Client) watchDaemonSet(ctx context.Context, namespace, name, what string, cond func(*appsv1.DaemonSet) bool) (*appsv1.DaemonSet, error) {
	sel := fields.OneTermEqualSelector(metav1.ObjectNameField, name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return c.Clientset.AppsV1().DaemonSets(namespace).List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return c.Clientset.AppsV1().DaemonSets(namespace).Watch(ctx, o)
		},
	}
	var out *appsv1.DaemonSet
	done := func(ds *appsv1.DaemonSet) bool {
		if cond(ds) {
			out = ds
			return true
		}
		return false
	}
	_, err := watchtools.UntilWithSync(ctx, lw, &appsv1.DaemonSet{}, func(store cache.Store) (bool, error) {
		for _, o := range store.List() {
			if ds, ok := o.(*appsv1.DaemonSet); ok && done(ds) {
				return true, nil
			}
		}
		if len(store.List()) == 0 {
			return false, fmt.Errorf("daemonset %s/%s not found", namespace, name)
		}
		return false, nil
	}, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("daemonset %s/%s was deleted during the rollout", namespace, name)
		}
		ds, ok := ev.Object.(*appsv1.DaemonSet)
		return ok && done(ds), nil
	})
	if err != nil {
		return nil, fmt.Errorf("wait for the controller to %s daemonset %s/%s: %w", what, namespace, name, err)
	}
	return out, nil
}

// revisionOf is the DaemonSet's current revision, by template generation
// and by hash both, as the controller matches pods (a rollback makes the
// hash of an older revision current again, while the old pods keep their
// template generation).
func (c *Client) revisionOf(ctx context.Context, ds *appsv1.DaemonSet) (revision, error) {
	list, err := c.revisions(ctx, ds)
	if err != nil {
		return revision{}, err
	}
	rev := revision{generation: ds.Annotations[templateGenerationAnnotation]}
	if len(list) > 0 {
		rev.hash = list[len(list)-1].Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
	}
	return rev, nil
}

// revisions are the DaemonSet's ControllerRevisions, oldest first.
func (c *Client) revisions(ctx context.Context, ds *appsv1.DaemonSet) ([]appsv1.ControllerRevision, error) {
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("daemonset %s/%s selector: %w", ds.Namespace, ds.Name, err)
	}
	list, err := c.Clientset.AppsV1().ControllerRevisions(ds.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, fmt.Errorf("list revisions of daemonset %s/%s: %w", ds.Namespace, ds.Name, err)
	}
	out := slices.DeleteFunc(list.Items, func(cr appsv1.ControllerRevision) bool {
		ref := metav1.GetControllerOf(&cr)
		return ref == nil || ref.UID != ds.UID
	})
	slices.SortFunc(out, func(a, b appsv1.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
	return out, nil
}

func (c *Client) revisionByHash(ctx context.Context, ds *appsv1.DaemonSet, hash string) (*appsv1.ControllerRevision, error) {
	list, err := c.revisions(ctx, ds)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == hash {
			return &list[i], nil
		}
	}
	return nil, fmt.Errorf("daemonset %s/%s has no revision %s left to roll back to (revision_history_limit)", ds.Namespace, ds.Name, hash)
}

// nodeLabels lists the nodes (500 per page) and keeps the labels of those in
// names that the template runs on (a node it no longer fits loses its pod to
// the controller, and has nothing to roll out), and which of them are
// NotReady.
func (c *Client) nodeLabels(ctx context.Context, names sets.Set[string], spec *corev1.PodSpec) (map[string]map[string]string, sets.Set[string], error) {
	out := make(map[string]map[string]string, names.Len())
	notReady := sets.New[string]()
	fits := placement.NewEvaluator(spec)
	err := k8s.EachNode(ctx, c.Clientset, metav1.ListOptions{}, func(n *corev1.Node) error {
		if !names.Has(n.Name) || !fits.Fits(n) {
			return nil
		}
		out[n.Name] = n.Labels
		if !nodeIsReady(n) {
			notReady.Insert(n.Name)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list nodes: %w", err)
	}
	return out, notReady, nil
}

func nodeIsReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// skipNotReady takes the NotReady nodes out of wave w: with
// SkipNotReadyNodes they are left on the old template with a warning;
// otherwise the wave halts, naming them, since no new pod can start there
// and the template is not at fault.
func (r *waveRun) skipNotReady(w *plannedWave) *waveFailure {
	nodes := sets.List(w.nodes.Intersection(r.notReady))
	if len(nodes) == 0 {
		return nil
	}
	if r.opts.Wait.SkipNotReadyNodes {
		w.nodes.Delete(nodes...)
		r.warnings = append(r.warnings, fmt.Sprintf("%s: NotReady node(s) left on the old template: %s", w.name, nodeList(nodes)))
		return nil
	}
	stuck := make([]StuckPod, 0, len(nodes))
	for _, n := range nodes {
		stuck = append(stuck, StuckPod{Node: n, Reason: reasonNodeNotReady,
			Message: "the node is NotReady: its kubelet cannot start a new pod; skip NotReady nodes to roll out without it"})
	}
	return &waveFailure{stuck: stuck, halt: true}
}

// podTracker keeps the DaemonSet's pods in memory from one list and one
// watch (an informer), trimmed to what a rollout reads, and signals changed
// on every event.
type podTracker struct {
	informer cache.SharedIndexInformer
	changed  chan struct{}
	cancel   context.CancelFunc
	uid      types.UID
	once     sync.Once
}

func (c *Client) trackPods(ctx context.Context, ds *appsv1.DaemonSet) (*podTracker, error) {
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("daemonset %s/%s selector: %w", ds.Namespace, ds.Name, err)
	}
	pods := c.Clientset.CoreV1().Pods(ds.Namespace)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = sel.String()
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = sel.String()
			return pods.Watch(ctx, o)
		},
	}
	inf := cache.NewSharedIndexInformer(lw, &corev1.Pod{}, 0, cache.Indexers{})
	t := &podTracker{informer: inf, changed: make(chan struct{}, 1), uid: ds.UID}
	if err := inf.SetTransform(trimPod); err != nil {
		return nil, err
	}
	notify := func() {
		select {
		case t.changed <- struct{}{}:
		default:
		}
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { notify() }, UpdateFunc: func(any, any) { notify() }, DeleteFunc: func(any) { notify() },
	}); err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel = cancel
	go inf.RunWithContext(runCtx)
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		cancel()
		return nil, fmt.Errorf("list pods of daemonset %s/%s: %w", ds.Namespace, ds.Name, context.Cause(ctx))
	}
	return t, nil
}

func (t *podTracker) stop() { t.once.Do(t.cancel) }

// pods are the tracked pods the DaemonSet controls.
func (t *podTracker) pods() []*corev1.Pod {
	var out []*corev1.Pod
	for _, o := range t.informer.GetStore().List() {
		p, ok := o.(*corev1.Pod)
		if !ok {
			continue
		}
		if ref := metav1.GetControllerOf(p); ref != nil && ref.UID == t.uid {
			out = append(out, p)
		}
	}
	return out
}

// nodes are the nodes that run a pod of the DaemonSet.
func (t *podTracker) nodes() sets.Set[string] {
	out := sets.New[string]()
	for _, p := range t.pods() {
		if n := podNode(p); n != "" && p.DeletionTimestamp == nil {
			out.Insert(n)
		}
	}
	return out
}

// previousHash is the revision most pods of an older template run: what a
// rollback returns to. "" when every pod runs the current one.
func (t *podTracker) previousHash(rev revision) string {
	count := map[string]int{}
	for _, p := range t.pods() {
		if !rev.current(p) && p.DeletionTimestamp == nil {
			count[p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]]++
		}
	}
	best := ""
	for h, n := range count {
		if h != "" && (n > count[best] || (n == count[best] && h < best)) {
			best = h
		}
	}
	return best
}

// trimPod keeps of a pod what a rollout reads: identity, labels, owner,
// node, conditions and container states; a rollout at thousands of nodes
// then holds little more than a name and a few states per node.
func trimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	out := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, UID: p.UID, Labels: p.Labels,
			OwnerReferences: p.OwnerReferences, CreationTimestamp: p.CreationTimestamp,
			DeletionTimestamp: p.DeletionTimestamp, ResourceVersion: p.ResourceVersion},
		Spec: corev1.PodSpec{NodeName: p.Spec.NodeName, Affinity: p.Spec.Affinity},
		Status: corev1.PodStatus{Phase: p.Status.Phase, Conditions: p.Status.Conditions, Reason: p.Status.Reason,
			Message: p.Status.Message, ContainerStatuses: p.Status.ContainerStatuses,
			InitContainerStatuses: p.Status.InitContainerStatuses},
	}
	return out, nil
}
