package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// WaitOptions tune WaitDaemonSet.
type WaitOptions struct {
	// FailFast ends the wait as soon as a pod of the current template is
	// stuck in a state that will not resolve by itself.
	FailFast bool
	// SkipNotReadyNodes converges on the Ready nodes and warns about the
	// NotReady ones instead of waiting for them.
	SkipNotReadyNodes bool
	// StuckGrace is how long ErrImagePull, ImagePullBackOff,
	// CrashLoopBackOff, a volume the kubelet cannot mount (FailedMount) and
	// most Unschedulable pods may last before they count as stuck
	// (DefaultStuckGrace when zero).
	StuckGrace time.Duration
	// Progress receives one line each time a status counter changes.
	Progress func(line string)
}

// WaitResult is a converged DaemonSet and what the caller should know about it.
type WaitResult struct {
	// DaemonSet is the object of the watch event that ended the wait: the
	// cluster's DaemonSet, status included, as it converged, so that the
	// caller need not read it again.
	DaemonSet *appsv1.DaemonSet
	Warnings  []string
}

// Cause is why a wait ended before the DaemonSet converged.
type Cause string

// The causes of a NotConvergedError.
const (
	// CauseTimeout: the deadline passed.
	CauseTimeout Cause = "timeout"
	// CauseStuck: FailFast saw pods (or the controller) that cannot recover.
	CauseStuck Cause = "stuck"
	// CauseDeleted: the DaemonSet was deleted (or replaced) during the wait.
	CauseDeleted Cause = "deleted"
	// CauseCancelled: the caller cancelled the wait.
	CauseCancelled Cause = "cancelled"
)

// Knob is a setting of the wait that would have changed its outcome. The
// caller names it in its own terms (a Terraform attribute, a flag).
type Knob string

// The knobs a NotConvergedError can name.
const (
	// KnobFailFast: with fail-fast off, the wait would have gone on waiting
	// out the stuck pods.
	KnobFailFast Knob = "fail-fast"
	// KnobSkipNotReadyNodes: skipping NotReady nodes would converge without
	// the NotReady nodes that hold up the rollout.
	KnobSkipNotReadyNodes Knob = "skip-not-ready-nodes"
	// KnobTimeout: a longer deadline, if the rollout is only slow.
	KnobTimeout Knob = "timeout"
)

// NotConvergedError is a wait that ended before the DaemonSet converged.
// Its message states facts only; what to change is the caller's to say,
// from Knobs.
type NotConvergedError struct {
	Namespace, Name string
	// Status and Generation are the last ones seen.
	Status     appsv1.DaemonSetStatus
	Generation int64
	// Stuck names up to 10 pods that keep the rollout from converging;
	// More counts the others.
	Stuck []StuckPod
	More  int
	// Failing counts the problems of the current template the last
	// diagnosis saw (pods, and the controller's failure), whether or not
	// their grace period has passed; PastGrace counts those that are stuck
	// for good (fatal, or past the grace period).
	Failing, PastGrace int
	// Grace is the grace period PastGrace was measured against.
	Grace time.Duration
	Cause Cause
	// Waiting says which condition of convergence was still unmet.
	Waiting string
	// NotReadyNodes are NotReady nodes that hold up the rollout.
	NotReadyNodes []string
	// Knobs are the settings that would have changed the outcome.
	Knobs []Knob
}

