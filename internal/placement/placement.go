package placement

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	schedulingcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

// Kinds of exclusion, in the order Evaluate checks them.
const (
	KindNodeName      = "node-name"
	KindNodeSelector  = "node-selector"
	KindAffinity      = "affinity"
	KindTaint         = "taint"
	KindNotReady      = "not-ready"
	KindUnschedulable = "unschedulable"
)

// Exclusion is one reason why a pod does not run on a node. A node excluded
// for several reasons appears once per reason.
type Exclusion struct {
	// Node is the node's name.
	Node string
	// Reason is for humans, e.g. `label env=prod not matched (node has env=dev)`.
	Reason string
	// Kind is one of the Kind constants.
	Kind string
}

// Well-known taint keys of the node lifecycle controller and the kubelet.
const (
	TaintNodeNotReady           = "node.kubernetes.io/not-ready"
	TaintNodeUnreachable        = "node.kubernetes.io/unreachable"
	TaintNodeUnschedulable      = "node.kubernetes.io/unschedulable"
	TaintNodeDiskPressure       = "node.kubernetes.io/disk-pressure"
	TaintNodeMemoryPressure     = "node.kubernetes.io/memory-pressure"
	TaintNodePIDPressure        = "node.kubernetes.io/pid-pressure"
	TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable"
)

// DaemonSetTolerations returns the tolerations that the DaemonSet controller
// adds to every pod it creates, so that node problems do not evict daemons
// and a cordon does not keep them off. It mirrors
// AddOrUpdateDaemonPodTolerations in kubernetes pkg/controller/daemon/util
// (daemonset_util.go), which cannot be imported here. NOTE: the not-ready
// taint is tolerated only with effect NoExecute: a node that has never been
// Ready (taint not-ready:NoSchedule) gets no daemon pod.
func DaemonSetTolerations(hostNetwork bool) []corev1.Toleration {
	t := []corev1.Toleration{
		{Key: TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
		{Key: TaintNodeDiskPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: TaintNodeMemoryPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: TaintNodePIDPressure, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
	}
	if hostNetwork {
		t = append(t, corev1.Toleration{
			Key: TaintNodeNetworkUnavailable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule,
		})
	}
	return t
}

// Evaluate returns the names of the nodes on which the DaemonSet controller
// would run a pod of spec (in the order of nodes), and why each other node is
// excluded. It follows the controller's NodeShouldRunDaemonPod: spec.nodeName,
// the required node affinity (nodeSelector and
// requiredDuringSchedulingIgnoredDuringExecution) and the NoSchedule and
// NoExecute taints not tolerated by spec's tolerations plus
// DaemonSetTolerations. A cordoned node (spec.unschedulable) still runs
// daemons, because the controller tolerates node.kubernetes.io/unschedulable.
// PreferNoSchedule taints and preferred affinity never exclude a node.
func Evaluate(nodes []corev1.Node, spec *corev1.PodSpec) (fits []string, excluded []Exclusion) {
	return NewEvaluator(spec).evaluate(nodes)
}

// Evaluator decides node by node what Evaluate decides for a list, so that a
// caller can evaluate nodes as their list pages arrive, without holding them
// all. Its methods may be called from one goroutine at a time.
type Evaluator struct {
	spec        *corev1.PodSpec
	required    nodeaffinity.RequiredNodeAffinity
	tolerations []corev1.Toleration
	checkCordon bool
}

// NewEvaluator returns the DaemonSet controller's view of spec (Evaluate).
func NewEvaluator(spec *corev1.PodSpec) *Evaluator {
	tolerations := append(append([]corev1.Toleration(nil), spec.Tolerations...), DaemonSetTolerations(spec.HostNetwork)...)
	return newEvaluator(spec, tolerations, false)
}

func newEvaluator(spec *corev1.PodSpec, tolerations []corev1.Toleration, checkCordon bool) *Evaluator {
	pod := &corev1.Pod{Spec: *spec}
	pod.Spec.Tolerations = tolerations
	return &Evaluator{spec: spec, required: nodeaffinity.GetRequiredNodeAffinity(pod), tolerations: tolerations, checkCordon: checkCordon}
}

// Explain returns why a pod does not run on node; none when it does.
func (e *Evaluator) Explain(node *corev1.Node) []Exclusion {
	return explain(node, e.spec, e.required, e.tolerations, e.checkCordon)
}

// Fits reports whether a pod runs on node.
func (e *Evaluator) Fits(node *corev1.Node) bool {
	return len(e.Explain(node)) == 0
}

func (e *Evaluator) evaluate(nodes []corev1.Node) ([]string, []Exclusion) {
	fits := []string{}
	var excluded []Exclusion
	for i := range nodes {
		reasons := e.Explain(&nodes[i])
		if len(reasons) == 0 {
			fits = append(fits, nodes[i].Name)
			continue
		}
		excluded = append(excluded, reasons...)
	}
	return fits, excluded
}

// ContinuesRunning reports whether the DaemonSet controller leaves a daemon
// pod of spec running on node (its NodeShouldRunDaemonPod's second answer):
// node still matches spec.nodeName and the required node affinity, and
// every taint the pod does not tolerate is NoSchedule, which keeps new pods
// off but evicts none. Such a pod on a node that Evaluate excludes is
// counted in status.numberMisscheduled for as long as it runs.
func ContinuesRunning(node *corev1.Node, spec *corev1.PodSpec) bool {
	if spec.NodeName != "" && spec.NodeName != node.Name {
		return false
	}
	tolerations := append(append([]corev1.Toleration(nil), spec.Tolerations...), DaemonSetTolerations(spec.HostNetwork)...)
	pod := &corev1.Pod{Spec: *spec}
	pod.Spec.Tolerations = tolerations
	if ok, _ := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); !ok {
		return false
	}
	_, untolerated := schedulingcorev1.FindMatchingUntoleratedTaint(klog.Background(), node.Spec.Taints, tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute
	}, false)
	return !untolerated
}

