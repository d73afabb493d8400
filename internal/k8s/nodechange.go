package k8s

import (
	"context"
	"errors"
	"sort"

	corev1 "k8s.io/api/core/v1"
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

// changeNodes reads the nodes of apply and release with r (see
// VisitNamedNodes), then writes, in parallel (opts), those that step.read says
// need it. A node of apply that does not exist fails with ErrNodeNotFound;
// one of release is done: there is nothing left to release on it.
func changeNodes(ctx context.Context, r NodeReader, apply, release []string, selector string, opts EachOptions, step bulkStep) (BulkResult, error) {
	releasing := make(map[string]bool, len(release))
	for _, n := range release {
		releasing[n] = true
	}
	names := append(append(make([]string, 0, len(apply)+len(release)), apply...), release...)
	var res BulkResult
	var todo []string
	gone, err := r.VisitNamed(ctx, names, selector, func(n *corev1.Node) error {
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
