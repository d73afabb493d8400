package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// This file holds the attributes that kubedaemon_daemonset and
// kubedaemon_preset share: how the apply waits for the rollout and how
// destroy deletes, with their defaults and the remedies of a failed wait.

// Defaults shared by the schemas and ImportState.
const (
	defaultFailFast          = true
	defaultSkipNotReadyNodes = false
	defaultDeletePropagation = string(metav1.DeletePropagationForeground)
)

// deletePropagationAttribute is the delete_propagation attribute of
// kubedaemon_daemonset and kubedaemon_preset; what says what it applies to.
func deletePropagationAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true, Computed: true, Default: stringdefault.StaticString(defaultDeletePropagation),
		MarkdownDescription: what + ": `Foreground` waits until they are gone, `Background` lets the garbage " +
			"collector remove them later, `Orphan` keeps them running. " + oneOf(deletePropagations) +
			" Defaults to `" + defaultDeletePropagation + "`.",
		Validators: []validator.String{stringvalidator.OneOf(deletePropagations...)},
	}
}

// waitAttributes are the attributes that tune the rollout wait of
// kubedaemon_daemonset and kubedaemon_preset (rollout.WaitOptions):
// fail_fast, stuck_grace and skip_not_ready_nodes.
func waitAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"fail_fast": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(defaultFailFast),
			MarkdownDescription: "Stop waiting as soon as a pod cannot start (image pull errors, crash loops, " +
				"unschedulable pods) instead of waiting for the timeout. Defaults to `true`.",
		},
		"stuck_grace": stuckGraceAttribute(),
		"skip_not_ready_nodes": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(defaultSkipNotReadyNodes),
			MarkdownDescription: "Converge on the Ready nodes and warn about NotReady ones, instead of waiting " +
				"for them. A NotReady node cannot start a new pod (its kubelet is not reporting), and with the " +
				"default update strategy the controller replaces its old pod only after it is gone, so without " +
				"this a NotReady node holds the apply until the timeout. The Ready nodes are still checked pod " +
				"by pod. Defaults to `false`.",
		},
	}
}

// withWaitAttributes adds the shared wait attributes (waitAttributes) to attrs.
func withWaitAttributes(attrs map[string]schema.Attribute) map[string]schema.Attribute {
	for name, a := range waitAttributes() {
		attrs[name] = a
	}
	return attrs
}

// waitOptions are the rollout.WaitOptions of the wait attributes.
func waitOptions(ctx context.Context, failFast, skipNotReady types.Bool, grace types.String) rollout.WaitOptions {
	return rollout.WaitOptions{
		FailFast:          failFast.ValueBool(),
		SkipNotReadyNodes: skipNotReady.ValueBool(),
		StuckGrace:        stuckGrace(grace),
		Progress:          func(line string) { tflog.Info(ctx, line) },
	}
}

// waitRemedy says, in attributes, what would have changed the outcome of a
// wait that did not converge.
func waitRemedy(nce *rollout.NotConvergedError) string {
	var b strings.Builder
	for _, k := range nce.Knobs {
		switch k {
		case rollout.KnobFailFast:
			b.WriteString("\nTo wait out such states until the timeout instead, set fail_fast = false.")
		case rollout.KnobSkipNotReadyNodes:
			b.WriteString("\nTo converge on the Ready nodes without the NotReady ones, set skip_not_ready_nodes = true.")
		case rollout.KnobTimeout:
			b.WriteString("\nIf the rollout is only slow, raise the timeout (e.g. timeouts { update = \"30m\" }).")
		}
	}
	return b.String()
}

// stuckGraceAttribute is the stuck_grace attribute of kubedaemon_daemonset
// and kubedaemon_preset: rollout.WaitOptions.StuckGrace.
func stuckGraceAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "How long a pod of the current template may wait on an image pull " +
			"(`ErrImagePull`, `ImagePullBackOff`), crash-loop (`CrashLoopBackOff`), wait on a volume the kubelet " +
			"cannot mount (a `FailedMount` event, such as a host path that does not exist) or stay unschedulable " +
			"for a reason a retry may fix, before `fail_fast` counts it as stuck and ends the wait. A Go duration, e.g. " +
			"`\"10s\"` or `\"2m\"`. Defaults to `\"" + rollout.DefaultStuckGrace.String() + "\"`. States that never " +
			"resolve by themselves (an invalid image name, a missing ConfigMap, a host port taken, a pod the API " +
			"server forbids) fail at once.",
		Validators: []validator.String{positiveDuration{ifNotPositive: "give how long to wait before a pod counts as " +
			"stuck, e.g. \"30s\"; to never fail early, set fail_fast = false instead."}},
	}
}

// stuckGrace is the wait's grace period from a stuck_grace value; zero (the
// rollout default) when it is null or unknown. The value was validated at
// plan time.
func stuckGrace(v types.String) time.Duration {
	if v.IsNull() || v.IsUnknown() {
		return 0
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		return 0
	}
	return d
}

// positiveDuration accepts a Go duration greater than zero, e.g. "30s";
// ifNotPositive is the remedy its error gives for zero or a negative one.
type positiveDuration struct {
	ifNotPositive string
}

var _ validator.String = positiveDuration{}

func (positiveDuration) Description(context.Context) string {
	return "must be a positive duration with a unit, e.g. \"30s\" or \"2m\""
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s = %q is not a duration: write a number with a unit (ns, us, ms, s, m, h), e.g. \"30s\", "+
				"\"2m\" or \"1m30s\".\n\nOriginal Error: %s", req.Path, s, err))
	case d <= 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s = %q is not positive: %s", req.Path, s, v.ifNotPositive))
	}
}

// setSchemaDefaults sets each top-level attribute of s that has a default
// to that default in state: what an import records for the attributes the
// cluster does not hold (how to wait, how to delete), so that the plan after
// an import shows no change for them. The defaults stay in the schema alone.
func setSchemaDefaults(ctx context.Context, s schema.Schema, state *tfsdk.State, diags *diag.Diagnostics) {
	for name, a := range s.Attributes {
		p := path.Root(name)
		switch a := a.(type) {
		case schema.BoolAttribute:
			if a.Default != nil {
				var r defaults.BoolResponse
				a.Default.DefaultBool(ctx, defaults.BoolRequest{Path: p}, &r)
				diags.Append(r.Diagnostics...)
				diags.Append(state.SetAttribute(ctx, p, r.PlanValue)...)
			}
		case schema.StringAttribute:
			if a.Default != nil {
				var r defaults.StringResponse
				a.Default.DefaultString(ctx, defaults.StringRequest{Path: p}, &r)
				diags.Append(r.Diagnostics...)
				diags.Append(state.SetAttribute(ctx, p, r.PlanValue)...)
			}
		}
	}
}
