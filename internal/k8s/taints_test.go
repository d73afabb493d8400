package k8s

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
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

func TestTaintsPatch(t *testing.T) {
	tests := []struct {
		name   string
		node   *corev1.Node
		wanted []corev1.Taint
		force  bool
		want   string
	}{
		{
			name:   "add: whole taint list, own annotation, resourceVersion",
			node:   taintedNode(map[string]string{"other": "x"}, notReady, foreign),
			wanted: []corev1.Taint{gpu},
			want: `{"metadata":{"annotations":{"kubedaemon.dev/taints.a":"[\"dedicated:NoSchedule\"]"},"resourceVersion":"7"},` +
				`"spec":{"taints":[{"key":"node.kubernetes.io/not-ready","effect":"NoExecute"},` +
				`{"key":"team","value":"infra","effect":"PreferNoSchedule"},{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]}}`,
		},
		{
			name: "release the last taint: the annotation goes",
			node: taintedNode(map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`}, gpu),
			want: `{"metadata":{"annotations":{"kubedaemon.dev/taints.a":null},"resourceVersion":"7"},"spec":{"taints":null}}`,
		},
		{
			name:   "force removes the taint from the other instance's annotation",
			node:   taintedNode(map[string]string{"kubedaemon.dev/taints.b": `["dedicated:NoSchedule"]`}, gpu),
			wanted: []corev1.Taint{gpu},
			force:  true,
			want: `{"metadata":{"annotations":{"kubedaemon.dev/taints.a":"[\"dedicated:NoSchedule\"]","kubedaemon.dev/taints.b":null},` +
				`"resourceVersion":"7"},"spec":{"taints":[{"key":"dedicated","value":"gpu","effect":"NoSchedule"}]}}`,
		},
		{
			name:   "as wanted: no patch",
			node:   taintedNode(map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`}, gpu),
			wanted: []corev1.Taint{gpu},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.node.ResourceVersion = "7"
			before := tt.node.DeepCopy()
			patch, err := taintsPatch(tt.node, "a", tt.wanted, nil, tt.force)
			if err != nil {
				t.Fatal(err)
			}
			if string(patch) != tt.want {
				t.Errorf("patch\n got: %s\nwant: %s", patch, tt.want)
			}
			if diff := cmp.Diff(before, tt.node); diff != "" {
				t.Errorf("the node changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestApplyTaints: one listing, one patch per node that is not as wanted, a
// conflicting write read again and retried, and a conflicting taint
// refused without a write.
func TestApplyTaints(t *testing.T) {
	owned := map[string]string{"kubedaemon.dev/taints.a": `["dedicated:NoSchedule"]`}
	node := func(name string, annotations map[string]string, taints ...corev1.Taint) *corev1.Node {
		n := taintedNode(annotations, taints...)
		n.Name, n.Labels, n.ResourceVersion = name, map[string]string{"pool": "x"}, "1"
		return n
	}
	cs := fake.NewClientset(
		node("add", nil, foreign),
		node("busy", nil),
		node("conflict", nil, corev1.Taint{Key: "dedicated", Value: "ml", Effect: corev1.TaintEffectNoSchedule}),
		node("as-wanted", owned, gpu),
		node("released", owned, gpu, foreign),
	)
	busy := 0
	cs.PrependReactor("patch", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.PatchAction).GetName() == "busy" && busy == 0 {
			busy++
			return true, nil, apierrors.NewConflict(corev1.Resource("nodes"), "busy", errors.New("the object has been modified"))
		}
		return false, nil, nil
	})
	res, err := ApplyTaints(context.Background(), cs, TaintsChange{
		Owner: "a", Taints: []corev1.Taint{gpu},
		Apply:   []string{"add", "busy", "conflict", "as-wanted", "gone"},
		Release: []string{"released"}, Selector: "pool=x",
	}, EachOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"add", "as-wanted", "busy", "released"}, res.Done); diff != "" {
		t.Errorf("done (-want +got):\n%s", diff)
	}
	var got []string
	for _, f := range res.Failed {
		got = append(got, fmt.Sprintf("%s: %v", f.Node, f.Err))
	}
	want := []string{`conflict: node conflict: taint "dedicated:NoSchedule" is "ml" (wanted "gpu"), owned by an unknown manager`, "gone: node not found"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failed (-want +got):\n%s", diff)
	}
	// One listing; GETs for the node that is not there and the busy node's
	// retry; two patches to the busy node.
	if diff := cmp.Diff(map[string]int{"list": 1, "get": 2, "patch": 4}, requests(cs)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for name, want := range map[string][]corev1.Taint{"add": {foreign, gpu}, "busy": {gpu}, "released": {foreign}} {
		n, err := cs.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, n.Spec.Taints); diff != "" {
			t.Errorf("%s: taints (-want +got):\n%s", name, diff)
		}
		_, claimed := n.Annotations["kubedaemon.dev/taints.a"]
		if claimed != (name != "released") {
			t.Errorf("%s: owner annotation present = %v", name, claimed)
		}
	}
}

// TestSetOwnedTaintsUnchanged: setting what the node already holds is no
// change, whatever nil or empty the node's annotations and taints are.
func TestSetOwnedTaintsUnchanged(t *testing.T) {
	taint := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	owned := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1",
		Annotations: map[string]string{TaintOwnerAnnotation("a"): `["dedicated:NoSchedule"]`}},
		Spec: corev1.NodeSpec{Taints: []corev1.Taint{taint}}}
	bare := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n2"}}
	for name, tc := range map[string]struct {
		node   *corev1.Node
		wanted []corev1.Taint
		want   bool
	}{
		"owned taint set again":   {owned, []corev1.Taint{taint}, false},
		"nothing on a bare node":  {bare, nil, false},
		"a new value is a change": {owned, []corev1.Taint{{Key: "dedicated", Value: "cpu", Effect: corev1.TaintEffectNoSchedule}}, true},
		"a new taint is a change": {bare, []corev1.Taint{taint}, true},
	} {
		t.Run(name, func(t *testing.T) {
			changed, err := setOwnedTaints(tc.node.DeepCopy(), "a", tc.wanted, nil, false)
			if err != nil || changed != tc.want {
				t.Errorf("changed, err = %v, %v; want %v, nil", changed, err, tc.want)
			}
		})
	}
}
