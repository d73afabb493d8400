package rollout

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func waitingPod(name, node, reason, msg string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: metav1.NewTime(t0)},
		Spec:       corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{
			Phase:      corev1.PodPending,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.NewTime(t0.Add(time.Second))}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "logd", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}},
			},
		},
	}
}

func TestPodProblem(t *testing.T) {
	crash := waitingPod("logd-c", "n1", "CrashLoopBackOff", "back-off 40s")
	crash.Status.Phase = corev1.PodRunning
	crash.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: "boom"}
	unschedulable := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "logd-u", CreationTimestamp: metav1.NewTime(t0)},
		Spec: corev1.PodSpec{Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"n2"}}},
			}}},
		}}},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
			Message: "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.", LastTransitionTime: metav1.NewTime(t0),
		}}},
	}
	deleting := waitingPod("logd-d", "n1", "InvalidImageName", "")
	deleting.DeletionTimestamp = &metav1.Time{Time: t0}
	tests := []struct {
		name   string
		pod    *corev1.Pod
		want   problem
		wantOK bool
	}{
		{
			name:   "invalid image name is fatal at once",
			pod:    waitingPod("logd-a", "n1", "InvalidImageName", `couldn't parse image name "A:B:C"`),
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-a", Phase: "Pending", Container: "logd", Reason: "InvalidImageName", Message: `couldn't parse image name "A:B:C"`}, fatal: true, since: t0.Add(time.Second)},
			wantOK: true,
		},
		{
			name:   "image pull error waits for the grace period",
			pod:    waitingPod("logd-b", "n1", "ErrImagePull", "not found"),
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-b", Phase: "Pending", Container: "logd", Reason: "ErrImagePull", Message: "not found"}, since: t0.Add(time.Second)},
			wantOK: true,
		},
		{
			name:   "crash loop reports the last termination",
			pod:    crash,
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-c", Phase: "Running", Container: "logd", Reason: "CrashLoopBackOff", Message: "last exit code 1 (Error): boom"}, since: t0.Add(time.Second)},
			wantOK: true,
		},
		{
			name: "host port conflict is fatal and names the target node",
			pod:  unschedulable,
			want: problem{stuck: StuckPod{Node: "n2", Pod: "logd-u", Phase: "Pending", Reason: "Unschedulable",
				Message: "0/3 nodes are available: 1 node(s) didn't have free ports for the requested pod ports."}, fatal: true, since: t0},
			wantOK: true,
		},
		{
			name: "container creating is no problem",
			pod:  waitingPod("logd-e", "n1", "ContainerCreating", ""),
		},
		{
			name: "a pod being deleted is no problem",
			pod:  deleting,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := podProblem(tt.pod)
			if ok != tt.wantOK {
				t.Fatalf("podProblem() ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(problem{})); diff != "" {
				t.Errorf("podProblem() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiagnose lists pods from a fake clientset: only pods of the current
// template on Ready nodes count as stuck, pods in their grace period set the
// next check, and pods of other owners are ignored.
func TestDiagnose(t *testing.T) {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd", UID: "ds-uid",
			Annotations: map[string]string{templateGenerationAnnotation: "2"}},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "logd"}}},
	}
	owned := func(p *corev1.Pod, gen string) *corev1.Pod {
		p.Labels = map[string]string{"app": "logd", templateGenerationLabel: gen}
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "logd", UID: "ds-uid", Controller: new(true)}}
		return p
	}
	node := func(name string, ready corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}}}
	}
	stranger := waitingPod("other", "n1", "InvalidImageName", "")
	stranger.Labels = map[string]string{"app": "logd"}
	objs := []runtime.Object{
		owned(waitingPod("logd-1", "n1", "InvalidImageName", "bad name"), "2"),
		owned(waitingPod("logd-2", "n2", "ErrImagePull", "not found"), "2"),
		owned(waitingPod("logd-3", "n3", "InvalidImageName", "bad name"), "2"),
		owned(waitingPod("logd-4", "n4", "InvalidImageName", "old template"), "1"),
		stranger,
		node("n1", corev1.ConditionTrue), node("n2", corev1.ConditionTrue), node("n3", corev1.ConditionUnknown), node("n4", corev1.ConditionTrue),
	}
	c := &Client{Clientset: fake.NewClientset(objs...), Now: func() time.Time { return t0.Add(10 * time.Second) }}
	d, err := c.diagnose(context.Background(), ds, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	wantStuck := []StuckPod{{Node: "n1", Pod: "logd-1", Phase: "Pending", Container: "logd", Reason: "InvalidImageName", Message: "bad name"}}
	if diff := cmp.Diff(wantStuck, d.stuck); diff != "" {
		t.Errorf("stuck mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"n3"}, d.notReadyNodes); diff != "" {
		t.Errorf("notReadyNodes mismatch (-want +got):\n%s", diff)
	}
	if want := t0.Add(31 * time.Second); !d.nextExpiry.Equal(want) {
		t.Errorf("nextExpiry = %v, want %v", d.nextExpiry, want)
	}
	var reported []string
	for _, s := range d.report {
		reported = append(reported, s.Pod+" "+s.Reason)
	}
	want := []string{"logd-1 InvalidImageName", "logd-2 ErrImagePull", "logd-3 NodeNotReady", "logd-4 InvalidImageName"}
	if diff := cmp.Diff(want, reported); diff != "" {
		t.Errorf("report mismatch (-want +got):\n%s", diff)
	}
}

func TestNotConvergedErrorMessage(t *testing.T) {
	stuck := make([]StuckPod, 0, 12)
	for i := range 12 {
		stuck = append(stuck, StuckPod{Node: cmpNode(i), Pod: "logd-" + cmpNode(i), Phase: "Pending", Container: "logd", Reason: "ErrImagePull", Message: "not found"})
	}
	w := &waiter{namespace: "default", name: "logd", opts: WaitOptions{StuckGrace: 30 * time.Second}}
	d := &diagnosis{stuck: stuck, failing: 100}
	e := w.notConverged(testDaemonSet(2, false, appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 12, CurrentNumberScheduled: 12}), CauseStuck, d, stuck)
	if len(e.Stuck) != 10 || e.More != 2 || e.Failing != 100 || e.PastGrace != 12 {
		t.Fatalf("Stuck = %d, More = %d, Failing = %d, PastGrace = %d; want 10, 2, 100 and 12", len(e.Stuck), e.More, e.Failing, e.PastGrace)
	}
	want := "daemonset default/logd cannot converge: pods of its current template are stuck (generation 2, status of generation 2: " +
		"12 desired, 12 scheduled, 0 updated, 0 ready, 0 available, 0 misscheduled)\n" +
		"waiting for 0/12 updated, 0/12 ready, 0/12 available\n" +
		"  node n00: pod logd-n00 (Pending), container logd: ErrImagePull: not found\n"
	if got := e.Error(); len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("Error() starts\n%s\nwant\n%s", got, want)
	}
	if got := e.Error(); !strings.Contains(got, "\n  and 90 more failing (2 of them past the grace period of 30s or failing for good)\n") {
		t.Errorf("Error() = %s\nwant the count of the failing pods not shown", got)
	}
	// The remedy is the caller's to phrase: no attribute, no flag.
	if got := e.Error(); strings.Contains(got, "fail_fast") || strings.Contains(got, "--no-fail-fast") {
		t.Errorf("Error() = %s\nnames a Terraform attribute or a flag", got)
	}
	if !e.HasKnob(KnobFailFast) || e.HasKnob(KnobSkipNotReadyNodes) {
		t.Errorf("Knobs = %v, want fail-fast only", e.Knobs)
	}
}

