package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithMoveState = (*nodeLabelsResource)(nil)

// MoveState takes over a kubernetes_labels of kind Node (hashicorp/kubernetes)
// with a `moved` block. The moved instance keeps the field manager that owns
// the labels (hashicorp/kubernetes's field_manager, "Terraform" by default):
// its keys stay its own, removing one from the configuration removes it
// from the node, and the node's other labels are not touched.
func (r *nodeLabelsResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveNodeLabelsState}}
}

func moveNodeLabelsState(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if !fromKubernetesProvider(req.SourceProviderAddress) || req.SourceTypeName != "kubernetes_labels" {
		return
	}
	if req.SourceSchemaVersion != 0 {
		resp.Diagnostics.AddError("Unsupported Source Schema Version",
			fmt.Sprintf("kubernetes_labels has schema version %d in this state; kubedaemon_node_labels moves "+
				"version 0. Please report the provider version that wrote it.", req.SourceSchemaVersion))
		return
	}
	raw, err := rawStateObject(req)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Source State", err.Error())
		return
	}
	if kind, apiVersion := raw["kind"], raw["api_version"]; kind != "Node" || apiVersion != "v1" {
		resp.Diagnostics.AddError("Only Node Labels Move",
			fmt.Sprintf("This kubernetes_labels labels a %v (%v); kubedaemon_node_labels labels nodes only. Keep "+
				"it in hashicorp/kubernetes, or remove the moved block.", kind, apiVersion))
		return
	}
	node := movedNodeName(raw)
	labels := map[string]string{}
	if m, ok := raw["labels"].(map[string]any); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				labels[k] = s
			}
		}
	}
	manager, _ := raw["field_manager"].(string)
	if manager == "" {
		manager = "Terraform"
	}
	if node == "" || len(labels) == 0 {
		resp.Diagnostics.AddError("Cannot Move Node Labels",
			"The kubernetes_labels state names no node or no labels; apply it with hashicorp/kubernetes first.")
		return
	}
	id, err := newInstanceID()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Move Node Labels", err.Error())
		return
	}
	force, _ := raw["force"].(bool)
	lm, diags := types.MapValueFrom(ctx, types.StringType, labels)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &nodeLabelsResourceModel{
		ID:             types.StringValue(id),
		NodeName:       types.StringValue(node),
		NodeSelector:   types.MapNull(types.StringType),
		Labels:         lm,
		ForceConflicts: types.BoolValue(force),
		FieldManager:   types.StringValue(manager),
		Nodes:          nodeListOf([]string{node}),
	})...)
}

// movedNodeName is metadata[0].name of a hashicorp/kubernetes state.
func movedNodeName(raw map[string]any) string {
	md, _ := raw["metadata"].([]any)
	if len(md) == 0 {
		return ""
	}
	m, _ := md[0].(map[string]any)
	name, _ := m["name"].(string)
	return name
}
