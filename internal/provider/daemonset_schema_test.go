package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Pod affinity terms appear both as required terms and inside preferred
// terms; relaxing Required for the single block of the preferred terms must
// leave topology_key required in the list of required terms.
func TestDaemonSetSchemaPodAffinityTopologyKeyRequired(t *testing.T) {
	s := daemonSetSchemaV0(context.Background())
	block := func(b schema.Block, name string) schema.Block {
		t.Helper()
		var blocks map[string]schema.Block
		switch b := b.(type) {
		case schema.SingleNestedBlock:
			blocks = b.Blocks
		case schema.ListNestedBlock:
			blocks = b.NestedObject.Blocks
		default:
			t.Fatalf("%s: unexpected block %T", name, b)
		}
		next, ok := blocks[name]
		if !ok {
			t.Fatalf("no block %q", name)
		}
		return next
	}
	podSpec := block(block(s.Blocks["spec"], "template"), "spec")
	for _, kind := range []string{"pod_affinity", "pod_anti_affinity"} {
		terms := block(block(block(podSpec, "affinity"), kind), "required_during_scheduling_ignored_during_execution")
		list, ok := terms.(schema.ListNestedBlock)
		if !ok {
			t.Fatalf("%s required terms: %T, want a list block", kind, terms)
		}
		topology, ok := list.NestedObject.Attributes["topology_key"].(schema.StringAttribute)
		if !ok || !topology.Required {
			t.Errorf("%s: topology_key of a required term is not required", kind)
		}
	}
}
