package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	appsv1 "k8s.io/api/apps/v1"
)

// daemonSetResourceModel is the state of kubedaemon_daemonset. Metadata and
// Spec stay framework objects: they mirror the Kubernetes API field for
// field, and daemonset_convert.go maps them to and from appsv1.DaemonSet by
// name, driven by their types, instead of through hundreds of hand-written
// struct fields.
type daemonSetResourceModel struct {
	ID                types.String   `tfsdk:"id"`
	Metadata          types.Object   `tfsdk:"metadata"`
	Spec              types.Object   `tfsdk:"spec"`
	WaitForRollout    types.Bool     `tfsdk:"wait_for_rollout"`
	FailFast          types.Bool     `tfsdk:"fail_fast"`
	StuckGrace        types.String   `tfsdk:"stuck_grace"`
	SkipNotReadyNodes types.Bool     `tfsdk:"skip_not_ready_nodes"`
	ForceConflicts    types.Bool     `tfsdk:"force_conflicts"`
	DeletePropagation types.String   `tfsdk:"delete_propagation"`
	Status            types.Object   `tfsdk:"status"`
	Rollout           types.Object   `tfsdk:"rollout"`
	RolloutStatus     types.Object   `tfsdk:"rollout_status"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

var daemonSetStatusAttrTypes = map[string]attr.Type{
	"desired":             types.Int64Type,
	"current":             types.Int64Type,
	"ready":               types.Int64Type,
	"updated":             types.Int64Type,
	"available":           types.Int64Type,
	"misscheduled":        types.Int64Type,
	"observed_generation": types.Int64Type,
}

func statusValue(s appsv1.DaemonSetStatus) types.Object {
	return types.ObjectValueMust(daemonSetStatusAttrTypes, statusAttrs(s, daemonSetStatusAttrTypes))
}

// statusAttrs are the counters of a DaemonSet's status that attrTypes
// names, as the status of kubedaemon_daemonset and the daemonset_status of
// kubedaemon_preset show them.
func statusAttrs(s appsv1.DaemonSetStatus, attrTypes map[string]attr.Type) map[string]attr.Value {
	all := map[string]int64{
		"desired":             int64(s.DesiredNumberScheduled),
		"current":             int64(s.CurrentNumberScheduled),
		"ready":               int64(s.NumberReady),
		"updated":             int64(s.UpdatedNumberScheduled),
		"available":           int64(s.NumberAvailable),
		"misscheduled":        int64(s.NumberMisscheduled),
		"observed_generation": s.ObservedGeneration,
	}
	out := make(map[string]attr.Value, len(attrTypes))
	for name := range attrTypes {
		out[name] = types.Int64Value(all[name])
	}
	return out
}
