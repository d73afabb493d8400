package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
)

// csiNodeState is the state of the CSI node DaemonSet as the framework sets
// it from the model (the path Create, Update and Read took before they set
// the state's value directly).
func csiNodeState(t *testing.T) (tfsdk.State, daemonSetResourceModel) {
	t.Helper()
	ctx := context.Background()
	live := csiNodeDaemonSet()
	mask, err := toJSONMap(live)
	if err != nil {
		t.Fatal(err)
	}
	var m daemonSetResourceModel
	if diags := daemonSetToModel(ctx, live, mask, &m); diags.HasError() {
		t.Fatal(diags)
	}
	str := types.StringType
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": str, "update": str, "delete": str})}
	m.WaitForRollout = types.BoolValue(true)
	m.DeletePropagation = types.StringValue("Foreground")
	rolloutType, _ := daemonSetSchemaV0(ctx).Blocks["rollout"].Type().(types.ObjectType)
	m.Rollout = types.ObjectNull(rolloutType.AttrTypes)
	m.RolloutStatus = types.ObjectNull(rolloutStatusAttrTypes)
	st := tfsdk.State{Schema: withBlockTypes(daemonSetSchemaV0(ctx))}
	if diags := st.Set(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	return st, m
}

// TestDaemonSetStateFromLive: the state that Read and the apply set from a
// live DaemonSet is the one the framework sets from the model, for a
// DaemonSet changed behind Terraform's back (a managed field and a default).
func TestDaemonSetStateFromLive(t *testing.T) {
	ctx := context.Background()
	prior, m := csiNodeState(t)
	p, err := priorDaemonSet(prior.Raw)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := modelDocument(&m)
	if diff := cmp.Diff(want, p.document); diff != "" {
		t.Errorf("mask of the prior state (-modelDocument +document):\n%s", diff)
	}
	if p.ID.ValueString() != "hwameistor/hwameistor-local-disk-manager" || p.Spec.IsNull() {
		t.Errorf("prior id = %s, spec null = %t", p.ID, p.Spec.IsNull())
	}

	live := csiNodeDaemonSet()
	live.Spec.Template.Spec.Containers[1].Image = "local-disk-manager:v0.7.0"
	live.Spec.Template.Spec.DNSPolicy = corev1.DNSClusterFirst
	live.Status.DesiredNumberScheduled, live.Status.NumberReady = 3, 2

	got := tfsdk.State{Schema: prior.Schema}
	var diags diag.Diagnostics
	if setDaemonSetState(ctx, prior.Raw, live, p.document, &got, &diags); diags.HasError() {
		t.Fatal(diags)
	}
	if diags := daemonSetToModel(ctx, live, p.document, &m); diags.HasError() {
		t.Fatal(diags)
	}
	wantState := tfsdk.State{Schema: prior.Schema}
	if diags := wantState.Set(ctx, &m); diags.HasError() {
		t.Fatal(diags)
	}
	if !got.Raw.Equal(wantState.Raw) {
		diffs, _ := got.Raw.Diff(wantState.Raw)
		t.Errorf("state from live differs from the model's at %d values, e.g. %v", len(diffs), diffs[0])
	}
}

// TestWithBlockTypes: kept block types change no type, and every nested
// block of the DaemonSet schema has one.
func TestWithBlockTypes(t *testing.T) {
	ctx := context.Background()
	plain := daemonSetSchemaV0(ctx)
	kept := withBlockTypes(plain)
	if !kept.Type().Equal(plain.Type()) {
		t.Fatal("the schema's type changed")
	}
	if !kept.Type().TerraformType(ctx).Equal(plain.Type().TerraformType(ctx)) {
		t.Fatal("the schema's terraform type changed")
	}
	var missing []string
	var walk func(prefix string, blocks map[string]schema.Block)
	walk = func(prefix string, blocks map[string]schema.Block) {
		for name, b := range blocks {
			switch b := b.(type) {
			case schema.SingleNestedBlock:
				if b.CustomType == nil {
					missing = append(missing, prefix+name)
				}
				walk(prefix+name+".", b.Blocks)
			case schema.ListNestedBlock:
				if b.NestedObject.CustomType == nil {
					missing = append(missing, prefix+name)
				}
				walk(prefix+name+".", b.NestedObject.Blocks)
			}
		}
	}
	walk("", kept.Blocks)
	if len(missing) > 0 {
		t.Errorf("blocks without a kept type: %v", missing)
	}
}
