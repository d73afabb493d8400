package k8s

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
)

func poolNode(name string, labels map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), Labels: labels, ResourceVersion: "1"}}
}

// requests counts the fake clientset's requests by verb.
func requests(cs *fake.Clientset) map[string]int {
	out := map[string]int{}
	for _, a := range cs.Actions() {
		out[a.GetVerb()]++
	}
	return out
}

func TestVisitNamedNodes(t *testing.T) {
	pool := map[string]string{"pool": "x"}
	var many, manyNodes []string
	for i := range maxGets + 1 {
		many = append(many, fmt.Sprintf("left-%02d", i))
	}
	manyNodes = append(manyNodes, many[:maxGets]...) // the last one is gone
	tests := []struct {
		name         string
		nodes        []string // nodes without the pool label; "a", "b" always have it
		names        []string
		selector     string
		wantVisited  []string
		wantGone     []string
		wantRequests map[string]int
	}{
		{
			name: "selector finds every node", names: []string{"a", "b"}, selector: "pool=x",
			wantVisited: []string{"a", "b"}, wantRequests: map[string]int{"list": 1},
		},
		{
			name: "a node that lost the label is read by name", nodes: []string{"c"}, names: []string{"a", "b", "c", "gone"},
			selector: "pool=x", wantVisited: []string{"a", "b", "c"}, wantGone: []string{"gone"},
			wantRequests: map[string]int{"list": 1, "get": 2},
		},
		{
			name: "one named node is one GET", names: []string{"a"},
			wantVisited: []string{"a"}, wantRequests: map[string]int{"get": 1},
		},
		{
			name: "many nodes off the selector: one listing of all nodes", nodes: manyNodes,
			names: append([]string{"a"}, many...), selector: "pool=x",
			wantVisited: append([]string{"a"}, manyNodes...), wantGone: many[maxGets:],
			wantRequests: map[string]int{"list": 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := []runtime.Object{poolNode("a", pool), poolNode("b", pool)}
			for _, n := range tt.nodes {
				objs = append(objs, poolNode(n, nil))
			}
			cs := fake.NewClientset(objs...)
			var visited []string
			gone, err := VisitNamedNodes(context.Background(), cs, tt.names, tt.selector, func(n *corev1.Node) error {
				visited = append(visited, n.Name)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(visited)
			sort.Strings(tt.wantVisited)
			if diff := cmp.Diff(tt.wantVisited, visited); diff != "" {
				t.Errorf("visited (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantGone, gone); diff != "" {
				t.Errorf("gone (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRequests, requests(cs)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}