func (e *NotConvergedError) Error() string {
	var b strings.Builder
	key := e.Namespace + "/" + e.Name
	switch e.Cause {
	case CauseStuck:
		if e.controllerFailed() {
			fmt.Fprintf(&b, "daemonset %s cannot converge: the DaemonSet controller cannot create its pods", key)
		} else {
			fmt.Fprintf(&b, "daemonset %s cannot converge: pods of its current template are stuck", key)
		}
	case CauseDeleted:
		fmt.Fprintf(&b, "daemonset %s was deleted while waiting for it to converge", key)
	case CauseCancelled:
		fmt.Fprintf(&b, "waiting for daemonset %s was cancelled before it converged", key)
	default:
		fmt.Fprintf(&b, "daemonset %s did not converge before the deadline", key)
	}
	st := e.Status
	fmt.Fprintf(&b, " (generation %d, status of generation %d: %d desired, %d scheduled, %d updated, %d ready, %d available, %d misscheduled)",
		e.Generation, st.ObservedGeneration, st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.UpdatedNumberScheduled,
		st.NumberReady, st.NumberAvailable, st.NumberMisscheduled)
	if e.Waiting != "" {
		fmt.Fprintf(&b, "\nwaiting for %s", e.Waiting)
	}
	for _, s := range e.Stuck {
		b.WriteString("\n  " + s.String())
	}
	switch {
	case e.Cause == CauseStuck && e.Failing > len(e.Stuck):
		fmt.Fprintf(&b, "\n  and %d more failing (%s)", e.Failing-len(e.Stuck), e.pastGrace(e.PastGrace-len(e.Stuck)))
	case e.More > 0:
		fmt.Fprintf(&b, "\n  and %d more", e.More)
	}
	if e.Cause != CauseStuck && e.Failing > 0 {
		fmt.Fprintf(&b, "\n%d pod(s) of the current template failing in all (%s)", e.Failing, e.pastGrace(e.PastGrace))
	}
	if len(e.NotReadyNodes) > 0 {
		fmt.Fprintf(&b, "\nNotReady nodes holding up the rollout: %s", strings.Join(e.NotReadyNodes, ", "))
	}
	switch {
	case e.Cause == CauseStuck && e.controllerFailed():
		b.WriteString("\nFix what the controller's event names (e.g. create the missing ServiceAccount, raise the ResourceQuota, " +
			"or meet the namespace's pod security level) and apply again.")
	case e.Cause == CauseStuck:
		b.WriteString("\nFix the pod template (image, command, configuration, host ports, resources, tolerations) and apply again.")
	}
	return b.String()
}

// pastGrace says how many of a number of failing pods are stuck for good.
func (e *NotConvergedError) pastGrace(n int) string {
	if n == 0 {
		return fmt.Sprintf("all within the grace period of %s", e.Grace)
	}
	return fmt.Sprintf("%d of them past the grace period of %s or failing for good", n, e.Grace)
}

// HasKnob reports whether k would have changed the outcome.
func (e *NotConvergedError) HasKnob(k Knob) bool {
	return slices.Contains(e.Knobs, k)
}

// controllerFailed reports whether a stuck entry is the DaemonSet
// controller's own failure (it names no node and no pod).
func (e *NotConvergedError) controllerFailed() bool {
	for _, s := range e.Stuck {
		if s.Node == "" && s.Pod == "" {
			return true
		}
	}
	return false
}

const (
	// DefaultStuckGrace is WaitOptions.StuckGrace when unset.
	DefaultStuckGrace = 30 * time.Second
	// firstQuiet is how long the status may stand still before the pods
	// are listed for a diagnosis; each diagnosis doubles it up to maxQuiet.
	firstQuiet = 2 * time.Second
	maxQuiet   = time.Minute
	// finalDiagnosisTimeout bounds the pod listing after the deadline.
	finalDiagnosisTimeout = 15 * time.Second
)

var errDeleted = errors.New("daemonset deleted")

// WaitDaemonSet waits until the DaemonSet namespace/name converged (see
// doc.go), until ctx's deadline, or until it cannot converge (FailFast). A
// wait that ends unconverged returns a *NotConvergedError.
func (c *Client) WaitDaemonSet(ctx context.Context, namespace, name string, opts WaitOptions) (*WaitResult, error) {
	if opts.StuckGrace <= 0 {
		opts.StuckGrace = DefaultStuckGrace
	}
	w := &waiter{c: c, namespace: namespace, name: name, opts: opts,
		changed: make(chan struct{}, 1), verify: make(chan struct{}, 1)}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	done := make(chan error, 1)
	go func() {
		_, err := watchtools.UntilWithSync(watchCtx, w.listWatch(), &appsv1.DaemonSet{}, w.precondition, w.condition)
		done <- err
	}()
	quiet := firstQuiet
	timer := time.NewTimer(quiet)
	defer timer.Stop()
	var pace pace
	for {
		var verify bool
		select {
		case err := <-done:
			return w.finish(ctx, err)
		case <-w.changed:
			timer.Reset(pace.quietAfterChange(time.Now(), quiet))
			continue
		case <-w.verify:
			verify = true
		case <-timer.C:
		}
		res, next, err := w.check(ctx)
		if res != nil || err != nil {
			stopWatch()
			<-done
			return res, err
		}
		if !verify {
			quiet = min(2*quiet, maxQuiet)
		}
		wait := quiet
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(c.now()), 10*time.Millisecond))
		}
		timer.Reset(wait)
	}
}

