package placement

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func node(name string, labels map[string]string, taints ...corev1.Taint) corev1.Node {
	return corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{Taints: taints},
	}
}

func cordoned(n corev1.Node) corev1.Node {
	n.Spec.Unschedulable = true
	n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	return n
}

func requiredAffinity(terms ...corev1.NodeSelectorTerm) *corev1.Affinity {
	return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: terms},
	}}
}

func expr(key string, op corev1.NodeSelectorOperator, values ...string) corev1.NodeSelectorTerm {
	return corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: op, Values: values}}}
}

// seedNodes are the seeds' nodes: one env=prod with host=high-cpu, two env=dev.
func seedNodes() []corev1.Node {
	return []corev1.Node{
		node("n0", map[string]string{"env": "prod", "host": "high-cpu"}),
		node("n1", map[string]string{"env": "dev"}),
		node("n2", map[string]string{"env": "dev"}),
	}
}

var gpuTaint = corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name     string
		nodes    []corev1.Node
		spec     corev1.PodSpec
		fits     []string
		excluded []Exclusion
	}{
		{
			name:  "no placement runs everywhere",
			nodes: seedNodes(),
			fits:  []string{"n0", "n1", "n2"},
		},
		{
			name:  "node selector env=prod",
			nodes: seedNodes(),
			spec:  corev1.PodSpec{NodeSelector: map[string]string{"env": "prod"}},
			fits:  []string{"n0"},
			excluded: []Exclusion{
				{Node: "n1", Kind: KindNodeSelector, Reason: "label env=prod not matched (node has env=dev)"},
				{Node: "n2", Kind: KindNodeSelector, Reason: "label env=prod not matched (node has env=dev)"},
			},
		},
		{
			name:  "node selector names each missing label",
			nodes: seedNodes()[1:2],
			spec:  corev1.PodSpec{NodeSelector: map[string]string{"env": "prod", "host": "high-cpu"}},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n1", Kind: KindNodeSelector, Reason: "label env=prod not matched (node has env=dev)"},
				{Node: "n1", Kind: KindNodeSelector, Reason: "label host=high-cpu not matched (node has no host label)"},
			},
		},
		{
			name:  "required affinity single term",
			nodes: seedNodes(),
			spec:  corev1.PodSpec{Affinity: requiredAffinity(expr("host", corev1.NodeSelectorOpIn, "high-cpu", "gpu"))},
			fits:  []string{"n0"},
			excluded: []Exclusion{
				{Node: "n1", Kind: KindAffinity, Reason: "required node affinity term 0 not matched: host In [high-cpu,gpu] (node has no host label)"},
				{Node: "n2", Kind: KindAffinity, Reason: "required node affinity term 0 not matched: host In [high-cpu,gpu] (node has no host label)"},
			},
		},
		{
			name:  "required affinity terms are ORed",
			nodes: seedNodes(),
			spec: corev1.PodSpec{Affinity: requiredAffinity(
				expr("host", corev1.NodeSelectorOpExists),
				corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"n2"}}}},
			)},
			fits: []string{"n0", "n2"},
			excluded: []Exclusion{
				{Node: "n1", Kind: KindAffinity, Reason: "no required node affinity term matched: term 0 not matched: host Exists (node has no host label); " +
					"term 1 not matched: metadata.name In [n2] (node is n1)"},
			},
		},
		{
			name:  "affinity NotIn names the node's value",
			nodes: seedNodes(),
			spec:  corev1.PodSpec{Affinity: requiredAffinity(expr("env", corev1.NodeSelectorOpNotIn, "dev"))},
			fits:  []string{"n0"},
			excluded: []Exclusion{
				{Node: "n1", Kind: KindAffinity, Reason: "required node affinity term 0 not matched: env NotIn [dev] (node has env=dev)"},
				{Node: "n2", Kind: KindAffinity, Reason: "required node affinity term 0 not matched: env NotIn [dev] (node has env=dev)"},
			},
		},
		{
			name:  "empty affinity term matches no node",
			nodes: seedNodes()[:1],
			spec:  corev1.PodSpec{Affinity: requiredAffinity(corev1.NodeSelectorTerm{})},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindAffinity, Reason: "required node affinity term 0 not matched: the term is empty and matches no node"},
			},
		},
		{
			name:  "node selector and affinity both reported",
			nodes: seedNodes()[1:2],
			spec: corev1.PodSpec{
				NodeSelector: map[string]string{"env": "prod"},
				Affinity:     requiredAffinity(expr("host", corev1.NodeSelectorOpExists)),
			},
			fits: []string{},
			excluded: []Exclusion{
				{Node: "n1", Kind: KindNodeSelector, Reason: "label env=prod not matched (node has env=dev)"},
				{Node: "n1", Kind: KindAffinity, Reason: "required node affinity term 0 not matched: host Exists (node has no host label)"},
			},
		},
		{
			name:  "untolerated NoSchedule taint",
			nodes: []corev1.Node{node("n0", nil, gpuTaint), node("n1", nil)},
			fits:  []string{"n1"},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindTaint, Reason: "untolerated taint dedicated=gpu:NoSchedule"},
			},
		},
		{
			name:  "toleration Equal admits the tainted node",
			nodes: []corev1.Node{node("n0", nil, gpuTaint)},
			spec: corev1.PodSpec{Tolerations: []corev1.Toleration{
				{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "gpu", Effect: corev1.TaintEffectNoSchedule},
			}},
			fits: []string{"n0"},
		},
		{
			name:  "toleration with another value does not",
			nodes: []corev1.Node{node("n0", nil, gpuTaint)},
			spec: corev1.PodSpec{Tolerations: []corev1.Toleration{
				{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "fpga", Effect: corev1.TaintEffectNoSchedule},
			}},
			fits:     []string{},
			excluded: []Exclusion{{Node: "n0", Kind: KindTaint, Reason: "untolerated taint dedicated=gpu:NoSchedule"}},
		},
		{
			name:  "operator Exists with empty key tolerates everything",
			nodes: []corev1.Node{node("n0", nil, gpuTaint, corev1.Taint{Key: "x", Effect: corev1.TaintEffectNoExecute})},
			spec:  corev1.PodSpec{Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}}},
			fits:  []string{"n0"},
		},
		{
			name:  "PreferNoSchedule never excludes",
			nodes: []corev1.Node{node("n0", nil, corev1.Taint{Key: "soft", Effect: corev1.TaintEffectPreferNoSchedule})},
			fits:  []string{"n0"},
		},
		{
			name:  "NoExecute taint excludes",
			nodes: []corev1.Node{node("n0", nil, corev1.Taint{Key: "evict", Value: "yes", Effect: corev1.TaintEffectNoExecute})},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindTaint, Reason: "untolerated taint evict=yes:NoExecute"},
			},
		},
		{
			name:  "cordoned node still runs daemons",
			nodes: []corev1.Node{cordoned(node("n0", nil))},
			fits:  []string{"n0"},
		},
		{
			name: "node problems tolerated by daemon pods",
			nodes: []corev1.Node{node("n0", nil,
				corev1.Taint{Key: TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute},
				corev1.Taint{Key: TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute},
				corev1.Taint{Key: TaintNodeDiskPressure, Effect: corev1.TaintEffectNoSchedule},
				corev1.Taint{Key: TaintNodeMemoryPressure, Effect: corev1.TaintEffectNoSchedule},
				corev1.Taint{Key: TaintNodePIDPressure, Effect: corev1.TaintEffectNoSchedule},
			)},
			fits: []string{"n0"},
		},
		{
			name:  "never ready node gets no daemon",
			nodes: []corev1.Node{node("n0", nil, corev1.Taint{Key: TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule})},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindNotReady, Reason: "node not ready (untolerated taint node.kubernetes.io/not-ready:NoSchedule)"},
			},
		},
		{
			name:  "network unavailable needs hostNetwork",
			nodes: []corev1.Node{node("n0", nil, corev1.Taint{Key: TaintNodeNetworkUnavailable, Effect: corev1.TaintEffectNoSchedule})},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindTaint, Reason: "untolerated taint node.kubernetes.io/network-unavailable:NoSchedule"},
			},
		},
		{
			name:  "hostNetwork daemon tolerates network unavailable",
			nodes: []corev1.Node{node("n0", nil, corev1.Taint{Key: TaintNodeNetworkUnavailable, Effect: corev1.TaintEffectNoSchedule})},
			spec:  corev1.PodSpec{HostNetwork: true},
			fits:  []string{"n0"},
		},
		{
			name:  "nodeName pins one node",
			nodes: seedNodes(),
			spec:  corev1.PodSpec{NodeName: "n1"},
			fits:  []string{"n1"},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindNodeName, Reason: `pod template names node "n1"`},
				{Node: "n2", Kind: KindNodeName, Reason: `pod template names node "n1"`},
			},
		},
		{
			name:  "every reason of a node is listed",
			nodes: []corev1.Node{node("n0", map[string]string{"env": "dev"}, gpuTaint)},
			spec:  corev1.PodSpec{NodeSelector: map[string]string{"env": "prod"}},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindNodeSelector, Reason: "label env=prod not matched (node has env=dev)"},
				{Node: "n0", Kind: KindTaint, Reason: "untolerated taint dedicated=gpu:NoSchedule"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			fits, excluded := Evaluate(tt.nodes, &spec)
			if diff := cmp.Diff(tt.fits, fits); diff != "" {
				t.Errorf("fits (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.excluded, excluded); diff != "" {
				t.Errorf("excluded (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.spec, spec); diff != "" {
				t.Errorf("Evaluate changed the spec (-before +after):\n%s", diff)
			}
		})
	}
}

