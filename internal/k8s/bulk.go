package k8s

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// DefaultMaxParallel is how many node writes run at once unless the caller
// says otherwise. The client's rate limiter (QPS, burst) is what paces the
// writes; this only bounds the requests in flight, so that a slow API server
// sees a queue of a few requests rather than thousands of open connections.
// 16 keeps the local cluster's apiserver (two cores) saturated at the default
// rate limits; more did not write faster there.
const DefaultMaxParallel = 16

// DefaultProgressEvery is how often ForEachNode reports progress.
const DefaultProgressEvery = 5 * time.Second

// EachOptions tune ForEachNode.
type EachOptions struct {
	// Parallel bounds the calls that run at once; below 1 means
	// DefaultMaxParallel.
	Parallel int
	// Progress, when set, is called with the number of nodes done so far
	// every ProgressEvery while the calls run, when that number changed.
	Progress func(done, total int)
	// ProgressEvery defaults to DefaultProgressEvery.
	ProgressEvery time.Duration
}

// NodeError is the failure of an operation on one node.
type NodeError struct {
	Node string
	Err  error
}

func (e NodeError) Error() string { return fmt.Sprintf("node %s: %v", e.Node, e.Err) }

func (e NodeError) Unwrap() error { return e.Err }

// ForEachNode calls do once for each node, at most opts.Parallel at a time,
// and returns the nodes on which it failed, sorted by node. When ctx ends,
// the nodes not started yet fail with ctx's error, so that every node is
// either done or in the result.
func ForEachNode(ctx context.Context, nodes []string, opts EachOptions, do func(ctx context.Context, node string) error) []NodeError {
	parallel := opts.Parallel
	if parallel < 1 {
		parallel = DefaultMaxParallel
	}
	var (
		mu     sync.Mutex
		failed []NodeError
		done   atomic.Int64
	)
	fail := func(node string, err error) {
		mu.Lock()
		failed = append(failed, NodeError{Node: node, Err: err})
		mu.Unlock()
	}
	stop := reportProgress(opts, &done, len(nodes))
	// NOTE: a plain errgroup.Group, not WithContext: one node's failure
	// must not cancel the others, since the caller records exactly which
	// nodes were changed. Errors go to failed; the group only bounds the
	// calls in flight (Go blocks while parallel of them run).
	var g errgroup.Group
	g.SetLimit(parallel)
	for i, node := range nodes {
		if err := ctx.Err(); err != nil {
			for _, n := range nodes[i:] {
				fail(n, err)
			}
			break
		}
		g.Go(func() error {
			if err := do(ctx, node); err != nil {
				fail(node, err)
			}
			done.Add(1)
			return nil
		})
	}
	_ = g.Wait() // every call returns nil; failures are in failed
	stop()
	sort.Slice(failed, func(i, j int) bool { return failed[i].Node < failed[j].Node })
	return failed
}

// reportProgress calls opts.Progress every opts.ProgressEvery, when done
// moved, until the returned function is called.
func reportProgress(opts EachOptions, done *atomic.Int64, total int) (stop func()) {
	if opts.Progress == nil {
		return func() {}
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = DefaultProgressEvery
	}
	quit, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		tick := time.NewTicker(every)
		defer tick.Stop()
		last := int64(0)
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
				if n := done.Load(); n != last {
					last = n
					opts.Progress(int(n), total)
				}
			}
		}
	}()
	return func() { close(quit); <-exited }
}