func cmpNode(i int) string { return "n" + string(rune('0'+i/10)) + string(rune('0'+i%10)) }

// TestClassify: what an observation means, by scenario, without a cluster.
func TestClassify(t *testing.T) {
	const grace = 30 * time.Second
	now := t0.Add(time.Minute)
	pull := func(node string, since time.Time) laggingPod {
		return laggingPod{node: node, current: true, hasProblem: true, problem: problem{
			stuck: StuckPod{Node: node, Pod: "logd-" + node, Phase: "Pending", Container: "main", Reason: "ErrImagePull"}, since: since}}
	}
	fatal := func(node string) laggingPod {
		l := pull(node, now)
		l.problem.fatal, l.problem.stuck.Reason = true, "InvalidImageName"
		return l
	}
	old := func(node string) laggingPod {
		return laggingPod{node: node, entry: StuckPod{Node: node, Pod: "logd-" + node, Phase: "Running", Reason: "OldTemplate"}}
	}
	tests := []struct {
		name         string
		obs          observation
		wantStuck    []string // nodes
		wantReport   []string // node reason
		wantFailing  int
		wantNotReady []string
		wantNext     time.Time
		wantBlocking int
	}{
		{
			name:        "a fatal reason is stuck at once",
			obs:         observation{lagging: []laggingPod{fatal("n1")}},
			wantStuck:   []string{"n1"},
			wantReport:  []string{"n1 InvalidImageName"},
			wantFailing: 1, wantBlocking: 1,
		},
		{
			name:        "a pull error in its grace period is failing, not stuck, and sets the next check",
			obs:         observation{lagging: []laggingPod{pull("n1", now.Add(-10*time.Second)), pull("n2", now.Add(-time.Hour))}},
			wantStuck:   []string{"n2"},
			wantReport:  []string{"n2 ErrImagePull", "n1 ErrImagePull"},
			wantFailing: 2, wantBlocking: 2,
			wantNext: now.Add(20 * time.Second),
		},
		{
			name:         "a problem of an old template is reported but neither failing nor stuck",
			obs:          observation{lagging: []laggingPod{func() laggingPod { l := fatal("n1"); l.current = false; return l }(), old("n2")}},
			wantReport:   []string{"n1 InvalidImageName", "n2 OldTemplate"},
			wantBlocking: 2,
		},
		{
			name: "pods and missing pods on NotReady nodes hold up the rollout but do not block the Ready nodes",
			obs: observation{lagging: []laggingPod{fatal("n2")}, missing: []string{"n1", "n3"},
				notReady: map[string]bool{"n2": true, "n3": true}},
			wantReport:   []string{"n1 NoPod", "n2 NodeNotReady", "n3 NodeNotReady"},
			wantNotReady: []string{"n2", "n3"},
			wantBlocking: 1,
		},
		{
			name: "the controller's failure counts like a pod's",
			obs: observation{controller: &problem{stuck: StuckPod{Reason: reasonFailedCreate, Message: "forbidden"},
				since: now.Add(-5 * time.Second)}},
			wantReport:  []string{" FailedCreate"},
			wantFailing: 1, wantBlocking: 1,
			wantNext: now.Add(25 * time.Second),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := classify(&tt.obs, now, grace)
			var stuck, report []string
			for _, s := range d.stuck {
				stuck = append(stuck, s.Node)
			}
			for _, s := range d.report {
				report = append(report, s.Node+" "+s.Reason)
			}
			if diff := cmp.Diff(tt.wantStuck, stuck); diff != "" {
				t.Errorf("stuck (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantReport, report); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantNotReady, d.notReadyNodes); diff != "" {
				t.Errorf("notReadyNodes (-want +got):\n%s", diff)
			}
			if d.failing != tt.wantFailing || d.blocking != tt.wantBlocking || !d.nextExpiry.Equal(tt.wantNext) {
				t.Errorf("failing, blocking, nextExpiry = %d, %d, %v; want %d, %d, %v",
					d.failing, d.blocking, d.nextExpiry, tt.wantFailing, tt.wantBlocking, tt.wantNext)
			}
		})
	}
}

