package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// BenchmarkDaemonSetTail times, in-process, what Create, Update and Read do
// with a DaemonSet once the cluster has answered, for the DaemonSet of a CSI
// node driver (two containers, volumes, probes): "apply" is the mask of the
// plan and the state from the live object (the tail of Create and Update
// after the wait), "read" the same from the prior state (Read, at every
// refresh). The other steps are their parts.
func BenchmarkDaemonSetTail(b *testing.B) {
	ctx := context.Background()
	live := csiNodeDaemonSet()
	mask, err := toJSONMap(live)
	if err != nil {
		b.Fatal(err)
	}
	var plan daemonSetResourceModel
	if diags := daemonSetToModel(ctx, live, mask, &plan); diags.HasError() {
		b.Fatal(diags)
	}
	str := types.StringType
	plan.Timeouts = timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": str, "update": str, "delete": str})}
	state := tfsdk.State{Schema: daemonSetSchemaV0(ctx)}
	if diags := state.Set(ctx, &plan); diags.HasError() {
		b.Fatal(diags)
	}
	codecs, err := daemonSetCodecsOnce()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("mask", func(b *testing.B) {
		for range b.N {
			modelDocument(&plan)
		}
	})
	b.Run("prior", func(b *testing.B) {
		for range b.N {
			if _, err := priorDaemonSet(state.Raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("to-state", func(b *testing.B) {
		for range b.N {
			if _, err := codecs.withLive(ctx, state.Raw, live, mask); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		for range b.N {
			mk, _ := modelDocument(&plan)
			out := tfsdk.State{Schema: state.Schema}
			var diags diag.Diagnostics
			if setDaemonSetState(ctx, state.Raw, live, mk, &out, &diags); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		for range b.N {
			prior, err := priorDaemonSet(state.Raw)
			if err != nil {
				b.Fatal(err)
			}
			out := tfsdk.State{Schema: state.Schema}
			var diags diag.Diagnostics
			if setDaemonSetState(ctx, state.Raw, live, prior.document, &out, &diags); diags.HasError() {
				b.Fatal(diags)
			}
		}
	})
}
