package rollout

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/placement"
)

// StuckPod is one node's daemon pod that keeps the rollout from converging,
// one node that has no pod of the DaemonSet, or (Node and Pod empty) a
// warning of the DaemonSet controller itself, such as FailedCreate.
type StuckPod struct {
	Node      string
	Pod       string
	Phase     string
	Container string
	Reason    string
	Message   string
}

func (s StuckPod) String() string {
	if s.Node == "" && s.Pod == "" {
		return "daemonset controller: " + s.Reason + ": " + s.Message
	}
	if s.Pod == "" {
		return "node " + s.Node + ": " + s.Reason + ": " + s.Message
	}
	node := s.Node
	if node == "" {
		node = "(no node)"
	}
	out := fmt.Sprintf("node %s: pod %s (%s)", node, s.Pod, s.Phase)
	if s.Container != "" {
		out += ", container " + s.Container
	}
	out += ": " + s.Reason
	if s.Message != "" {
		out += ": " + s.Message
	}
	return out
}

const (
	// maxReported is how many stuck pods an error names before "and N more".
	maxReported = 10
	// nodeGetLimit: up to this many nodes are read one by one, more are listed.
	nodeGetLimit = 10

	// Labels and annotation the DaemonSet controller uses for revisions.
	templateGenerationAnnotation = "deprecated.daemonset.template.generation"
	templateGenerationLabel      = "pod-template-generation"
)

// Waiting reasons that never resolve without a change to the pod template.
var fatalReasons = map[string]bool{
	"InvalidImageName":           true,
	"ErrImageNeverPull":          true,
	"CreateContainerConfigError": true,
}

// Waiting reasons that may resolve (a registry comes back, a dependency
// starts) and count as stuck only after the grace period.
var graceReasons = map[string]bool{
	"ErrImagePull":     true,
	"ImagePullBackOff": true,
	"CrashLoopBackOff": true,
}

// Scheduler messages of Unschedulable pods that no retry will fix: the
// NodePorts, NodeResourcesFit and TaintToleration filters.
var unschedulableForGood = []string{"free ports", "Insufficient ", "untolerated taint"}

// revision tells pods of the DaemonSet's current template from older ones,
// the way the controller does: by template generation or revision hash.
type revision struct {
	generation string
	hash       string
}

func (r revision) current(pod *corev1.Pod) bool {
	if r.generation != "" && pod.Labels[templateGenerationLabel] == r.generation {
		return true
	}
	return r.hash != "" && pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == r.hash
}

// currentRevision reads the template generation the API server stamps on the
// DaemonSet; only without it does it list the ControllerRevisions.
func (c *Client) currentRevision(ctx context.Context, ds *appsv1.DaemonSet) (revision, error) {
	if g := ds.Annotations[templateGenerationAnnotation]; g != "" {
		return revision{generation: g}, nil
	}
	return c.revisionOf(ctx, ds)
}