// TestClassifyCountsEveryFailingPod: with 100 pods failing and 7 past the
// grace period, the diagnosis counts 100, of which 7 are stuck.
func TestClassifyCountsEveryFailingPod(t *testing.T) {
	now := t0.Add(time.Hour)
	var obs observation
	for i := range 100 {
		since := now.Add(-time.Duration(i) * time.Second) // i seconds into the grace period
		obs.lagging = append(obs.lagging, laggingPod{node: fmt.Sprintf("n%03d", i), current: true, hasProblem: true,
			problem: problem{stuck: StuckPod{Node: fmt.Sprintf("n%03d", i), Reason: "ErrImagePull"}, since: since}})
	}
	d := classify(&obs, now, 93*time.Second)
	if d.failing != 100 || len(d.stuck) != 7 {
		t.Fatalf("failing = %d, stuck = %d; want 100 and 7", d.failing, len(d.stuck))
	}
	w := &waiter{namespace: "default", name: "logd", opts: WaitOptions{StuckGrace: 93 * time.Second}}
	e := w.notConverged(nil, CauseStuck, d, d.stuck)
	if want := "\n  and 93 more failing (all within the grace period of 1m33s)"; !strings.Contains(e.Error(), want) {
		t.Errorf("Error() = %s\nwant %q", e.Error(), want)
	}
}

