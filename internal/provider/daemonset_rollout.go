package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/placement"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// This file holds the progressive rollout of kubedaemon_daemonset: the
// rollout block, the rollout_status attribute, their checks at plan time,
// and the conversion to rollout.WavesOptions.

var onFailureValues = []string{string(rollout.OnFailureRollback), string(rollout.OnFailureHalt)}

const defaultMaxRestarts = 0

func rolloutBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Roll a template change out in waves of nodes instead of to every node at once: " +
			"kubedaemon manages the DaemonSet with `update_strategy.type = \"OnDelete\"` and replaces pods itself, " +
			"wave by wave, from `terraform apply`; a wave whose new pods crash, restart or get stuck stops the " +
			"rollout and rolls it back (or halts it). Nothing is installed in the cluster; the rollout progresses " +
			"only while Terraform runs, and an interrupted one resumes on the next apply. See the guide " +
			"[Progressive rollouts](../guides/progressive-rollouts.md).",
		Attributes: map[string]schema.Attribute{
			"max_unavailable": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Nodes of a wave whose pod may be unavailable at a time, for waves that do not " +
					"set their own: a number (`2`) or a percent of the wave's nodes (`25%`, rounded up). Defaults to `1`.",
				Validators: []validator.String{maxUnavailableValidator{}},
			},
			"soak": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long the new pods of a wave must run (ready, restarting at most " +
					"`max_restarts` times) before the next wave starts, for waves that do not set their own: a Go " +
					"duration (`2m`). Defaults to no soak. Needs at least one `wave`.",
				Validators: []validator.String{soakDuration},
			},
			"max_restarts": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How often a new pod may restart during its wave before the wave fails. " +
					"Defaults to `0`: one restart fails the wave.",
			},
			"on_failure": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What a failed wave does: `rollback` applies the previous template again " +
					"(from the DaemonSet's revision history), replaces the new pods with pods of it, and fails the " +
					"apply, so the next plan proposes the change again; `halt` leaves the nodes of the waves so far " +
					"on the new template and the others on the old one, and fails the apply; the next apply retries " +
					"the failed wave. " + oneOf(onFailureValues) + " Defaults to `rollback`.",
				Validators: []validator.String{stringvalidator.OneOf(onFailureValues...)},
			},
		},
		Blocks: map[string]schema.Block{
			"wave": schema.ListNestedBlock{
				MarkdownDescription: "A wave of nodes, in order. Each takes, of the nodes no earlier wave took, " +
					"those its `selector` matches, or a `count` or `percent` of them (in name order). Nodes that " +
					"no wave takes form one more wave at the end.",
				NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
					"selector": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "A node label selector, as `kubectl get nodes -l` takes it " +
							"(`env=dev`, `tier in (canary)`). Selectors of two waves must not overlap.",
					},
					"count": schema.Int64Attribute{
						Optional: true, MarkdownDescription: "How many of the remaining nodes the wave takes.",
					},
					"percent": schema.Int64Attribute{
						Optional: true, MarkdownDescription: "Percent of the remaining nodes the wave takes, rounded up (1 to 100).",
					},
					"max_unavailable": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "`max_unavailable` of this wave.",
						Validators:          []validator.String{maxUnavailableValidator{}},
					},
					"soak": schema.StringAttribute{
						Optional: true, MarkdownDescription: "`soak` of this wave.",
						Validators: []validator.String{soakDuration},
					},
				}},
			},
		},
	}
}

var rolloutStatusAttrTypes = map[string]attr.Type{
	"generation": types.Int64Type,
	"updated":    types.Int64Type,
	"desired":    types.Int64Type,
	"waves":      types.Int64Type,
	"waves_done": types.Int64Type,
	"wave":       types.StringType,
	"result":     types.StringType,
	"message":    types.StringType,
}

func rolloutStatusAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed:      true,
		PlanModifiers: []planmodifier.Object{priorWhenSemanticallyUnchanged{}},
		MarkdownDescription: "Where the rollout of the DaemonSet's template stands, read on every refresh. When " +
			"`result` is `progressing` (an apply was interrupted, or its wait failed) or `halted`, and " +
			"`wait_for_rollout` is on, the plan proposes an update that resumes the rollout and waits for it, " +
			"even without a configuration change.",
		Attributes: map[string]schema.Attribute{
			"generation": schema.Int64Attribute{Computed: true, MarkdownDescription: "DaemonSet generation the status is about."},
			"updated":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that run the current template."},
			"desired":    schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that should run the daemon."},
			"waves":      schema.Int64Attribute{Computed: true, MarkdownDescription: "Waves of the progressive rollout; 0 without a `rollout` block."},
			"waves_done": schema.Int64Attribute{Computed: true, MarkdownDescription: "Waves that finished."},
			"wave":       schema.StringAttribute{Computed: true, MarkdownDescription: "The wave in progress, or the one that failed."},
			"result": schema.StringAttribute{Computed: true, MarkdownDescription: "`complete`, `progressing`, `halted` " +
				"or `rolled-back`."},
			"message": schema.StringAttribute{Computed: true, MarkdownDescription: "Why the rollout halted or rolled back."},
		},
	}
}

func rolloutStatusValue(s rollout.Status) types.Object {
	return types.ObjectValueMust(rolloutStatusAttrTypes, map[string]attr.Value{
		"generation": types.Int64Value(s.Generation),
		"updated":    types.Int64Value(int64(s.Updated)),
		"desired":    types.Int64Value(int64(s.Desired)),
		"waves":      types.Int64Value(int64(s.Waves)),
		"waves_done": types.Int64Value(int64(s.Done)),
		"wave":       types.StringValue(s.Wave),
		"result":     types.StringValue(string(s.Result)),
		"message":    types.StringValue(s.Message),
	})
}

// rolloutStatusModel is rollout_status as rolloutStatusValue sets it.
type rolloutStatusModel struct {
	Generation int64  `tfsdk:"generation"`
	Updated    int64  `tfsdk:"updated"`
	Desired    int64  `tfsdk:"desired"`
	Waves      int64  `tfsdk:"waves"`
	WavesDone  int64  `tfsdk:"waves_done"`
	Wave       string `tfsdk:"wave"`
	Result     string `tfsdk:"result"`
	Message    string `tfsdk:"message"`
}

func (m rolloutStatusModel) status() rollout.Status {
	return rollout.Status{Generation: m.Generation, Updated: int32(m.Updated), Desired: int32(m.Desired), Waves: int(m.Waves),
		Done: int(m.WavesDone), Wave: m.Wave, Result: rollout.Result(m.Result), Message: m.Message}
}

// rolloutModel is the rollout block.
type rolloutModel struct {
	MaxUnavailable types.String `tfsdk:"max_unavailable"`
	Soak           types.String `tfsdk:"soak"`
	MaxRestarts    types.Int64  `tfsdk:"max_restarts"`
	OnFailure      types.String `tfsdk:"on_failure"`
	Waves          []waveModel  `tfsdk:"wave"`
}

type waveModel struct {
	Selector       types.String `tfsdk:"selector"`
	Count          types.Int64  `tfsdk:"count"`
	Percent        types.Int64  `tfsdk:"percent"`
	MaxUnavailable types.String `tfsdk:"max_unavailable"`
	Soak           types.String `tfsdk:"soak"`
}

func rolloutOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) *rolloutModel {
	if o.IsNull() || o.IsUnknown() {
		return nil
	}
	var m rolloutModel
	diags.Append(o.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	if diags.HasError() {
		return nil
	}
	return &m
}

// validateRollout checks the rollout block of a DaemonSet's configuration
// (validateRolloutBlock), and that the update strategy is the rollout's.
func validateRollout(ctx context.Context, m *daemonSetResourceModel) diag.Diagnostics {
	diags := validateRolloutBlock(ctx, m.Rollout)
	if m.Rollout.IsNull() || m.Rollout.IsUnknown() {
		return diags
	}
	if !m.WaitForRollout.IsNull() && !m.WaitForRollout.IsUnknown() && !m.WaitForRollout.ValueBool() {
		diags.AddAttributeError(path.Root("wait_for_rollout"), "Rollout Needs The Wait",
			"A rollout block replaces the pods itself while the apply waits, so with wait_for_rollout = false no pod "+
				"would ever get the new template. Remove wait_for_rollout = false, or remove the rollout block.")
	}
	if m.Spec.IsNull() || m.Spec.IsUnknown() {
		return diags
	}
	// A strategy set in the configuration is not the rollout's.
	strategy, _ := m.Spec.Attributes()["update_strategy"].(types.Object)
	if !strategy.IsNull() && !strategy.IsUnknown() {
		for name, v := range strategy.Attributes() {
			if !v.IsNull() {
				diags.AddAttributeError(path.Root("spec").AtName("update_strategy").AtName(name), "Update Strategy Set With Rollout",
					"With a rollout block kubedaemon replaces the pods itself and manages the DaemonSet with "+
						"update_strategy.type = \"OnDelete\". Remove the update_strategy block (pace the rollout with "+
						"rollout.max_unavailable and the waves), or remove the rollout block.")
			}
		}
	}
	return diags
}

// validateRolloutBlock checks a rollout block: each wave chooses its nodes
// one way, percents are percents, selectors parse and do not overlap, and
// soak needs waves.
func validateRolloutBlock(ctx context.Context, o types.Object) diag.Diagnostics {
	var diags diag.Diagnostics
	r := rolloutOf(ctx, o, &diags)
	if r == nil {
		return diags
	}
	root := path.Root("rollout")
	if !r.Soak.IsNull() && len(r.Waves) == 0 {
		diags.AddAttributeError(root.AtName("soak"), "Soak Without Waves",
			"soak is how long each wave's new pods must run before the next wave, but the rollout has no wave block: "+
				"add wave blocks (e.g. wave { selector = \"env=dev\" }), or remove soak.")
	}
	if !r.MaxRestarts.IsNull() && !r.MaxRestarts.IsUnknown() && r.MaxRestarts.ValueInt64() < 0 {
		diags.AddAttributeError(root.AtName("max_restarts"), "Invalid Max Restarts",
			fmt.Sprintf("max_restarts is %d; it must be 0 or more.", r.MaxRestarts.ValueInt64()))
	}
	type sel struct {
		i int
		s labels.Selector
	}
	var sels []sel
	for i, w := range r.Waves {
		p := root.AtName("wave").AtListIndex(i)
		set := 0
		for _, known := range []attr.Value{w.Selector, w.Count, w.Percent} {
			if !known.IsNull() {
				set++
			}
		}
		if set != 1 {
			diags.AddAttributeError(p, "Wave Needs One Choice Of Nodes",
				fmt.Sprintf("wave %d sets %d of selector, count and percent; set exactly one: selector = \"env=dev\", "+
					"count = 3 or percent = 25.", i+1, set))
		}
		if !w.Percent.IsNull() && !w.Percent.IsUnknown() && (w.Percent.ValueInt64() < 1 || w.Percent.ValueInt64() > 100) {
			diags.AddAttributeError(p.AtName("percent"), "Invalid Wave Percent",
				fmt.Sprintf("percent is %d; it must be from 1 to 100.", w.Percent.ValueInt64()))
		}
		if !w.Count.IsNull() && !w.Count.IsUnknown() && w.Count.ValueInt64() < 1 {
			diags.AddAttributeError(p.AtName("count"), "Invalid Wave Count",
				fmt.Sprintf("count is %d; a wave takes at least 1 node.", w.Count.ValueInt64()))
		}
		if w.Selector.IsNull() || w.Selector.IsUnknown() {
			continue
		}
		wave, err := rollout.ParseWave(w.Selector.ValueString())
		switch {
		case err == nil && wave.Selector == nil:
			err = fmt.Errorf("%q is a count or a percent: write count = %s or percent = %s instead", w.Selector.ValueString(),
				strings.TrimSuffix(w.Selector.ValueString(), "%"), strings.TrimSuffix(w.Selector.ValueString(), "%"))
		case err == nil:
			for _, o := range sels {
				if !rollout.Disjoint(o.s, wave.Selector) {
					diags.AddAttributeError(p.AtName("selector"), "Overlapping Wave Selectors",
						fmt.Sprintf("wave %d (%s) and wave %d (%s) may both match a node, so which wave it belongs to "+
							"would depend on their order. Make them exclusive on one label, e.g. %q and %q.",
							o.i+1, o.s, i+1, wave.Selector, o.s.String(), wave.Selector.String()+","+negate(o.s)))
				}
			}
			sels = append(sels, sel{i, wave.Selector})
			continue
		}
		diags.AddAttributeError(p.AtName("selector"), "Invalid Wave Selector", err.Error())
	}
	return diags
}

// negate is the first requirement of s, negated, for a suggestion.
func negate(s labels.Selector) string {
	reqs, _ := s.Requirements()
	if len(reqs) == 0 {
		return ""
	}
	r := reqs[0]
	vals := r.Values().UnsortedList()
	slices.Sort(vals)
	switch r.Operator() {
	case "=", "==", "in":
		if len(vals) == 1 {
			return r.Key() + "!=" + vals[0]
		}
		return r.Key() + " notin (" + strings.Join(vals, ",") + ")"
	case "!=", "notin":
		// A node without the key matches both "key!=v" and "!key": only
		// "key in (v)" excludes every node the first one matches.
		return r.Key() + " in (" + strings.Join(vals, ",") + ")"
	case "!":
		return r.Key()
	}
	return "!" + r.Key()
}

// wavesOptions converts a validated rollout block.
func wavesOptions(r *rolloutModel, wait rollout.WaitOptions) rollout.WavesOptions {
	opts := rollout.WavesOptions{MaxRestarts: defaultMaxRestarts, OnFailure: rollout.OnFailureRollback, Wait: wait}
	if !r.MaxUnavailable.IsNull() {
		v := intstr.Parse(r.MaxUnavailable.ValueString())
		opts.Default.MaxUnavailable = &v
	}
	if d, err := time.ParseDuration(r.Soak.ValueString()); err == nil {
		opts.Default.Soak = d
	}
	if !r.MaxRestarts.IsNull() {
		opts.MaxRestarts = int32(min(r.MaxRestarts.ValueInt64(), 1<<31-1))
	}
	if !r.OnFailure.IsNull() {
		opts.OnFailure = rollout.OnFailure(r.OnFailure.ValueString())
	}
	for _, w := range r.Waves {
		var wave rollout.Wave
		switch {
		case !w.Selector.IsNull():
			wave, _ = rollout.ParseWave(w.Selector.ValueString())
		case !w.Count.IsNull():
			wave.Count = int(w.Count.ValueInt64())
		case !w.Percent.IsNull():
			wave.Percent = int(w.Percent.ValueInt64())
		}
		mu := w.MaxUnavailable
		if mu.IsNull() {
			mu = r.MaxUnavailable
		}
		if !mu.IsNull() {
			v := intstr.Parse(mu.ValueString())
			wave.MaxUnavailable = &v
		}
		soak := w.Soak
		if soak.IsNull() {
			soak = r.Soak
		}
		if d, err := time.ParseDuration(soak.ValueString()); err == nil {
			wave.Soak = d
		}
		opts.Waves = append(opts.Waves, wave)
	}
	return opts
}

// checkWaves checks the waves of a planned DaemonSet against the cluster's
// nodes.
func (r *daemonSetResource) checkWaves(ctx context.Context, plan *daemonSetResourceModel, m *rolloutModel, diags *diag.Diagnostics) {
	if m == nil {
		return
	}
	// Values unknown at plan are left out: an unknown node selector then
	// selects every node, so the check can only miss a wave, never refuse
	// a good one.
	if ds, _, err := daemonSetFromModel(plan); err == nil {
		r.checkWavesMatch(ctx, m, ds, diags)
	}
}

// checkWavesMatch fails a plan whose selector waves match no node the
// DaemonSet runs on (by the controller's rules, internal/placement): such a wave would
// roll out to nothing (at apply, when the nodes changed since, it is skipped
// with a warning).
func (r *daemonSetResource) checkWavesMatch(ctx context.Context, m *rolloutModel, ds *appsv1.DaemonSet, diags *diag.Diagnostics) {
	if m == nil {
		return
	}
	// The dry run's client: nil when the plan must not (server_dry_run =
	// false) or cannot reach the cluster, which the dry run reports.
	var quiet diag.Diagnostics
	rc := r.data.dryRunClient(&quiet, "")
	if rc == nil {
		return
	}
	cs := rc.Clientset
	var sels []labels.Selector
	var idx []int
	for i, w := range m.Waves {
		if w.Selector.IsNull() || w.Selector.IsUnknown() {
			continue
		}
		if wave, err := rollout.ParseWave(w.Selector.ValueString()); err == nil && wave.Selector != nil {
			sels, idx = append(sels, wave.Selector), append(idx, i)
		}
	}
	if len(sels) == 0 {
		return
	}
	matched := make([]bool, len(sels))
	// The nodes the DaemonSet runs on, by the controller's rules: node
	// selector, required affinity, taints.
	fits := placement.NewEvaluator(&ds.Spec.Template.Spec)
	nodeSel := labels.SelectorFromSet(ds.Spec.Template.Spec.NodeSelector)
	err := k8s.EachNode(ctx, cs, metav1.ListOptions{LabelSelector: nodeSel.String()}, func(n *corev1.Node) error {
		if !fits.Fits(n) {
			return nil
		}
		for i, s := range sels {
			matched[i] = matched[i] || s.Matches(labels.Set(n.Labels))
		}
		return nil
	})
	if err != nil {
		return
	}
	for i, ok := range matched {
		if !ok {
			diags.AddAttributeError(path.Root("rollout").AtName("wave").AtListIndex(idx[i]).AtName("selector"), "Wave Matches No Node",
				fmt.Sprintf("No node the DaemonSet runs on matches wave %d's selector %q, so the wave would roll out to "+
					"nothing. Fix the selector (kubectl get nodes -l '%s' lists what it matches), or remove the wave.",
					idx[i]+1, sels[i], sels[i]))
		}
	}
}

// soakDuration checks a soak: a positive Go duration.
var soakDuration = positiveDuration{ifNotPositive: "give how long the new pods of a wave must run before the " +
	"next wave starts, e.g. \"2m\"; for no soak, leave soak out."}

// maxUnavailableValidator: a positive number or a percent from 1% to 100%.
type maxUnavailableValidator struct{}

func (maxUnavailableValidator) Description(context.Context) string {
	return "a number of at least 1 or a percent from 1% to 100%"
}

func (v maxUnavailableValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (maxUnavailableValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Max Unavailable",
			fmt.Sprintf("%q is not a number (2) or a percent (25%%).", s))
	case n < 1:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Max Unavailable",
			fmt.Sprintf("%q would replace no pod: a wave needs at least 1 (or 1%%).", s))
	case strings.HasSuffix(s, "%") && n > 100:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Max Unavailable",
			fmt.Sprintf("%q is more than 100%%.", s))
	}
}