// pace learns how often the status of a progressing rollout changes, so that
// a rollout whose status changes at its own steady pace is never diagnosed:
// the pods are listed only when the status stands still for longer than
// twice the longest pause between changes seen so far (and at least the
// current quiet period). A large cluster, whose controller takes seconds per
// sync, or slow image pulls, thus cost no listing while the rollout moves.
type pace struct {
	last    time.Time
	longest time.Duration
}

// quietAfterChange records a change of the status at now and returns how
// long the status may stand still before the next diagnosis.
func (p *pace) quietAfterChange(now time.Time, quiet time.Duration) time.Duration {
	if !p.last.IsZero() {
		p.longest = max(p.longest, now.Sub(p.last))
	}
	p.last = now
	return max(quiet, min(2*p.longest, maxQuiet))
}

// waiter is the state of one WaitDaemonSet. The watch goroutine calls
// condition; the waiting goroutine runs the diagnoses.
type waiter struct {
	c               *Client
	namespace, name string
	opts            WaitOptions

	// skip is how many NotReady nodes lack a current, ready pod (set by
	// check with SkipNotReadyNodes). The watch converges on full counters
	// only; counters that reach desired minus skip send on verify, and
	// check confirms pod by pod that every Ready node runs the current
	// template before it ends the wait.
	skip    atomic.Int32
	changed chan struct{}
	// uid is the UID of the first DaemonSet seen (the watch goroutine's).
	uid    types.UID
	verify chan struct{}

	mu      sync.Mutex
	latest  *appsv1.DaemonSet
	last    counters
	printed bool
}

func (w *waiter) key() string { return w.namespace + "/" + w.name }

// listWatch watches the one DaemonSet (field selector on its name), so the
// traffic does not depend on how many DaemonSets or pods there are.
func (w *waiter) listWatch() cache.ListerWatcher {
	sel := fields.OneTermEqualSelector(metav1.ObjectNameField, w.name).String()
	api := w.c.Clientset.AppsV1().DaemonSets(w.namespace)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return api.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return api.Watch(ctx, o)
		},
	}
	// GOTCHA: the reflector streams the initial list through the watch
	// (WatchListClient) unless the client says it cannot, as fake
	// clientsets do; without this a fake's watch never syncs.
	return cache.ToListWatcherWithWatchListSemantics(lw, w.c.Clientset)
}

func (w *waiter) precondition(store cache.Store) (bool, error) {
	_, exists, err := store.GetByKey(w.key())
	if err != nil {
		return false, err
	}
	if !exists {
		return false, apierrors.NewNotFound(appsv1.Resource("daemonsets"), w.name)
	}
	return false, nil
}

func (w *waiter) condition(ev watch.Event) (bool, error) {
	switch ev.Type {
	case watch.Deleted:
		return false, errDeleted
	case watch.Added, watch.Modified:
		ds, ok := ev.Object.(*appsv1.DaemonSet)
		if !ok {
			return false, nil
		}
		// A DaemonSet deleted and recreated while the watch reconnects
		// comes back from the re-list as Modified, not Deleted.
		if w.uid == "" {
			w.uid = ds.UID
		} else if ds.UID != w.uid {
			return false, errDeleted
		}
		w.observe(ds)
		if decide(ds, 0).verdict != progressing {
			return true, nil
		}
		skip, misscheduled := w.skip.Load(), ds.Status.NumberMisscheduled > 0
		if misscheduled {
			// Misscheduled pods may be ones the controller leaves running:
			// check at once rather than after the quiet period.
			ds = ds.DeepCopy()
			ds.Status.NumberMisscheduled = 0
		}
		if (skip > 0 || misscheduled) && decide(ds, skip).verdict != progressing {
			select {
			case w.verify <- struct{}{}:
			default:
			}
		}
		return false, nil
	}
	return false, nil
}