// TestMountFailure: of a pod's FailedMount events, the first sets since and
// the latest that says why (not the kubelet's summary) is reported.
func TestMountFailure(t *testing.T) {
	ev := func(msg string, first, last time.Duration) *corev1.Event {
		return &corev1.Event{Reason: reasonFailedMount, Type: corev1.EventTypeWarning, Message: msg,
			FirstTimestamp: metav1.NewTime(t0.Add(first)), LastTimestamp: metav1.NewTime(t0.Add(last))}
	}
	const (
		setUp   = `MountVolume.SetUp failed for volume "registration-dir" : hostPath type check failed: /nonexistent/plugins_registry is not a directory`
		setUp2  = `MountVolume.SetUp failed for volume "plugin-dir" : hostPath type check failed: /nonexistent/plugins is not a directory`
		summary = "Unable to attach or mount volumes: unmounted volumes=[registration-dir], unattached volumes=[]: timed out waiting for the condition"
	)
	tests := []struct {
		name   string
		events []*corev1.Event
		want   problem
		wantOK bool
	}{
		{
			name:   "no event leaves the pod without a problem",
			wantOK: false,
		},
		{
			name:   "one event",
			events: []*corev1.Event{ev(setUp, 2*time.Second, 40*time.Second)},
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-a", Phase: "Pending", Reason: "FailedMount", Message: setUp}, since: t0.Add(2 * time.Second)},
			wantOK: true,
		},
		{
			name:   "a newer summary does not hide why",
			events: []*corev1.Event{ev(summary, 2*time.Minute, 3*time.Minute), ev(setUp, 2*time.Second, 40*time.Second)},
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-a", Phase: "Pending", Reason: "FailedMount", Message: setUp}, since: t0.Add(2 * time.Second)},
			wantOK: true,
		},
		{
			name:   "the latest specific event wins and the first one counts",
			events: []*corev1.Event{ev(setUp2, 5*time.Second, 50*time.Second), ev(setUp, time.Second, 10*time.Second), ev(summary, 2*time.Minute, 2*time.Minute)},
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-a", Phase: "Pending", Reason: "FailedMount", Message: setUp2}, since: t0.Add(time.Second)},
			wantOK: true,
		},
		{
			name:   "only a summary",
			events: []*corev1.Event{ev(summary, 2*time.Minute, 2*time.Minute)},
			want:   problem{stuck: StuckPod{Node: "n1", Pod: "logd-a", Phase: "Pending", Reason: "FailedMount", Message: summary}, since: t0.Add(2 * time.Minute)},
			wantOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lag(waitingPod("logd-a", "n1", "ContainerCreating", ""), "n1", true)
			m := &mountFailure{pod: &l}
			for _, e := range tt.events {
				m.add(e)
			}
			m.apply()
			if l.hasProblem != tt.wantOK {
				t.Fatalf("hasProblem = %v, want %v", l.hasProblem, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, l.problem, cmp.AllowUnexported(problem{})); diff != "" {
				t.Errorf("problem mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiagnoseFailedMount: a pod of the current template that waits in
// ContainerCreating with a FailedMount event is failing, and stuck once the
// grace period has passed since the first event; a pod whose sandbox is
// ready (so its volumes are mounted) is not, whatever its old events say,
// nor is a pod of an old template.
func TestDiagnoseFailedMount(t *testing.T) {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "csi", UID: "ds-uid",
			Annotations: map[string]string{templateGenerationAnnotation: "2"}},
		Spec:   appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "csi"}}},
		Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 4},
	}
	pod := func(name, node, gen string, sandbox corev1.ConditionStatus) *corev1.Pod {
		p := waitingPod(name, node, "ContainerCreating", "")
		p.UID = types.UID(name + "-uid")
		p.Labels = map[string]string{"app": "csi", templateGenerationLabel: gen}
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "csi", UID: "ds-uid", Controller: new(true)}}
		if sandbox != "" {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.PodReadyToStartContainers, Status: sandbox})
		}
		return p
	}
	event := func(p *corev1.Pod, first time.Duration) *corev1.Event {
		return &corev1.Event{
			ObjectMeta:     metav1.ObjectMeta{Namespace: "default", Name: p.Name + ".failedmount"},
			InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: "default", Name: p.Name, UID: p.UID},
			Reason:         reasonFailedMount, Type: corev1.EventTypeWarning,
			Message:        fmt.Sprintf(`MountVolume.SetUp failed for volume "registration-dir" : hostPath type check failed: /nonexistent/%s is not a directory`, p.Spec.NodeName),
			FirstTimestamp: metav1.NewTime(t0.Add(first)), LastTimestamp: metav1.NewTime(t0.Add(first)),
		}
	}
	node := func(name string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}}
	}
	past, recent := pod("csi-1", "n1", "2", corev1.ConditionFalse), pod("csi-2", "n2", "2", "")
	mounted, old := pod("csi-3", "n3", "2", corev1.ConditionTrue), pod("csi-4", "n4", "1", corev1.ConditionFalse)
	objs := []runtime.Object{past, recent, mounted, old,
		event(past, time.Second), event(recent, 50*time.Second), event(mounted, time.Second), event(old, time.Second),
		node("n1"), node("n2"), node("n3"), node("n4")}
	c := &Client{Clientset: fake.NewClientset(objs...), Now: func() time.Time { return t0.Add(time.Minute) }}
	d, err := c.diagnose(context.Background(), ds, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var report []string
	for _, s := range d.report {
		report = append(report, s.Pod+" "+s.Reason)
	}
	want := []string{"csi-1 FailedMount", "csi-2 FailedMount", "csi-3 NotReady", "csi-4 OldTemplate"}
	if diff := cmp.Diff(want, report); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if len(d.stuck) != 1 || d.stuck[0].Pod != "csi-1" || d.failing != 2 {
		t.Fatalf("stuck = %v, failing = %d; want csi-1 stuck and 2 failing", d.stuck, d.failing)
	}
	if want := `MountVolume.SetUp failed for volume "registration-dir" : hostPath type check failed: /nonexistent/n1 is not a directory`; d.stuck[0].Message != want {
		t.Errorf("message = %q, want %q", d.stuck[0].Message, want)
	}
	if want := t0.Add(80 * time.Second); !d.nextExpiry.Equal(want) {
		t.Errorf("nextExpiry = %v, want %v (the recent failure's grace period)", d.nextExpiry, want)
	}
}

