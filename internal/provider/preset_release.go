package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// This file turns what internal/release returns into kubedaemon_preset's
// diagnostics, so that each message is written once.

// presetInventory is the release inventory id, logging each object it
// applies or deletes.
func presetInventory(rc *rollout.Client, id string) *release.Inventory {
	return &release.Inventory{Client: rc, ID: id, Log: func(ctx context.Context, msg, key string) {
		tflog.Debug(ctx, msg, map[string]any{"object": key})
	}}
}

// addNamespaceDiag reports a namespace that create_namespace could not create.
func addNamespaceDiag(diags *diag.Diagnostics, err error) {
	diags.AddAttributeError(path.Root("create_namespace"), "Cannot Create Namespace", err.Error())
}

// addOwnershipDiags reports what release.Inventory.CheckOwnership found.
func addOwnershipDiags(diags *diag.Diagnostics, id string, errs []error) {
	for _, err := range errs {
		var owned *release.OwnedElsewhereError
		if !errors.As(err, &owned) {
			var re *release.ReadError
			key := "the preset's objects"
			if errors.As(err, &re) {
				key = re.Key
			}
			diags.AddError("Cannot Read Object", fmt.Sprintf("%s\n\nkubedaemon reads every object of the "+
				"preset before it applies any, to make sure it overwrites nobody's object. Check that the "+
				"provider's credentials may get %s, then apply again.", err, key))
			continue
		}
		owner := "no kubedaemon inventory (created by hand or by another tool)"
		if owned.Owner != "" {
			owner = fmt.Sprintf("the inventory of kubedaemon_preset %q", owned.Owner)
		}
		diags.AddAttributeError(path.Root("force_conflicts"), "Object Owned By Someone Else",
			fmt.Sprintf("%s already exists and belongs to %s, so this kubedaemon_preset (%s) does not overwrite "+
				"it; nothing was applied. Delete or rename that object, give this release another name or "+
				"namespace, or set force_conflicts = true to take it over.", owned.Key, owner, id))
	}
}

// addApplyDiag reports the error of release.Inventory.ApplyAll.
// The API server may quote the value it refuses: redact hides the sensitive
// ones.
func addApplyDiag(diags *diag.Diagnostics, err error, redact func(string) string) {
	var ae *release.ApplyError
	if !errors.As(err, &ae) {
		diags.AddError("Invalid Object", redact(err.Error()))
		return
	}
	detail := redact(ae.Err.Error())
	if ae.MissingNamespace != "" {
		detail += fmt.Sprintf("\n\nDoes namespace %q exist? Set create_namespace = true to create it.", ae.MissingNamespace)
	}
	diags.AddError("Cannot Apply Object", fmt.Sprintf("%s (object %d of %d).\n\nOriginal Error: %s", ae.Key, ae.Index+1, ae.Total, detail))
}

// addPruneDiags reports what release.Inventory.Prune could not delete, and
// the objects it left in place.
func addPruneDiags(diags *diag.Diagnostics, errs []error, warnings []string) {
	for _, w := range warnings {
		diags.AddWarning("Object Left In Place", w)
	}
	for _, err := range errs {
		key := "the object"
		var de *release.DeleteError
		if errors.As(err, &de) {
			key = de.Key
		}
		// The object stays in the inventory, so the next apply tries again.
		diags.AddError("Cannot Delete Object", fmt.Sprintf("%s\n\nThe new render no longer produces %s, so "+
			"kubedaemon deletes it. It stays in the inventory and the next apply deletes it again: fix the cause "+
			"(e.g. the provider's permission to delete it, or a finalizer that holds it) and apply again.", err, key))
	}
}

// addWaitDiags reports what release.Inventory.Wait returned.
func addWaitDiags(diags *diag.Diagnostics, warnings []string, errs []error) {
	for _, err := range errs {
		var nc *rollout.NotConvergedError
		switch {
		case errors.As(err, &nc) && nc.Cause == rollout.CauseDeleted:
			diags.AddError("DaemonSet Deleted While Waiting", fmt.Sprintf("%s\n\nSomeone or something deleted "+
				"the DaemonSet while its rollout was awaited (kubectl delete, another tool, a controller). The next "+
				"apply creates it again from the inventory; find what deletes it first.", err))
		case errors.As(err, &nc):
			diags.AddError("DaemonSet Did Not Converge", fmt.Sprintf("%s%s\n\nThe objects were applied; fix the "+
				"cause (e.g. the image in values) and apply again. Set wait = false to return without waiting.",
				err, waitRemedy(nc)))
		default:
			diags.AddError("Cannot Wait For DaemonSet", fmt.Sprintf("%s\n\nThe objects were applied; fix the "+
				"cause and apply again. Set wait = false to return without waiting.", err))
		}
	}
	for _, w := range warnings {
		diags.AddWarning("DaemonSet Converged With Warnings", w)
	}
}

// presetStatusType is the element type of daemonset_status.
var presetStatusType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"desired": types.Int64Type, "current": types.Int64Type, "updated": types.Int64Type,
	"ready": types.Int64Type, "available": types.Int64Type,
}}

// setPresetStatus sets daemonset_status and rollout_status from one read of
// each DaemonSet of m.DaemonSets ("namespace/name"): its counters, and
// where its rollout stands (rollout.StatusOf). One that does not exist is
// left out, one that cannot be read is left out with a warning.
func setPresetStatus(ctx context.Context, inv *release.Inventory, m *presetResourceModel, diags *diag.Diagnostics) {
	var keys []string
	if !m.DaemonSets.IsNull() && !m.DaemonSets.IsUnknown() {
		diags.Append(m.DaemonSets.ElementsAs(ctx, &keys, false)...)
	}
	daemonSets, errs := inv.DaemonSets(ctx, keys)
	for _, err := range errs {
		diags.AddWarning("Cannot Read DaemonSet Status", err.Error()+"\ndaemonset_status and rollout_status leave this "+
			"DaemonSet out, so the plan cannot tell whether its rollout is unfinished. Check that the provider's "+
			"credentials may get daemonsets in its namespace.")
	}
	counters := make(map[string]attr.Value, len(daemonSets))
	rollouts := make(map[string]attr.Value, len(daemonSets))
	for key, ds := range daemonSets {
		v, d := types.ObjectValue(presetStatusType.AttrTypes, statusAttrs(ds.Status, presetStatusType.AttrTypes))
		diags.Append(d...)
		counters[key] = v
		rollouts[key] = types.StringValue(rollout.StatusOf(ds, m.SkipNotReadyNodes.ValueBool()).Summary())
	}
	var d diag.Diagnostics
	m.DaemonSetStatus, d = types.MapValue(presetStatusType, counters)
	diags.Append(d...)
	m.RolloutStatus, d = types.MapValue(types.StringType, rollouts)
	diags.Append(d...)
}
