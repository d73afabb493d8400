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
}
