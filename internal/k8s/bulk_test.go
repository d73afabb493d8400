package k8s

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func nodeNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("n%02d", i)
	}
	return out
}

func TestForEachNode(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name     string
		nodes    []string
		parallel int
		cancel   bool
		fail     map[string]bool
		want     []string // failed nodes
	}{
		{name: "every node done", nodes: nodeNames(40), parallel: 4},
		{name: "no nodes", parallel: 4},
		{name: "failures sorted by node", nodes: nodeNames(30), parallel: 8,
			fail: map[string]bool{"n29": true, "n03": true, "n17": true}, want: []string{"n03", "n17", "n29"}},
		{name: "default parallelism", nodes: nodeNames(20), fail: map[string]bool{"n00": true}, want: []string{"n00"}},
		{name: "cancelled context fails every node", nodes: nodeNames(5), parallel: 2, cancel: true, want: nodeNames(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			var running, peak, calls atomic.Int64
			failed := ForEachNode(ctx, tt.nodes, EachOptions{Parallel: tt.parallel}, func(ctx context.Context, node string) error {
				calls.Add(1)
				now := running.Add(1)
				defer running.Add(-1)
				for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				if tt.fail[node] {
					return boom
				}
				return nil
			})
			var got []string
			for _, f := range failed {
				got = append(got, f.Node)
				if !tt.cancel && !errors.Is(f, boom) {
					t.Errorf("%s failed with %v, want boom", f.Node, f.Err)
				}
				if tt.cancel && !errors.Is(f, context.Canceled) {
					t.Errorf("%s failed with %v, want context.Canceled", f.Node, f.Err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("failed nodes (-want +got):\n%s", diff)
			}
			bound := int64(tt.parallel)
			if bound < 1 {
				bound = DefaultMaxParallel
			}
			if peak.Load() > bound {
				t.Errorf("%d calls ran at once, want at most %d", peak.Load(), bound)
			}
			if !tt.cancel && calls.Load() != int64(len(tt.nodes)) {
				t.Errorf("%d calls, want one per node (%d)", calls.Load(), len(tt.nodes))
			}
		})
	}
}

// TestForEachNodeProgress: the second node waits until progress was
// reported for the first, so the test needs no timing.
func TestForEachNodeProgress(t *testing.T) {
	reported := make(chan [2]int, 10)
	opts := EachOptions{
		Parallel:      1,
		ProgressEvery: time.Millisecond,
		Progress:      func(done, total int) { reported <- [2]int{done, total} },
	}
	var first [2]int
	failed := ForEachNode(context.Background(), []string{"a", "b"}, opts, func(_ context.Context, node string) error {
		if node == "b" {
			first = <-reported
		}
		return nil
	})
	if len(failed) > 0 {
		t.Fatalf("failed: %v", failed)
	}
	if first != [2]int{1, 2} {
		t.Errorf("first progress = %v, want [1 2]", first)
	}
}
