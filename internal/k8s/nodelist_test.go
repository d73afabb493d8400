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
	metadatafake "k8s.io/client-go/metadata/fake"
	k8stesting "k8s.io/client-go/testing"
)

func poolNode(name string, labels map[string]string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), Labels: labels, ResourceVersion: "1"}}
}

// metadataClient is a fake metadata client that holds the metadata of nodes.
func metadataClient(t *testing.T, nodes ...*corev1.Node) *metadatafake.FakeMetadataClient {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := metav1.AddMetaToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	objs := make([]runtime.Object, len(nodes))
	for i, n := range nodes {
		objs[i] = &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Node"}, ObjectMeta: n.ObjectMeta}
	}
	return metadatafake.NewSimpleMetadataClient(scheme, objs...)
}

// requests counts the fake clientset's requests by verb.
func requests(cs *fake.Clientset) map[string]int {
	return countVerbs(cs.Actions())
}

// countVerbs counts a fake client's requests by verb.
func countVerbs(actions []k8stesting.Action) map[string]int {
	out := map[string]int{}
	for _, a := range actions {
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
	// Each case runs with whole nodes (VisitNamedNodes) and with their
	// metadata alone (VisitNamedNodeMetadata): the same requests, fewer bytes.
	sources := map[string]func(t *testing.T, nodes []*corev1.Node, names []string, selector string) (visited, gone []string, requests map[string]int){
		"nodes": func(t *testing.T, nodes []*corev1.Node, names []string, selector string) ([]string, []string, map[string]int) {
			objs := make([]runtime.Object, len(nodes))
			for i, n := range nodes {
				objs[i] = n
			}
			cs := fake.NewClientset(objs...)
			var visited []string
			gone, err := VisitNamedNodes(context.Background(), cs, names, selector, func(n *corev1.Node) error {
				visited = append(visited, n.Name)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return visited, gone, countVerbs(cs.Actions())
		},
		"metadata": func(t *testing.T, nodes []*corev1.Node, names []string, selector string) ([]string, []string, map[string]int) {
			mc := metadataClient(t, nodes...)
			var visited []string
			gone, err := VisitNamedNodeMetadata(context.Background(), mc, names, selector, func(m *metav1.PartialObjectMetadata) error {
				visited = append(visited, m.Name)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return visited, gone, countVerbs(mc.Actions())
		},
	}
	for _, tt := range tests {
		for source, visit := range sources {
			t.Run(tt.name+"/"+source, func(t *testing.T) {
				nodes := []*corev1.Node{poolNode("a", pool), poolNode("b", pool)}
				for _, n := range tt.nodes {
					nodes = append(nodes, poolNode(n, nil))
				}
				visited, gone, reqs := visit(t, nodes, tt.names, tt.selector)
				sort.Strings(visited)
				sort.Strings(tt.wantVisited)
				if diff := cmp.Diff(tt.wantVisited, visited); diff != "" {
					t.Errorf("visited (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantGone, gone); diff != "" {
					t.Errorf("gone (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.wantRequests, reqs); diff != "" {
					t.Errorf("requests (-want +got):\n%s", diff)
				}
			})
		}
	}
}