// observe records ds and prints a progress line when a counter changed.
func (w *waiter) observe(ds *appsv1.DaemonSet) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.latest = ds
	c := countersOf(ds)
	if w.printed && c == w.last {
		return
	}
	w.last, w.printed = c, true
	w.progressLocked(progressLine(ds))
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *waiter) progressLocked(line string) {
	if w.opts.Progress != nil {
		w.opts.Progress(line)
	}
}

func (w *waiter) snapshot() *appsv1.DaemonSet {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.latest
}

// check runs one diagnosis while the status stands still, or when the
// counters reach desired but for skipped NotReady nodes. It returns a result
// when skipping NotReady nodes lets the rollout converge (every other node
// that should run the daemon runs a current, ready pod), an error when it
// fails fast, and when the next check is due for a problem in its grace
// period.
func (w *waiter) check(ctx context.Context) (*WaitResult, time.Time, error) {
	ds := w.snapshot()
	if ds == nil || decide(ds, 0).verdict != progressing {
		return nil, time.Time{}, nil
	}
	d, err := w.c.diagnose(ctx, ds, w.opts.StuckGrace)
	if err != nil {
		// The apiserver may be restarting: the watch reconnects by itself,
		// and the next diagnosis or the deadline's will tell.
		return nil, time.Time{}, nil //nolint:nilerr // not an end of the wait, see above
	}
	if w.opts.FailFast && len(d.stuck) > 0 {
		e := w.notConverged(ds, CauseStuck, d, d.stuck)
		w.c.withEvents(ctx, w.namespace, e.Stuck)
		return nil, time.Time{}, e
	}
	if len(d.notReadyNodes) > 0 && !w.opts.SkipNotReadyNodes {
		w.mu.Lock()
		w.progressLocked(fmt.Sprintf("%s: waiting for NotReady node(s) %s", w.key(), strings.Join(d.notReadyNodes, ", ")))
		w.mu.Unlock()
	}
	var skip int32
	if w.opts.SkipNotReadyNodes {
		skip = int32(len(d.notReadyNodes))
		w.skip.Store(skip)
	}
	settled, staying := ds, []string(nil)
	if ds.Status.NumberMisscheduled > 0 {
		// A misscheduled pod that the controller leaves running (its node
		// got a NoSchedule taint) never leaves the counter.
		staying, err = w.c.stayingMisscheduled(ctx, ds)
		if err != nil || int32(len(staying)) < ds.Status.NumberMisscheduled {
			staying = nil
		} else {
			settled = ds.DeepCopy()
			settled.Status.NumberMisscheduled = 0
		}
	}
	if (skip > 0 || staying != nil) && d.blocking == 0 {
		if v := decide(settled, skip).verdict; v != progressing {
			var skipped []string
			if skip > 0 {
				skipped = d.notReadyNodes
			}
			res, err := w.complete(ctx, ds, v, skipped, staying)
			return res, time.Time{}, err
		}
	}
	return nil, d.nextExpiry, nil
}

// finish turns the end of the watch into the result of the wait.
func (w *waiter) finish(ctx context.Context, err error) (*WaitResult, error) {
	ds := w.snapshot()
	switch {
	case err == nil && ds != nil:
		return w.complete(ctx, ds, decide(ds, 0).verdict, nil, nil)
	case errors.Is(err, errDeleted):
		return nil, w.notConverged(ds, CauseDeleted, nil, nil)
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("wait for daemonset %s: it does not exist; apply it first", w.key())
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled):
		return nil, w.notConverged(ds, CauseCancelled, nil, nil)
	case ctx.Err() != nil:
		return nil, w.deadline(ds)
	case err == nil:
		return nil, fmt.Errorf("wait for daemonset %s: the watch ended without seeing it", w.key())
	default:
		return nil, fmt.Errorf("wait for daemonset %s: %w", w.key(), err)
	}
}

