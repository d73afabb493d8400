package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// This file holds the progressive rollout of kubedaemon_preset: the same
// rollout block as kubedaemon_daemonset's, for each of the preset's
// DaemonSets.

func presetRolloutStatusAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Where the rollout of each DaemonSet stands, keyed `namespace/name`, read on every " +
			"refresh: `complete`, `rolled-back`, or what remains (`resume rollout: wave 2/3 (env=prod), 4/10 nodes " +
			"updated`, `rollout halted in wave 1/3 ...`, `rollout of generation 3 unfinished: ...`). An unfinished " +
			"rollout (an interrupted apply, a wait that failed, a halted wave) makes the plan propose an update that " +
			"resumes it and waits for it, even without a configuration change, while `wait` is on.",
	}
}

// unfinishedRollout reports whether a rollout_status value says the rollout
// still has to run.
func unfinishedRollout(summary string) bool {
	return summary != string(rollout.ResultComplete) && summary != string(rollout.ResultRolledBack)
}

// planPresetRollout plans rollout_status: unknown when the objects change;
// else the state's, but unknown, with a warning, when a rollout the state
// records is unfinished and wait is on: the update resumes it.
func (r *presetResource) planPresetRollout(ctx context.Context, plan, state *presetResourceModel, diags *diag.Diagnostics) {
	if state == nil || !plan.Objects.Equal(state.Objects) {
		plan.RolloutStatus = types.MapUnknown(types.StringType)
		return
	}
	plan.RolloutStatus = state.RolloutStatus
	if !plan.Wait.ValueBool() || state.RolloutStatus.IsNull() || state.RolloutStatus.IsUnknown() {
		return
	}
	var statuses map[string]string
	diags.Append(state.RolloutStatus.ElementsAs(ctx, &statuses, false)...)
	var lines []string
	for key, summary := range statuses {
		if unfinishedRollout(summary) {
			lines = append(lines, "DaemonSet "+key+": "+summary)
		}
	}
	if len(lines) == 0 {
		return
	}
	slices.Sort(lines)
	plan.RolloutStatus = types.MapUnknown(types.StringType)
	plan.DaemonSetStatus = types.MapUnknown(presetStatusType)
	diags.AddAttributeWarning(path.Root("rollout_status"), "Unfinished Rollout",
		strings.Join(lines, "\n")+"\nThis plan updates the preset to finish it: apply continues the rollout and waits "+
			"for it (set wait = false to stop this).")
}

// rolloutPreset rolls each DaemonSet of the preset out wave by wave. A
// rollback applies old, the prior objects, again (what Helm's rollback
// does: the ConfigMaps the pods read go back too), lets the failed
// DaemonSet's waves replace its new pods, and replaces those of the
// DaemonSets rolled out before it; it reports whether everything rolled back,
// so that the state keeps the prior objects.
func rolloutPreset(ctx context.Context, inv *release.Inventory, daemonSets []string, old []release.Entry, opts rollout.WavesOptions,
	diags *diag.Diagnostics) (rolledBack bool) {
	opts.Reapply = func(ctx context.Context, _ corev1.PodTemplateSpec) error {
		_, err := inv.ApplyAll(ctx, old)
		return err
	}
	var done []string
	for _, key := range daemonSets {
		ns, name, _ := strings.Cut(key, "/")
		res, err := inv.Client.RolloutWaves(ctx, ns, name, opts)
		if err == nil {
			for _, w := range res.Warnings {
				diags.AddWarning("DaemonSet Rollout Warning", key+": "+w)
			}
			done = append(done, key)
			continue
		}
		if !waveRolledBack(err) {
			addWaveError(diags, err)
			return false
		}
		// The prior objects are applied: replace the new pods of the
		// DaemonSets that finished their rollout too, all at once.
		all := intstr.FromString("100%")
		back := rollout.WavesOptions{Waves: []rollout.Wave{{Percent: 100, MaxUnavailable: &all}}, MaxRestarts: -1,
			OnFailure: rollout.OnFailureHalt, Wait: opts.Wait}
		for _, k := range done {
			dns, dname, _ := strings.Cut(k, "/")
			if _, berr := inv.Client.RolloutWaves(ctx, dns, dname, back); berr != nil {
				diags.AddAttributeError(path.Root("rollout"), "DaemonSet Rollback Failed",
					fmt.Sprintf("DaemonSet %s: rolling it back with the rest of the preset failed: %s", k, berr))
				addWaveError(diags, err)
				return false
			}
		}
		addWaveError(diags, err)
		return true
	}
	return false
}