// rolloutWaves runs the progressive rollout of an update; a rollback
// re-applies prior, the DaemonSet of the prior state, as the provider's
// field manager: the cluster then runs what the state keeps, and the next
// apply of the new template meets no conflict.
func (r *daemonSetResource) rolloutWaves(ctx context.Context, rc *rollout.Client, ds, prior *appsv1.DaemonSet, plan *daemonSetResourceModel,
	m *rolloutModel, wait rollout.WaitOptions) (*rollout.WavesResult, error) {
	opts := wavesOptions(m, wait)
	opts.Reapply = func(ctx context.Context, _ corev1.PodTemplateSpec) error {
		_, err := rc.ApplyDaemonSet(ctx, prior, rollout.ApplyOptions{Force: plan.ForceConflicts.ValueBool()})
		return err
	}
	return rc.RolloutWaves(ctx, ds.Namespace, ds.Name, opts)
}

func waveRolledBack(err error) bool {
	var we *rollout.WaveError
	return errors.As(err, &we) && we.Result == rollout.ResultRolledBack && we.RollbackErr == nil
}

func addWaveError(diags *diag.Diagnostics, err error) {
	var we *rollout.WaveError
	if !errors.As(err, &we) {
		diags.AddError("DaemonSet Rollout Failed", err.Error())
		return
	}
	var title, next string
	switch {
	case we.Result == rollout.ResultProgressing:
		title = "DaemonSet Rollout Interrupted"
		next = "The state records the new template with rollout_status.result = \"progressing\": the next plan " +
			"proposes to resume the rollout from this wave, and apply continues it."
	case we.Result == rollout.ResultRolledBack && we.RollbackErr == nil:
		title = "DaemonSet Rollout Rolled Back"
		next = "The state keeps the previous configuration, which the cluster runs again: fix the template " +
			"(image, command, configuration) and apply again; the plan proposes the change again."
	default:
		title = "DaemonSet Rollout Halted"
		next = "The state records the new template with rollout_status.result = \"halted\": fix the cause and " +
			"apply again to retry this wave, or revert the template in the configuration."
	}
	diags.AddAttributeError(path.Root("rollout"), title, we.Error()+"\n\n"+next)
}

