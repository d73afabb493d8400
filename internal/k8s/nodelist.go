package k8s

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// maxGets is how many nodes VisitNamedNodes reads one by one before it lists
// all nodes instead: a GET costs one request, a listing of every node one
// request per PageSize nodes but far more bytes, so single reads win for the
// few nodes that left a selector.
const maxGets = 50

// VisitNamedNodes calls visit once with each node of names that exists, and
// returns the names of those that do not. selector is the label selector
// that most of the nodes are expected to match (the node_selector they were
// chosen by, "" when there is none): one paged LIST with it finds them; then
// the names it did not return (nodes that lost the label) are read one GET
// each, or, when there are more than a few, by one paged LIST of all nodes.
// A single named node is one GET. visit must not keep the node.
func VisitNamedNodes(ctx context.Context, cs kubernetes.Interface, names []string, selector string, visit func(*corev1.Node) error) (gone []string, err error) {
	missing := make(map[string]bool, len(names))
	for _, n := range names {
		missing[n] = true
	}
	pick := func(n *corev1.Node) error {
		if !missing[n.Name] {
			return nil
		}
		delete(missing, n.Name)
		return visit(n)
	}
	if selector != "" && len(names) > 0 {
		if err := EachNode(ctx, cs, metav1.ListOptions{LabelSelector: selector}, pick); err != nil {
			return nil, fmt.Errorf("list nodes with labels %s: %w", selector, err)
		}
	}
	listedAll := len(missing) > maxGets
	if listedAll {
		if err := EachNode(ctx, cs, metav1.ListOptions{}, pick); err != nil {
			return nil, fmt.Errorf("list nodes: %w", err)
		}
	}
	for _, name := range names {
		if !missing[name] {
			continue
		}
		if listedAll {
			gone = append(gone, name)
			continue
		}
		n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			gone = append(gone, name)
			continue
		case err != nil:
			return nil, fmt.Errorf("get node %s: %w", name, err)
		}
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return gone, nil
}