// EvaluatePod is Evaluate for a plain pod placed by the scheduler: no
// tolerations are added, and a cordoned node is excluded unless the pod
// tolerates node.kubernetes.io/unschedulable:NoSchedule (the scheduler's
// NodeUnschedulable plugin).
func EvaluatePod(nodes []corev1.Node, spec *corev1.PodSpec) (fits []string, excluded []Exclusion) {
	return newEvaluator(spec, spec.Tolerations, true).evaluate(nodes)
}

func explain(node *corev1.Node, spec *corev1.PodSpec, required nodeaffinity.RequiredNodeAffinity, tolerations []corev1.Toleration, checkCordon bool) []Exclusion {
	var out []Exclusion
	add := func(kind, format string, args ...any) {
		out = append(out, Exclusion{Node: node.Name, Kind: kind, Reason: fmt.Sprintf(format, args...)})
	}
	if spec.NodeName != "" && spec.NodeName != node.Name {
		add(KindNodeName, "pod template names node %q", spec.NodeName)
	}
	// The helpers give the verdict; the explanation below only says why.
	if ok, _ := required.Match(node); !ok {
		for _, r := range nodeSelectorReasons(node, spec.NodeSelector) {
			add(KindNodeSelector, "%s", r)
		}
		if r := affinityReason(node, spec.Affinity); r != "" {
			add(KindAffinity, "%s", r)
		}
	}
	cordonReported := false
	for i := range node.Spec.Taints {
		taint := &node.Spec.Taints[i]
		if taint.Effect != corev1.TaintEffectNoSchedule && taint.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		if schedulingcorev1.TolerationsTolerateTaint(klog.Background(), tolerations, taint, false) {
			continue
		}
		switch taint.Key {
		case TaintNodeNotReady, TaintNodeUnreachable:
			add(KindNotReady, "node not ready (untolerated taint %s)", k8s.TaintString(taint))
		case TaintNodeUnschedulable:
			cordonReported = true
			add(KindUnschedulable, "node unschedulable (cordoned)")
		default:
			add(KindTaint, "untolerated taint %s", k8s.TaintString(taint))
		}
	}
	if checkCordon && node.Spec.Unschedulable && !cordonReported {
		cordon := &corev1.Taint{Key: TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
		if !schedulingcorev1.TolerationsTolerateTaint(klog.Background(), tolerations, cordon, false) {
			add(KindUnschedulable, "node unschedulable (cordoned)")
		}
	}
	return out
}

// nodeSelectorReasons names each nodeSelector label the node lacks, in key
// order.
func nodeSelectorReasons(node *corev1.Node, selector map[string]string) []string {
	keys := make([]string, 0, len(selector))
	for k := range selector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		have, ok := node.Labels[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("label %s=%s not matched (node has no %s label)", k, selector[k], k))
		case have != selector[k]:
			out = append(out, fmt.Sprintf("label %s=%s not matched (node has %s=%s)", k, selector[k], k, have))
		}
	}
	return out
}

// affinityReason explains why no required node affinity term matches, or
// returns "" when the affinity is not what excludes the node.
func affinityReason(node *corev1.Node, affinity *corev1.Affinity) string {
	if affinity == nil || affinity.NodeAffinity == nil || affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	terms := affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	var why []string
	for i := range terms {
		ok, err := termMatch(node, terms[i])
		if ok {
			// The terms are ORed: one match means the affinity admits the
			// node and the nodeSelector is what excludes it.
			return ""
		}
		why = append(why, fmt.Sprintf("term %d not matched: %s", i, termReason(node, &terms[i], err)))
	}
	if len(terms) == 0 {
		return "required node affinity has no terms and matches no node"
	}
	if len(why) == 1 {
		return "required node affinity " + why[0]
	}
	return "no required node affinity term matched: " + strings.Join(why, "; ")
}

