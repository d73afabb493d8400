package provider

import (
	"context"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ resource.ResourceWithValidateConfig = (*presetResource)(nil)

// ValidateConfig checks what needs no render: the timeouts. The preset's
// inputs are checked when the plan renders it.
func (r *presetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var tv timeouts.Value
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("timeouts"), &tv)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateTimeouts(tv)...)
	var waves types.Object
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("rollout"), &waves)...)
	resp.Diagnostics.Append(validateRolloutBlock(ctx, waves)...)
	var wait types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("wait"), &wait)...)
	if !waves.IsNull() && !waves.IsUnknown() && !wait.IsNull() && !wait.IsUnknown() && !wait.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("wait"), "Rollout Needs The Wait",
			"A rollout block replaces the DaemonSets' pods itself while the apply waits, so with wait = false no pod "+
				"would ever get the new template. Remove wait = false, or remove the rollout block.")
	}
}