// setRolloutStatus sets rollout_status from the live DaemonSet.
func setRolloutStatus(ctx context.Context, live *appsv1.DaemonSet, skipNotReady bool, state *tfsdk.State, diags *diag.Diagnostics) {
	if state.Raw.IsNull() {
		return
	}
	diags.Append(state.SetAttribute(ctx, path.Root("rollout_status"), rolloutStatusValue(rollout.StatusOf(live, skipNotReady)))...)
}

// planResume plans an update of a DaemonSet whose configuration did not
// change when its last rollout did not finish (rollout_status says so, from
// the refresh): interrupted, failed or halted. The update applies the same
// DaemonSet and resumes the rollout, or waits for it again.
func (r *daemonSetResource) planResume(ctx context.Context, plan, prior *daemonSetResourceModel, resp *resource.ModifyPlanResponse) {
	if !plan.WaitForRollout.ValueBool() || prior.RolloutStatus.IsNull() || prior.RolloutStatus.IsUnknown() {
		return
	}
	var m rolloutStatusModel
	resp.Diagnostics.Append(prior.RolloutStatus.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	st := m.status()
	if resp.Diagnostics.HasError() || !st.Unfinished() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rollout_status"), types.ObjectUnknown(rolloutStatusAttrTypes))...)
	resp.Diagnostics.AddAttributeWarning(path.Root("rollout_status"), "Unfinished Rollout",
		fmt.Sprintf("DaemonSet %s: %s. This plan updates the DaemonSet to finish it: apply continues the rollout "+
			"and waits for it (set wait_for_rollout = false to stop this).", prior.ID.ValueString(), st.Summary()))
}
