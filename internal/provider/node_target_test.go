package provider

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

func TestDroppedNodes(t *testing.T) {
	tests := []struct {
		name          string
		before, after []string
		want          []string
	}{
		{name: "created", after: []string{"n0"}},
		{name: "unchanged", before: []string{"n0", "n1"}, after: []string{"n0", "n1"}},
		{name: "a node joined", before: []string{"n0"}, after: []string{"n0", "n1"}},
		{name: "a node left the selector", before: []string{"n0", "n1", "n2"}, after: []string{"n1"}, want: []string{"n0", "n2"}},
		{name: "destroyed", before: []string{"n1", "n0"}, want: []string{"n1", "n0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, droppedNodes(tt.before, tt.after)); diff != "" {
				t.Errorf("droppedNodes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetGone(t *testing.T) {
	tests := []struct {
		name     string
		nodeName types.String
		present  []string
		want     bool
	}{
		{name: "named node deleted", nodeName: types.StringValue("n0"), want: true},
		{name: "named node present", nodeName: types.StringValue("n0"), present: []string{"n0"}},
		{name: "selector matches nothing now", nodeName: types.StringNull()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := targetGone(tt.nodeName, tt.present); got != tt.want {
				t.Errorf("targetGone = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNodeTargetDescriptions(t *testing.T) {
	attrs := taintsTarget.attributes("id", "force")
	for name, want := range map[string]string{
		"node_name": "The node to taint. Exactly one of `node_name` and `node_selector`.",
		"nodes":     "The tainted nodes, sorted, as resolved at plan time.",
	} {
		if got := attrs[name].GetMarkdownDescription(); got != want {
			t.Errorf("%s: description %q, want %q", name, got, want)
		}
	}
	if got := labelsTarget.attributes("id", "force")["node_selector"].GetMarkdownDescription(); got[:31] != "Label every node whose labels i" {
		t.Errorf("node_selector description %q does not start with the verb", got)
	}
}

func TestRecordedNodes(t *testing.T) {
	conflict := &k8s.ConflictError{Object: k8s.NodeObject("x"), What: k8s.WhatLabel, Conflicts: []k8s.Conflict{{Key: "env"}}}
	timeout := errors.New("context deadline exceeded")
	fail := func(nodeErr ...any) []k8s.NodeError {
		var out []k8s.NodeError
		for i := 0; i < len(nodeErr); i += 2 {
			out = append(out, k8s.NodeError{Node: nodeErr[i].(string), Err: nodeErr[i+1].(error)})
		}
		return out
	}
	tests := []struct {
		name                   string
		before, apply, release []string
		failed                 []k8s.NodeError
		want                   []string
	}{
		{name: "all done", apply: []string{"b", "a"}, want: []string{"a", "b"}},
		{
			name: "create: a conflict changed nothing, a timeout may have written", apply: []string{"a", "b", "c"},
			failed: fail("a", conflict, "b", timeout), want: []string{"b", "c"},
		},
		{
			name: "update: an old node that failed still holds the old labels", before: []string{"a", "b"},
			apply: []string{"a", "b", "c"}, failed: fail("b", conflict, "c", conflict), want: []string{"a", "b"},
		},
		{
			name: "update: a node deleted since the plan", before: []string{"a", "b"},
			apply: []string{"a", "b"}, failed: fail("b", k8s.ErrNodeNotFound), want: []string{"a"},
		},
		{
			name: "update: released nodes leave the state unless the release failed", before: []string{"a", "b", "c"},
			apply: []string{"a"}, release: []string{"b", "c"}, failed: fail("c", timeout), want: []string{"a", "c"},
		},
		{
			name: "destroy: the nodes still to be released", before: []string{"a", "b", "c"},
			release: []string{"a", "b", "c"}, failed: fail("a", timeout, "c", conflict), want: []string{"a", "c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, recordedNodes(tt.before, tt.apply, tt.release, tt.failed)); diff != "" {
				t.Errorf("recordedNodes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddFailures(t *testing.T) {
	var failed []k8s.NodeError
	for i := range 25 {
		var err error = &k8s.ConflictError{Object: k8s.NodeObject("n"), What: k8s.WhatLabel, Conflicts: []k8s.Conflict{{Key: "env"}}}
		if i%5 == 0 {
			err = k8s.ErrNodeNotFound
		}
		failed = append(failed, k8s.NodeError{Node: fmt.Sprintf("n%02d", i), Err: err})
	}
	tests := []struct {
		name      string
		failed    []k8s.NodeError
		wantDiags int
		wantLast  string
	}{
		{name: "each of a few nodes", failed: failed[:3], wantDiags: 3, wantLast: "n02"},
		{name: "ten in full", failed: failed[:10], wantDiags: 10, wantLast: "n09"},
		{
			name: "then one for the others", failed: failed, wantDiags: 11,
			wantLast: "And 15 more nodes could not be labelled (12 conflicts, 3 nodes gone, 0 other errors): n10, " +
				"n11, n12, n13, n14, n15, n16, n17, n18, n19, n20, n21, n22, n23, n24. The diagnostics above show the " +
				"first 10; for instance, the next one failed with: node not found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			labelsTarget.addFailures(&diags, tt.failed, func(diags *diag.Diagnostics, f k8s.NodeError) {
				diags.AddError("Failed", f.Node)
			})
			if len(diags) != tt.wantDiags {
				t.Fatalf("%d diagnostics, want %d: %v", len(diags), tt.wantDiags, diags)
			}
			if got := diags[len(diags)-1].Detail(); got != tt.wantLast {
				t.Errorf("last diagnostic\n got: %s\nwant: %s", got, tt.wantLast)
			}
		})
	}
}
