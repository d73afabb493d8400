package k8s

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var (
	gpu      = corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	gpuEvict = corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoExecute}
	notReady = corev1.Taint{Key: "node.kubernetes.io/not-ready", Effect: corev1.TaintEffectNoExecute}
	foreign  = corev1.Taint{Key: "team", Value: "infra", Effect: corev1.TaintEffectPreferNoSchedule}
)

func taintedNode(annotations map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "n1", Annotations: annotations},
		Spec:       corev1.NodeSpec{Taints: taints},
	}
}

func TestSetOwnedTaints(t *testing.T) {
	tests := []struct {
		name            string
		node            *corev1.Node
		wanted          []corev1.Taint
		previous        []corev1.Taint
		force           bool
		wantTaints      []corev1.Taint
		wantAnnotations map[string]string
		wantChanged     bool
		wantErr         string
	}{
		{
			name:            "add to a node with foreign and system taints",
			node:            taintedNode(nil, notReady, foreign),
			wanted:          []corev1.Taint{gpu},
			wantTaints:      []corev1.Taint{notReady, foreign, gpu},
			wantAnnotations: map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`},
			wantChanged:     true,
		},
		{
			name:            "same key with another effect is another taint",
			node:            taintedNode(map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`}, gpu),
			wanted:          []corev1.Taint{gpu, gpuEvict},
			wantTaints:      []corev1.Taint{gpu, gpuEvict},
			wantAnnotations: map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoExecute","dedicated:NoSchedule"]`},
			wantChanged:     true,
		},
		{
			name:            "value change of an owned taint keeps its place",
			node:            taintedNode(map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`}, gpu, foreign),
			wanted:          []corev1.Taint{{Key: "dedicated", Value: "fpga", Effect: corev1.TaintEffectNoSchedule}},
			wantTaints:      []corev1.Taint{{Key: "dedicated", Value: "fpga", Effect: corev1.TaintEffectNoSchedule}, foreign},
			wantAnnotations: map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`},
			wantChanged:     true,
		},
		{
			name:            "release removes only owned taints and the annotation",
			node:            taintedNode(map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`, "other": "x"}, notReady, gpu, foreign),
			wantTaints:      []corev1.Taint{notReady, foreign},
			wantAnnotations: map[string]string{"other": "x"},
			wantChanged:     true,
		},
		{
			name:            "state record counts when the annotation was removed",
			node:            taintedNode(nil, gpu),
			previous:        []corev1.Taint{gpu},
			wantTaints:      nil,
			wantAnnotations: map[string]string{},
			wantChanged:     true,
		},
		{
			name:            "nothing to do",
			node:            taintedNode(map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`}, gpu),
			wanted:          []corev1.Taint{gpu},
			wantTaints:      []corev1.Taint{gpu},
			wantAnnotations: map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`},
		},
		{
			name:    "foreign taint with the same identity conflicts",
			node:    taintedNode(nil, corev1.Taint{Key: "dedicated", Value: "ml", Effect: corev1.TaintEffectNoSchedule}),
			wanted:  []corev1.Taint{gpu},
			wantErr: `node n1: taint "dedicated:NoSchedule" is "ml" (wanted "gpu"), owned by an unknown manager`,
		},
		{
			name:    "another instance's taint conflicts and is named",
			node:    taintedNode(map[string]string{"kubedaemon.dev/taints.b": `["dedicated:NoSchedule"]`}, gpu),
			wanted:  []corev1.Taint{gpu},
			wantErr: `node n1: taint "dedicated:NoSchedule" is "gpu" (wanted "gpu"), owned by "b"`,
		},
		{
			name:            "force takes over from another instance",
			node:            taintedNode(map[string]string{"kubedaemon.dev/taints.b": `["dedicated:NoSchedule","x:NoExecute"]`}, gpu),
			wanted:          []corev1.Taint{{Key: "dedicated", Value: "fpga", Effect: corev1.TaintEffectNoSchedule}},
			force:           true,
			wantTaints:      []corev1.Taint{{Key: "dedicated", Value: "fpga", Effect: corev1.TaintEffectNoSchedule}},
			wantAnnotations: map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`, "kubedaemon.dev/taints.b": `["x:NoExecute"]`},
			wantChanged:     true,
		},
		{
			name:     "state record does not count once another instance forced a takeover",
			node:     taintedNode(map[string]string{"kubedaemon.dev/taints.b": `["dedicated:NoSchedule"]`}, gpu),
			wanted:   []corev1.Taint{gpu},
			previous: []corev1.Taint{gpu},
			wantErr:  `node n1: taint "dedicated:NoSchedule" is "gpu" (wanted "gpu"), owned by "b"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed, err := setOwnedTaints(tt.node, "a", tt.wanted, tt.previous, tt.force)
			if tt.wantErr != "" {
				var ce *ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("want a *ConflictError, got %v", err)
				}
				if err.Error() != tt.wantErr {
					t.Fatalf("error\n got: %s\nwant: %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.wantChanged {
				t.Errorf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if diff := cmp.Diff(tt.wantTaints, tt.node.Spec.Taints); diff != "" {
				t.Errorf("taints (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAnnotations, tt.node.Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
		})
	}
}