func TestEvaluatePod(t *testing.T) {
	tests := []struct {
		name     string
		nodes    []corev1.Node
		spec     corev1.PodSpec
		fits     []string
		excluded []Exclusion
	}{
		{
			name:     "cordoned node excludes a plain pod",
			nodes:    []corev1.Node{cordoned(node("n0", nil)), node("n1", nil)},
			fits:     []string{"n1"},
			excluded: []Exclusion{{Node: "n0", Kind: KindUnschedulable, Reason: "node unschedulable (cordoned)"}},
		},
		{
			name: "cordon without the taint still excludes",
			nodes: func() []corev1.Node {
				n := node("n0", nil)
				n.Spec.Unschedulable = true
				return []corev1.Node{n}
			}(),
			fits:     []string{},
			excluded: []Exclusion{{Node: "n0", Kind: KindUnschedulable, Reason: "node unschedulable (cordoned)"}},
		},
		{
			name:  "pod tolerating unschedulable runs on a cordoned node",
			nodes: []corev1.Node{cordoned(node("n0", nil))},
			spec: corev1.PodSpec{Tolerations: []corev1.Toleration{
				{Key: TaintNodeUnschedulable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
			}},
			fits: []string{"n0"},
		},
		{
			name:  "plain pod does not tolerate disk pressure",
			nodes: []corev1.Node{node("n0", nil, corev1.Taint{Key: TaintNodeDiskPressure, Effect: corev1.TaintEffectNoSchedule})},
			fits:  []string{},
			excluded: []Exclusion{
				{Node: "n0", Kind: KindTaint, Reason: "untolerated taint node.kubernetes.io/disk-pressure:NoSchedule"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fits, excluded := EvaluatePod(tt.nodes, &tt.spec)
			if diff := cmp.Diff(tt.fits, fits); diff != "" {
				t.Errorf("fits (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.excluded, excluded); diff != "" {
				t.Errorf("excluded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnevaluated(t *testing.T) {
	term := func(key string) corev1.PodAffinityTerm {
		return corev1.PodAffinityTerm{
			TopologyKey:   key,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "cache"}},
		}
	}
	tests := []struct {
		name     string
		affinity *corev1.Affinity
		want     []Note
	}{
		{name: "no affinity"},
		{name: "node affinity only", affinity: requiredAffinity(expr("env", corev1.NodeSelectorOpIn, "prod"))},
		{
			name: "preferred pod terms only rank nodes",
			affinity: &corev1.Affinity{
				PodAffinity: &corev1.PodAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
					{Weight: 5, PodAffinityTerm: term("kubernetes.io/hostname")},
				}},
				PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{
					{Weight: 5, PodAffinityTerm: term("kubernetes.io/hostname")},
				}},
			},
		},
		{
			name: "required anti-affinity",
			affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{term("kubernetes.io/hostname")},
			}},
			want: []Note{{Field: FieldPodAntiAffinity, Text: "required pod anti-affinity (1 term, topology key " +
				"kubernetes.io/hostname) was not evaluated: the DaemonSet controller creates a pod for each node in " +
				"nodes regardless, and the scheduler leaves the pod Pending on a node whose topology domain already " +
				"runs a pod that matches a term (with a topology key coarser than kubernetes.io/hostname, e.g. a " +
				"zone, that includes the DaemonSet's own pods)"}},
		},
		{
			name: "required affinity and anti-affinity",
			affinity: &corev1.Affinity{
				PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
					term("topology.kubernetes.io/zone"), term("kubernetes.io/hostname"), term("topology.kubernetes.io/zone"),
				}},
				PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
					term("topology.kubernetes.io/zone"),
				}},
			},
			want: []Note{
				{Field: FieldPodAffinity, Text: "required pod affinity (3 terms, topology keys topology.kubernetes.io/zone, " +
					"kubernetes.io/hostname) was not evaluated: the DaemonSet controller creates a pod for each node in " +
					"nodes regardless, and the scheduler leaves the pod Pending on a node whose topology domain runs no " +
					"pod that matches a term"},
				{Field: FieldPodAntiAffinity, Text: "required pod anti-affinity (1 term, topology key " +
					"topology.kubernetes.io/zone) was not evaluated: the DaemonSet controller creates a pod for each node " +
					"in nodes regardless, and the scheduler leaves the pod Pending on a node whose topology domain " +
					"already runs a pod that matches a term (with a topology key coarser than kubernetes.io/hostname, " +
					"e.g. a zone, that includes the DaemonSet's own pods)"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unevaluated(&corev1.PodSpec{Affinity: tt.affinity})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unevaluated (-want +got):\n%s", diff)
			}
		})
	}
}