// deadline builds the timeout error with one last diagnosis, on a context of
// its own since the caller's has expired.
func (w *waiter) deadline(ds *appsv1.DaemonSet) error {
	if ds == nil {
		return w.notConverged(nil, CauseTimeout, nil, nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), finalDiagnosisTimeout)
	defer cancel()
	d, err := w.c.diagnose(ctx, ds, w.opts.StuckGrace)
	if err != nil {
		e := w.notConverged(ds, CauseTimeout, nil, nil)
		e.Waiting += fmt.Sprintf(" (the pods could not be listed: %v)", err)
		return e
	}
	e := w.notConverged(ds, CauseTimeout, d, d.report)
	w.c.withEvents(ctx, w.namespace, e.Stuck)
	return e
}

// notConverged builds the error of a wait that ends for cause, listing the
// first entries of listed and the counts of d (nil when no diagnosis ran).
func (w *waiter) notConverged(ds *appsv1.DaemonSet, cause Cause, d *diagnosis, listed []StuckPod) *NotConvergedError {
	e := &NotConvergedError{Namespace: w.namespace, Name: w.name, Cause: cause, Grace: w.opts.StuckGrace}
	if ds != nil {
		e.Status, e.Generation = ds.Status, ds.Generation
		e.Waiting = decide(ds, 0).waiting
	}
	if d != nil {
		e.NotReadyNodes = d.notReadyNodes
		e.Failing, e.PastGrace = d.failing, len(d.stuck)
	}
	if len(listed) > maxReported {
		e.More = len(listed) - maxReported
		listed = listed[:maxReported]
	}
	e.Stuck = append([]StuckPod(nil), listed...)
	switch cause {
	case CauseStuck:
		e.Knobs = append(e.Knobs, KnobFailFast)
	case CauseTimeout:
		e.Knobs = append(e.Knobs, KnobTimeout)
	}
	if len(e.NotReadyNodes) > 0 && !w.opts.SkipNotReadyNodes {
		e.Knobs = append(e.Knobs, KnobSkipNotReadyNodes)
	}
	return e
}

// complete builds the result of a DaemonSet whose status ended the wait,
// with the warnings its verdict calls for, the NotReady nodes it skipped and
// the nodes whose misscheduled pods stay.
func (w *waiter) complete(ctx context.Context, ds *appsv1.DaemonSet, v verdict, skipped, staying []string) (*WaitResult, error) {
	res := &WaitResult{DaemonSet: ds}
	switch v {
	case onDeleteSettled:
		old, total, err := w.c.oldTemplatePods(ctx, ds)
		if err != nil {
			return nil, fmt.Errorf("wait for daemonset %s: %w", w.key(), err)
		}
		if old > 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf(
				"%d of %d pod(s) of daemonset %s still run an old template: its update strategy is OnDelete, so a pod "+
					"changes only when it is deleted (e.g. kubectl delete pod -n %s <pod>); use RollingUpdate to replace them automatically.",
				old, total, w.key(), w.namespace))
		}
	case nothingDesired:
		msg, err := w.c.explainNoNodes(ctx, ds)
		if err != nil {
			return nil, fmt.Errorf("wait for daemonset %s: %w", w.key(), err)
		}
		res.Warnings = append(res.Warnings, msg)
	}
	if len(staying) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"%d pod(s) of daemonset %s stay on node(s) the DaemonSet no longer schedules to: %s; the DaemonSet controller "+
				"removes a pod only when its node's taints evict it (NoExecute) or it no longer matches the node selector or affinity: "+
				"delete the pod to remove it now.",
			len(staying), w.key(), strings.Join(staying, ", ")))
	}
	if len(skipped) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"daemonset %s converged on the Ready nodes only: %d NotReady node(s) have no ready pod of the current template: %s",
			w.key(), len(skipped), strings.Join(skipped, ", ")))
	}
	return res, nil
}