// termReason names the first requirement of term that the node fails.
func termReason(node *corev1.Node, term *corev1.NodeSelectorTerm, err error) string {
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		return "the term is empty and matches no node"
	}
	if err != nil {
		return fmt.Sprintf("invalid term: %s", err)
	}
	for _, req := range term.MatchExpressions {
		if termMatches(node, corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{req}}) {
			continue
		}
		have := "node has no " + req.Key + " label"
		if v, ok := node.Labels[req.Key]; ok {
			have = "node has " + labels.Set{req.Key: v}.String()
		}
		return fmt.Sprintf("%s (%s)", requirementString(req), have)
	}
	for _, req := range term.MatchFields {
		if termMatches(node, corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{req}}) {
			continue
		}
		return fmt.Sprintf("%s (node is %s)", requirementString(req), node.Name)
	}
	return "the requirements together match no node"
}

// termMatch evaluates one term alone; an invalid term matches nothing, as in
// the scheduler, and its error is returned for the explanation.
func termMatch(node *corev1.Node, term corev1.NodeSelectorTerm) (bool, error) {
	return nodeaffinity.NewLazyErrorNodeSelector(&corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{term}}).Match(node)
}

func termMatches(node *corev1.Node, term corev1.NodeSelectorTerm) bool {
	ok, _ := termMatch(node, term)
	return ok
}

func requirementString(req corev1.NodeSelectorRequirement) string {
	switch req.Operator {
	case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
		return fmt.Sprintf("%s %s", req.Key, req.Operator)
	}
	return fmt.Sprintf("%s %s [%s]", req.Key, req.Operator, strings.Join(req.Values, ","))
}

// NoteField is the pod spec field a Note is about.
type NoteField int

// The fields of notes, under spec.affinity.
const (
	// FieldPodAffinity is requiredDuringSchedulingIgnoredDuringExecution of
	// podAffinity.
	FieldPodAffinity NoteField = iota + 1
	// FieldPodAntiAffinity is requiredDuringSchedulingIgnoredDuringExecution
	// of podAntiAffinity.
	FieldPodAntiAffinity
)

// Note is a part of a pod spec that Evaluate does not evaluate although it
// can keep a pod off a node that Evaluate lists.
type Note struct {
	// Field is the pod spec field the note is about.
	Field NoteField
	// Text says what was not evaluated and what it may do.
	Text string
}

// Unevaluated returns the notes for spec's required pod affinity and pod
// anti-affinity. The DaemonSet controller ignores both when it decides
// where daemon pods go (so Evaluate's nodes are still where it creates
// them), but the scheduler enforces them against the pods that run at that
// moment, and leaves a pod that violates them Pending. Preferred terms only
// rank nodes and get no note.
func Unevaluated(spec *corev1.PodSpec) []Note {
	if spec.Affinity == nil {
		return nil
	}
	var out []Note
	if pa := spec.Affinity.PodAffinity; pa != nil && len(pa.RequiredDuringSchedulingIgnoredDuringExecution) > 0 {
		terms := pa.RequiredDuringSchedulingIgnoredDuringExecution
		out = append(out, Note{Field: FieldPodAffinity, Text: fmt.Sprintf("required pod affinity (%s) was not evaluated: "+
			"the DaemonSet controller creates a pod for each node in nodes regardless, and the scheduler leaves the "+
			"pod Pending on a node whose topology domain runs no pod that matches a term", termsSummary(terms))})
	}
	if pa := spec.Affinity.PodAntiAffinity; pa != nil && len(pa.RequiredDuringSchedulingIgnoredDuringExecution) > 0 {
		terms := pa.RequiredDuringSchedulingIgnoredDuringExecution
		out = append(out, Note{Field: FieldPodAntiAffinity, Text: fmt.Sprintf("required pod anti-affinity (%s) was not "+
			"evaluated: the DaemonSet controller creates a pod for each node in nodes regardless, and the scheduler "+
			"leaves the pod Pending on a node whose topology domain already runs a pod that matches a term (with "+
			"a topology key coarser than kubernetes.io/hostname, e.g. a zone, that includes the DaemonSet's own pods)",
			termsSummary(terms))})
	}
	return out
}

// termsSummary counts the terms and names their topology keys, e.g.
// `1 term, topology key kubernetes.io/hostname`.
func termsSummary(terms []corev1.PodAffinityTerm) string {
	keys := []string{}
	seen := map[string]bool{}
	for _, t := range terms {
		if !seen[t.TopologyKey] {
			seen[t.TopologyKey] = true
			keys = append(keys, t.TopologyKey)
		}
	}
	n := "1 term"
	if len(terms) != 1 {
		n = fmt.Sprintf("%d terms", len(terms))
	}
	k := "topology key "
	if len(keys) != 1 {
		k = "topology keys "
	}
	return n + ", " + k + strings.Join(keys, ", ")
}
