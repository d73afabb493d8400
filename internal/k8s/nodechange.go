package k8s

import (
	"context"
	"errors"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
)

// BulkResult is what a change over many nodes did.
type BulkResult struct {
	// Done lists the nodes that are as wanted now, sorted: written to,
	// already as wanted, or (when releasing) gone.
	Done []string
	// Failed lists the other nodes, sorted by node.
	Failed []NodeError
}

// Unchanged reports whether a failed write left the node as it was: a
// conflict refused before anything was written, or a node that is gone.
// Any other error (a timeout, say) may have come after the write took
// effect.
func Unchanged(err error) bool {
	var ce *ConflictError
	return errors.As(err, &ce) || errors.Is(err, ErrNodeNotFound)
}

// bulkStep is how one kind of change reads and writes a node.
type bulkStep struct {
	// read sees each node once, during the listing, and says whether it
	// needs a write; an error fails the node without a write. read runs on
	// one goroutine and must not keep the node.
	read func(n *corev1.Node, release bool) (bool, error)
	// write writes one node; it runs in parallel with other writes.
	write func(ctx context.Context, node string, release bool) error
}

// nodeVisitor reads the nodes of names as VisitNamedNodes does.
type nodeVisitor func(ctx context.Context, names []string, selector string, visit func(*corev1.Node) error) (gone []string, err error)

// wholeNodes visits whole nodes (VisitNamedNodes).
func wholeNodes(cs kubernetes.Interface) nodeVisitor {
	return func(ctx context.Context, names []string, selector string, visit func(*corev1.Node) error) ([]string, error) {
		return VisitNamedNodes(ctx, cs, names, selector, visit)
	}
}

// nodeMetadata visits the nodes' metadata alone (VisitNamedNodeMetadata),
// each as a Node whose spec and status are empty.
func nodeMetadata(mc metadata.Interface) nodeVisitor {
	return func(ctx context.Context, names []string, selector string, visit func(*corev1.Node) error) ([]string, error) {
		return VisitNamedNodeMetadata(ctx, mc, names, selector, func(m *metav1.PartialObjectMetadata) error {
			return visit(&corev1.Node{ObjectMeta: m.ObjectMeta})
		})
	}
}

// changeNodes reads the nodes of apply and release (see VisitNamedNodes)
// with readNodes, then writes, in parallel (opts), those that step.read says
// need it. A node of apply that does not exist fails with ErrNodeNotFound;
// one of release is done: there is nothing left to release on it.
func changeNodes(ctx context.Context, readNodes nodeVisitor, apply, release []string, selector string, opts EachOptions, step bulkStep) (BulkResult, error) {
	releasing := make(map[string]bool, len(release))
	for _, n := range release {
		releasing[n] = true
	}
	names := append(append(make([]string, 0, len(apply)+len(release)), apply...), release...)
	var res BulkResult
	var todo []string
	gone, err := readNodes(ctx, names, selector, func(n *corev1.Node) error {
		write, err := step.read(n, releasing[n.Name])
		switch {
		case err != nil:
			res.Failed = append(res.Failed, NodeError{Node: n.Name, Err: err})
		case write:
			todo = append(todo, n.Name)
		default:
			res.Done = append(res.Done, n.Name)
		}
		return nil
	})
	if err != nil {
		return BulkResult{}, err
	}
	for _, n := range gone {
		if releasing[n] {
			res.Done = append(res.Done, n)
			continue
		}
		res.Failed = append(res.Failed, NodeError{Node: n, Err: ErrNodeNotFound})
	}
	failed := ForEachNode(ctx, todo, opts, func(ctx context.Context, node string) error {
		return step.write(ctx, node, releasing[node])
	})
	res.Failed = append(res.Failed, failed...)
	bad := make(map[string]bool, len(failed))
	for _, f := range failed {
		bad[f.Node] = true
	}
	for _, n := range todo {
		if !bad[n] {
			res.Done = append(res.Done, n)
		}
	}
	sort.Strings(res.Done)
	sort.Slice(res.Failed, func(i, j int) bool { return res.Failed[i].Node < res.Failed[j].Node })
	return res, nil
}