func TestContinuesRunning(t *testing.T) {
	noSchedule := corev1.Taint{Key: "drain", Value: "soon", Effect: corev1.TaintEffectNoSchedule}
	noExecute := corev1.Taint{Key: "drain", Value: "now", Effect: corev1.TaintEffectNoExecute}
	prod := &corev1.PodSpec{NodeSelector: map[string]string{"env": "prod"}}
	cases := []struct {
		name string
		node corev1.Node
		spec *corev1.PodSpec
		want bool
	}{
		{name: "fitting node", node: node("n0", map[string]string{"env": "prod"}), spec: prod, want: true},
		{name: "untolerated NoSchedule taint keeps the pod", node: node("n0", map[string]string{"env": "prod"}, noSchedule), spec: prod, want: true},
		{name: "untolerated NoExecute taint evicts", node: node("n0", map[string]string{"env": "prod"}, noExecute), spec: prod, want: false},
		{name: "tolerated NoExecute taint keeps the pod", node: node("n0", map[string]string{"env": "prod"}, noExecute),
			spec: &corev1.PodSpec{NodeSelector: prod.NodeSelector, Tolerations: []corev1.Toleration{{Key: "drain", Operator: corev1.TolerationOpExists}}}, want: true},
		{name: "not-ready NoExecute is tolerated by the controller", node: node("n0", map[string]string{"env": "prod"},
			corev1.Taint{Key: TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}), spec: prod, want: true},
		{name: "node selector no longer matched", node: node("n0", map[string]string{"env": "dev"}), spec: prod, want: false},
		{name: "required affinity no longer matched", node: node("n0", map[string]string{"env": "dev"}),
			spec: &corev1.PodSpec{Affinity: requiredAffinity(expr("env", corev1.NodeSelectorOpIn, "prod"))}, want: false},
		{name: "other node name", node: node("n0", nil), spec: &corev1.PodSpec{NodeName: "n1"}, want: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ContinuesRunning(&tc.node, tc.spec); got != tc.want {
				t.Errorf("ContinuesRunning = %v, want %v", got, tc.want)
			}
		})
	}
}