// TestDiagnoseListsMountEventsOnlyWhenNeeded: the FailedMount events are
// listed (once, narrowed by the server to that reason) only when a pod of
// the current template awaits its sandbox; pods whose status already says
// why they fail cost no event listing.
func TestDiagnoseListsMountEventsOnlyWhenNeeded(t *testing.T) {
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd", UID: "ds-uid",
			Annotations: map[string]string{templateGenerationAnnotation: "2"}},
		Spec: appsv1.DaemonSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "logd"}}},
	}
	owned := func(p *corev1.Pod) *corev1.Pod {
		p.Labels = map[string]string{"app": "logd", templateGenerationLabel: "2"}
		p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "logd", UID: "ds-uid", Controller: new(true)}}
		return p
	}
	for _, tt := range []struct {
		name   string
		reason string
		want   []string
	}{
		{name: "a pull error says why", reason: "ErrImagePull"},
		{name: "a pod awaiting its sandbox", reason: "ContainerCreating", want: []string{"involvedObject.kind=Pod,reason=FailedMount,type=Warning"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs := fake.NewClientset(owned(waitingPod("logd-1", "n1", tt.reason, "")))
			c := &Client{Clientset: cs, Now: func() time.Time { return t0 }}
			if _, err := c.diagnose(context.Background(), ds, 30*time.Second); err != nil {
				t.Fatal(err)
			}
			var lists []string
			for _, a := range cs.Actions() {
				if l, ok := a.(k8stesting.ListAction); ok && a.GetResource().Resource == "events" {
					lists = append(lists, l.GetListRestrictions().Fields.String())
				}
			}
			if diff := cmp.Diff(tt.want, lists); diff != "" {
				t.Errorf("event listings (-want +got):\n%s", diff)
			}
		})
	}
}
