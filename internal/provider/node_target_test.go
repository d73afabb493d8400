package provider

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
