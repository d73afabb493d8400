package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithMoveState = (*nodeTaintsResource)(nil)

// MoveState takes over a kubernetes_node_taint (hashicorp/kubernetes) with a
// `moved` block. The taints of the state become this instance's: its first
// apply records them in its owner annotation (a taint it held before is its
// own, see k8s.ApplyNodeTaints), and the node's other taints are not
// touched.
func (r *nodeTaintsResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveNodeTaintsState}}
}

func moveNodeTaintsState(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if !fromKubernetesProvider(req.SourceProviderAddress) || req.SourceTypeName != "kubernetes_node_taint" {
		return
	}
	if req.SourceSchemaVersion != 0 {
		resp.Diagnostics.AddError("Unsupported Source Schema Version",
			fmt.Sprintf("kubernetes_node_taint has schema version %d in this state; kubedaemon_node_taints moves "+
				"version 0. Please report the provider version that wrote it.", req.SourceSchemaVersion))
		return
	}
	raw, err := rawStateObject(req)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Source State", err.Error())
		return
	}
	node := movedNodeName(raw)
	list, _ := raw["taint"].([]any)
	if node == "" || len(list) == 0 {
		resp.Diagnostics.AddError("Cannot Move Node Taints",
			"The kubernetes_node_taint state names no node or no taint; apply it with hashicorp/kubernetes first.")
		return
	}
	taints := make([]attr.Value, 0, len(list))
	for _, e := range list {
		t, _ := e.(map[string]any)
		str := func(k string) types.String {
			// hashicorp/kubernetes writes "" for a taint without a value;
			// kubedaemon leaves it null.
			if s, ok := t[k].(string); ok && s != "" {
				return types.StringValue(s)
			}
			return types.StringNull()
		}
		v, diags := types.ObjectValue(nodeTaintObjectType.AttrTypes, map[string]attr.Value{
			"key": str("key"), "value": str("value"), "effect": str("effect"),
		})
		resp.Diagnostics.Append(diags...)
		taints = append(taints, v)
	}
	id, err := newInstanceID()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Move Node Taints", err.Error())
		return
	}
	tl, diags := types.ListValue(nodeTaintObjectType, taints)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &nodeTaintsResourceModel{
		ID:           types.StringValue(id),
		NodeName:     types.StringValue(node),
		NodeSelector: types.MapNull(types.StringType),
		Taint:        tl,
		// hashicorp/kubernetes's force is about other clients' taints,
		// which kubedaemon never conflicts with (it merges); its
		// force_conflicts is about other kubedaemon instances' taints.
		ForceConflicts: types.BoolValue(false),
		Nodes:          nodeListOf([]string{node}),
	})...)
}