// eachDaemonPod lists the DaemonSet's pods page by page, through its
// selector, and calls fn with each one it controls as its page arrives; fn
// must not keep the pod.
func (c *Client) eachDaemonPod(ctx context.Context, ds *appsv1.DaemonSet, fn func(*corev1.Pod)) error {
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return fmt.Errorf("daemonset %s/%s selector: %w", ds.Namespace, ds.Name, err)
	}
	err = k8s.EachPod(ctx, c.Clientset, ds.Namespace, metav1.ListOptions{LabelSelector: sel.String()}, func(p *corev1.Pod) error {
		if ref := metav1.GetControllerOf(p); ref != nil && ref.UID == ds.UID {
			fn(p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("list pods of daemonset %s/%s: %w", ds.Namespace, ds.Name, err)
	}
	return nil
}

// podNode is the node a daemon pod is bound to or, while it is Pending
// unscheduled, the node its required affinity names.
func podNode(pod *corev1.Pod) string {
	if pod.Spec.NodeName != "" {
		return pod.Spec.NodeName
	}
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == metav1.ObjectNameField && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

func podCondition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func podReady(pod *corev1.Pod) bool {
	c := podCondition(pod, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

// problem is why a pod cannot become ready: fatal problems never resolve by
// themselves, the others count as stuck once they have lasted the grace
// period, measured from since.
type problem struct {
	stuck StuckPod
	fatal bool
	since time.Time
}

// podProblem classifies a pod; ok is false when nothing in its status says
// it is stuck (it may just be starting).
func podProblem(pod *corev1.Pod) (problem, bool) {
	if pod.DeletionTimestamp != nil {
		return problem{}, false
	}
	base := StuckPod{Node: podNode(pod), Pod: pod.Name, Phase: string(pod.Status.Phase)}
	since := pod.CreationTimestamp.Time
	if c := podCondition(pod, corev1.PodReady); c != nil && !c.LastTransitionTime.IsZero() {
		since = c.LastTransitionTime.Time
	}
	if c := podCondition(pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
		s := base
		s.Reason, s.Message = c.Reason, c.Message
		fatal := false
		for _, m := range unschedulableForGood {
			fatal = fatal || strings.Contains(c.Message, m)
		}
		if !c.LastTransitionTime.IsZero() {
			since = c.LastTransitionTime.Time
		}
		return problem{stuck: s, fatal: fatal, since: since}, true
	}
	statuses := append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...)
	for _, cs := range statuses {
		w := cs.State.Waiting
		if w == nil || (!fatalReasons[w.Reason] && !graceReasons[w.Reason]) {
			continue
		}
		s := base
		s.Container, s.Reason, s.Message = cs.Name, w.Reason, w.Message
		if t := cs.LastTerminationState.Terminated; t != nil && w.Reason == "CrashLoopBackOff" {
			s.Message = fmt.Sprintf("last exit code %d (%s)", t.ExitCode, t.Reason)
			if t.Message != "" {
				s.Message += ": " + t.Message
			}
		}
		return problem{stuck: s, fatal: fatalReasons[w.Reason], since: since}, true
	}
	return problem{}, false
}

// Reasons of the DaemonSet controller's Warning events about pods it cannot
// create (FailedCreate: the API server refused the pod, e.g. a missing
// ServiceAccount, a ResourceQuota or a pod security admission) or that keep
// failing on a node (FailedDaemonPod).
const (
	reasonFailedCreate    = "FailedCreate"
	reasonFailedDaemonPod = "FailedDaemonPod"
)

// Reasons of the entries for nodes without a pod.
const (
	reasonNodeNotReady = "NodeNotReady"
	reasonNoPod        = "NoPod"
)

// reasonFailedMount is the reason of the kubelet's Warning event about a
// volume it cannot mount (a hostPath of type Directory that does not exist,
// a missing Secret or ConfigMap, ...). Nothing in the pod's status says so:
// its containers wait in ContainerCreating as if they were about to start.
const reasonFailedMount = "FailedMount"

// mountSummaryPrefix starts the kubelet's FailedMount event that only sums
// up, after about two minutes, which volumes it could not mount.
const mountSummaryPrefix = "Unable to attach or mount volumes"

// laggingPod is what a diagnosis keeps of a pod that keeps the rollout from
// converging: its entry and how to classify it, never the pod itself, so a
// listing of thousands of pods holds one page at a time.
type laggingPod struct {
	node string
	// current: the pod runs the DaemonSet's current template.
	current bool
	// problem is set (hasProblem) when the pod's status says why it cannot
	// become ready.
	problem    problem
	hasProblem bool
	// entry is the report line of a pod without a problem: an old template,
	// or not ready without a reason in its status.
	entry StuckPod
	// uid and awaitsMount: a current pod without a problem whose sandbox
	// the kubelet has not set up (PodReadyToStartContainers is not True) may
	// wait on a volume it cannot mount, which only an Event on the pod says
	// (see mountFailures). The kubelet mounts volumes before it creates the
	// sandbox, so a pod past that point has no mount problem whatever its
	// older events say.
	uid         types.UID
	awaitsMount bool
}

// observation is what one diagnosis read from the cluster.
type observation struct {
	// lagging: pods that are not both current and ready, in list order.
	lagging []laggingPod
	// missing: nodes that should run the daemon but hold no live pod of it.
	missing []string
	// notReady: which nodes of lagging and missing are NotReady.
	notReady map[string]bool
	// controller: the DaemonSet controller's latest failure, when fewer
	// pods of the current template exist than desired.
	controller *problem
}

// diagnosis is what one observation means for the wait.
type diagnosis struct {
	// stuck: pods of the current template, on nodes that are not NotReady,
	// that will not become ready (fatal, or past the grace period), and the
	// controller's failure once it counts.
	stuck []StuckPod
	// report: every pod that keeps the rollout from converging, stuck first.
	report []StuckPod
	// failing counts the entries with a problem of the current template
	// (the controller's included), past the grace period or not: stuck plus
	// those still in their grace period.
	failing int
	// notReadyNodes: NotReady nodes whose pod is not current and ready.
	notReadyNodes []string
	// nextExpiry: when the earliest problem still in its grace period
	// becomes stuck; zero when there is none.
	nextExpiry time.Time
	// blocking counts the entries of report that are not on NotReady
	// nodes: pods and nodes that keep a Ready node from running the current
	// template, and the controller's failures.
	blocking int
}

// diagnose reads the cluster (collect) and says what it means (classify).
func (c *Client) diagnose(ctx context.Context, ds *appsv1.DaemonSet, grace time.Duration) (*diagnosis, error) {
	obs, err := c.collect(ctx, ds)
	if err != nil {
		return nil, err
	}
	return classify(obs, c.now(), grace), nil
}

// collect lists the DaemonSet's pods once, page by page, keeping only those
// that lag (see laggingPod), and the NotReady state of their nodes. When
// fewer nodes hold a live pod than the controller desires, it lists the
// nodes too, page by page, to name the desired nodes without one; when
// fewer pods of the current template exist than desired, it reads the
// DaemonSet's Warning events (one request) to tell why the controller
// cannot create them.
func (c *Client) collect(ctx context.Context, ds *appsv1.DaemonSet) (*observation, error) {
	rev, err := c.currentRevision(ctx, ds)
	if err != nil {
		return nil, err
	}
	obs := &observation{}
	laggingNodes := map[string]bool{}
	live := map[string]bool{}
	var currentPods int32
	err = c.eachDaemonPod(ctx, ds, func(p *corev1.Pod) {
		if p.DeletionTimestamp != nil {
			return
		}
		node := podNode(p)
		if node != "" {
			live[node] = true
		}
		current := rev.current(p)
		if current {
			currentPods++
			if podReady(p) {
				return
			}
		}
		obs.lagging = append(obs.lagging, lag(p, node, current))
		if node != "" {
			laggingNodes[node] = true
		}
	})
	if err != nil {
		return nil, err
	}
	c.mountFailures(ctx, ds.Namespace, obs.lagging)
	if desired := ds.Status.DesiredNumberScheduled; int32(len(live)) < desired {
		obs.missing, obs.notReady, err = c.nodesWithoutPod(ctx, ds, live, laggingNodes)
	} else {
		obs.notReady, err = c.notReadyNodes(ctx, laggingNodes)
	}
	if err != nil {
		return nil, err
	}
	if currentPods < ds.Status.DesiredNumberScheduled {
		if pr, ok := c.controllerFailure(ctx, ds); ok {
			obs.controller = &pr
		}
	}
	return obs, nil
}

// lag is the laggingPod of p.
func lag(p *corev1.Pod, node string, current bool) laggingPod {
	l := laggingPod{node: node, current: current, uid: p.UID}
	l.problem, l.hasProblem = podProblem(p)
	if c := podCondition(p, corev1.PodReadyToStartContainers); current && !l.hasProblem && p.Spec.NodeName != "" &&
		p.Status.Phase == corev1.PodPending && (c == nil || c.Status != corev1.ConditionTrue) {
		l.awaitsMount = true
	}
	switch {
	case l.hasProblem:
	case !current:
		l.entry = StuckPod{Node: node, Pod: p.Name, Phase: string(p.Status.Phase), Reason: "OldTemplate",
			Message: fmt.Sprintf("runs template generation %s, not yet replaced", p.Labels[templateGenerationLabel])}
	default:
		l.entry = StuckPod{Node: node, Pod: p.Name, Phase: string(p.Status.Phase), Reason: "NotReady"}
		if rc := podCondition(p, corev1.PodReady); rc != nil && rc.Message != "" {
			l.entry.Message = rc.Message
		}
	}
	return l
}

// classify says what an observation means at now: which problems are stuck
// (fatal, or older than grace), when the next one will be, which NotReady
// nodes hold up the rollout and what a report lists. It reads nothing.
func classify(obs *observation, now time.Time, grace time.Duration) *diagnosis {
	d := &diagnosis{}
	var others []StuckPod
	seenNotReady := map[string]bool{}
	addNotReady := func(node string) {
		if !seenNotReady[node] {
			seenNotReady[node] = true
			d.notReadyNodes = append(d.notReadyNodes, node)
		}
	}
	// counts reports whether a current problem is stuck at now, and keeps
	// the earliest moment one in its grace period becomes stuck.
	counts := func(pr problem) bool {
		d.failing++
		exp := pr.since.Add(grace)
		if pr.fatal || !now.Before(exp) {
			return true
		}
		if d.nextExpiry.IsZero() || exp.Before(d.nextExpiry) {
			d.nextExpiry = exp
		}
		return false
	}
	if pr := obs.controller; pr != nil {
		if counts(*pr) {
			d.stuck = append(d.stuck, pr.stuck)
		} else {
			others = append(others, pr.stuck)
		}
	}
	for _, node := range obs.missing {
		if obs.notReady[node] {
			addNotReady(node)
			others = append(others, StuckPod{Node: node, Reason: reasonNodeNotReady, Message: "the node is NotReady and runs no pod of the DaemonSet"})
			continue
		}
		others = append(others, StuckPod{Node: node, Reason: reasonNoPod, Message: "the node should run the daemon but has no pod of the DaemonSet yet"})
	}
	for _, l := range obs.lagging {
		switch {
		case obs.notReady[l.node]:
			addNotReady(l.node)
			entry := l.entry
			if l.hasProblem {
				entry = l.problem.stuck
			}
			others = append(others, StuckPod{Node: l.node, Pod: entry.Pod, Phase: entry.Phase, Reason: reasonNodeNotReady, Message: "the node is NotReady"})
		case l.hasProblem && l.current && counts(l.problem):
			d.stuck = append(d.stuck, l.problem.stuck)
		case l.hasProblem:
			others = append(others, l.problem.stuck)
		default:
			others = append(others, l.entry)
		}
	}
	sort.Strings(d.notReadyNodes)
	byNode := func(s []StuckPod) {
		sort.SliceStable(s, func(i, j int) bool { return s[i].Node < s[j].Node })
	}
	byNode(d.stuck)
	byNode(others)
	d.report = append(append([]StuckPod{}, d.stuck...), others...)
	for _, s := range d.report {
		if s.Reason != reasonNodeNotReady {
			d.blocking++
		}
	}
	return d
}

// nodesWithoutPod lists the nodes page by page and returns those where the
// controller's rules (internal/placement) want the daemon but that hold no
// live pod of it (none, or only one being deleted), sorted, and which of
// those and of lagging are NotReady. A node that lacks a pod only while the
// pod of an old template is being deleted counts too: the controller
// creates the new pod once the old one is gone, which never happens on a
// NotReady node. Only names are kept, one page of nodes at a time.
func (c *Client) nodesWithoutPod(ctx context.Context, ds *appsv1.DaemonSet, live, lagging map[string]bool) ([]string, map[string]bool, error) {
	eval := placement.NewEvaluator(&ds.Spec.Template.Spec)
	var missing []string
	notReady := map[string]bool{}
	seen := map[string]bool{}
	err := c.eachNode(ctx, func(n *corev1.Node) {
		seen[n.Name] = true
		without := !live[n.Name] && eval.Fits(n)
		if without {
			missing = append(missing, n.Name)
		}
		if (without || lagging[n.Name]) && !k8s.NodeReady(n) {
			notReady[n.Name] = true
		}
	})
	if err != nil {
		return nil, nil, err
	}
	for name := range lagging {
		if !seen[name] {
			notReady[name] = true // Deleted: it will never run the pod.
		}
	}
	sort.Strings(missing)
	return missing, notReady, nil
}

// stayingMisscheduled returns, sorted, the nodes that run a live pod of the
// DaemonSet although the controller would not place one there, and whose
// pod it leaves running (placement.ContinuesRunning): the misscheduled pods
// that will not go away by themselves. It lists the pods and the nodes once,
// page by page, keeping names only.
func (c *Client) stayingMisscheduled(ctx context.Context, ds *appsv1.DaemonSet) ([]string, error) {
	live := map[string]bool{}
	err := c.eachDaemonPod(ctx, ds, func(p *corev1.Pod) {
		if n := p.Spec.NodeName; n != "" && p.DeletionTimestamp == nil {
			live[n] = true
		}
	})
	if err != nil {
		return nil, err
	}
	spec := &ds.Spec.Template.Spec
	eval := placement.NewEvaluator(spec)
	var staying []string
	err = c.eachNode(ctx, func(n *corev1.Node) {
		if live[n.Name] && !eval.Fits(n) && placement.ContinuesRunning(n, spec) {
			staying = append(staying, n.Name)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(staying)
	return staying, nil
}

// controllerFailure reads the DaemonSet's Warning events (one request) and
// returns the latest one that says the controller cannot create or keep its
// pods, since the DaemonSet's spec last changed: fatal when the API server
// forbids the pod (a missing ServiceAccount, a quota, a pod security
// admission: no retry of the controller will succeed), else counted from
// its first occurrence. ok is false when there is none or the events cannot
// be read.
func (c *Client) controllerFailure(ctx context.Context, ds *appsv1.DaemonSet) (problem, bool) {
	sel := fields.AndSelectors(
		fields.OneTermEqualSelector("involvedObject.uid", string(ds.UID)),
		fields.OneTermEqualSelector("type", corev1.EventTypeWarning),
	)
	list, err := c.Clientset.CoreV1().Events(ds.Namespace).List(ctx, metav1.ListOptions{FieldSelector: sel.String()})
	if err != nil {
		return problem{}, false
	}
	changed := specChanged(ds)
	var latest *corev1.Event
	for i := range list.Items {
		ev := &list.Items[i]
		if ev.InvolvedObject.UID != ds.UID || ev.Type != corev1.EventTypeWarning || (ev.Reason != reasonFailedCreate && ev.Reason != reasonFailedDaemonPod) {
			continue
		}
		// NOTE: events outlive the generation that caused them; one from
		// before the last change of the spec says nothing about this one.
		// Timestamps have a precision of one second, hence Before.
		if eventTime(*ev).Before(changed) {
			continue
		}
		if latest == nil || eventTime(*ev).After(eventTime(*latest)) {
			latest = ev
		}
	}
	if latest == nil {
		return problem{}, false
	}
	since := latest.FirstTimestamp.Time
	if since.Before(changed) {
		since = changed
	}
	msg := latest.Message
	if latest.Count > 1 {
		msg += fmt.Sprintf(" (%d times)", latest.Count)
	}
	fatal := latest.Reason == reasonFailedCreate && strings.Contains(latest.Message, "is forbidden")
	return problem{stuck: StuckPod{Reason: latest.Reason, Message: msg}, fatal: fatal, since: since}, true
}

// mountFailures gives the lagging pods that await their volumes (see
// laggingPod.awaitsMount) the kubelet's FailedMount event as their problem,
// counted from its first occurrence, so that a volume that cannot be
// mounted fails the wait after the grace period instead of running to the
// deadline as a pod that is not ready yet. It lists the namespace's
// FailedMount events, page by page, only when some pod awaits its volumes:
// one request per 500 such events. The events cannot be read, the pods
// stay as they were: not ready, without a reason.
func (c *Client) mountFailures(ctx context.Context, namespace string, lagging []laggingPod) {
	byUID := map[types.UID]*mountFailure{}
	for i := range lagging {
		if lagging[i].awaitsMount {
			byUID[lagging[i].uid] = &mountFailure{pod: &lagging[i]}
		}
	}
	if len(byUID) == 0 {
		return
	}
	sel := fields.AndSelectors(
		fields.OneTermEqualSelector("involvedObject.kind", "Pod"),
		fields.OneTermEqualSelector("reason", reasonFailedMount),
		fields.OneTermEqualSelector("type", corev1.EventTypeWarning),
	)
	err := k8s.EachEvent(ctx, c.Clientset, namespace, metav1.ListOptions{FieldSelector: sel.String()}, func(ev *corev1.Event) error {
		if m := byUID[ev.InvolvedObject.UID]; m != nil && ev.Reason == reasonFailedMount && ev.Type == corev1.EventTypeWarning {
			m.add(ev)
		}
		return nil
	})
	if err != nil {
		return
	}
	for _, m := range byUID {
		m.apply()
	}
}

// mountFailure gathers the FailedMount events of one pod.
type mountFailure struct {
	pod *laggingPod
	// first is when the first event happened; zero when there is none.
	first time.Time
	// message is the event to report: the latest that names a volume and
	// why, else the latest summary.
	message  string
	at       time.Time
	specific bool
}

// add takes one FailedMount event of the pod into account.
// GOTCHA: after about two minutes the kubelet adds a summary event
// ("Unable to attach or mount volumes: unmounted volumes=[...]: timed out
// waiting for the condition") that hides why; the MountVolume.SetUp events
// it keeps sending say it ("hostPath type check failed: ... is not a
// directory"), so they win over a newer summary.
func (m *mountFailure) add(ev *corev1.Event) {
	first := ev.FirstTimestamp.Time
	if first.IsZero() {
		first = eventTime(*ev)
	}
	if m.first.IsZero() || first.Before(m.first) {
		m.first = first
	}
	specific := !strings.HasPrefix(ev.Message, mountSummaryPrefix)
	at := eventTime(*ev)
	if m.message == "" || (specific && !m.specific) || (specific == m.specific && at.After(m.at)) {
		m.message, m.at, m.specific = ev.Message, at, specific
	}
}

// apply makes the failure the pod's problem, when an event said so.
func (m *mountFailure) apply() {
	if m.first.IsZero() {
		return
	}
	e := m.pod.entry
	m.pod.problem = problem{stuck: StuckPod{Node: e.Node, Pod: e.Pod, Phase: e.Phase, Reason: reasonFailedMount, Message: m.message}, since: m.first}
	m.pod.hasProblem = true
}

// specChanged is when a field manager last changed the DaemonSet's spec or
// metadata (its managed fields outside the status subresource), or its
// creation time without managed fields.
func specChanged(ds *appsv1.DaemonSet) time.Time {
	t := ds.CreationTimestamp.Time
	for _, mf := range ds.ManagedFields {
		if mf.Subresource == "" && mf.Time != nil && mf.Time.After(t) {
			t = mf.Time.Time
		}
	}
	return t
}

// withEvents fills in, for the reported pods whose status says nothing, the
// message of their latest Warning event. It reads events of these pods only.
func (c *Client) withEvents(ctx context.Context, namespace string, pods []StuckPod) {
	for i := range pods {
		if pods[i].Message != "" || pods[i].Pod == "" {
			continue
		}
		sel := fields.AndSelectors(
			fields.OneTermEqualSelector("involvedObject.name", pods[i].Pod),
			fields.OneTermEqualSelector("involvedObject.kind", "Pod"),
			fields.OneTermEqualSelector("type", corev1.EventTypeWarning),
		)
		list, err := c.Clientset.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{FieldSelector: sel.String()})
		if err != nil || len(list.Items) == 0 {
			continue
		}
		latest := list.Items[0]
		for _, ev := range list.Items[1:] {
			if eventTime(ev).After(eventTime(latest)) {
				latest = ev
			}
		}
		pods[i].Message = latest.Reason + ": " + latest.Message
	}
}

func eventTime(ev corev1.Event) time.Time {
	if !ev.EventTime.IsZero() {
		return ev.EventTime.Time
	}
	if !ev.LastTimestamp.IsZero() {
		return ev.LastTimestamp.Time
	}
	return ev.CreationTimestamp.Time
}

// notReadyNodes returns which of names are NotReady. A few nodes are read
// one by one; more are listed page by page, so the cost stays at most
// ceil(nodes/500) requests. A node that no longer exists counts as NotReady.
func (c *Client) notReadyNodes(ctx context.Context, names map[string]bool) (map[string]bool, error) {
	out := map[string]bool{}
	if len(names) == 0 {
		return out, nil
	}
	if len(names) <= nodeGetLimit {
		for name := range names {
			n, err := c.Clientset.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				if apierrors.IsNotFound(err) {
					out[name] = true
					continue
				}
				return nil, fmt.Errorf("read node %s: %w", name, err)
			}
			if !k8s.NodeReady(n) {
				out[name] = true
			}
		}
		return out, nil
	}
	seen := map[string]bool{}
	err := c.eachNode(ctx, func(n *corev1.Node) {
		seen[n.Name] = true
		if names[n.Name] && !k8s.NodeReady(n) {
			out[n.Name] = true
		}
	})
	if err != nil {
		return nil, err
	}
	for name := range names {
		if !seen[name] {
			out[name] = true
		}
	}
	return out, nil
}

// eachNode calls fn for every node as its page arrives (500 per page); fn
// must not keep the node.
func (c *Client) eachNode(ctx context.Context, fn func(*corev1.Node)) error {
	err := k8s.EachNode(ctx, c.Clientset, metav1.ListOptions{}, func(n *corev1.Node) error {
		fn(n)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	return nil
}

// oldTemplatePods counts the DaemonSet's pods that do not run its current
// template (for the OnDelete warning), page by page.
func (c *Client) oldTemplatePods(ctx context.Context, ds *appsv1.DaemonSet) (old, total int, err error) {
	rev, err := c.currentRevision(ctx, ds)
	if err != nil {
		return 0, 0, err
	}
	err = c.eachDaemonPod(ctx, ds, func(p *corev1.Pod) {
		if p.DeletionTimestamp != nil {
			return
		}
		total++
		if !rev.current(p) {
			old++
		}
	})
	return old, total, err
}

// selectorString prints a label selector for messages ("<none>" when empty).
func selectorString(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	return labels.SelectorFromSet(m).String()
}
