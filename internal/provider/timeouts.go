package provider

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// withTimeout bounds ctx by what a resource's timeouts block gives for one
// operation (its Create, Update or Delete method), or by def when the block
// leaves it unset. A timeouts value that does not parse adds its diagnostics;
// callers check diags before going on.
func withTimeout(ctx context.Context, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, ds := timeout(ctx, def)
	diags.Append(ds...)
	return context.WithTimeout(ctx, d)
}

// validateTimeouts checks the values of a timeouts block: each must be a
// positive duration, or the operation would fail at once with "did not
// converge before the deadline".
func validateTimeouts(tv timeouts.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	if tv.IsNull() || tv.IsUnknown() {
		return diags
	}
	names := make([]string, 0, len(tv.Attributes()))
	for name := range tv.Attributes() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s, ok := tv.Attributes()[name].(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		d, err := time.ParseDuration(s.ValueString())
		if err == nil && d <= 0 {
			p := path.Root("timeouts").AtName(name)
			diags.AddAttributeError(p, "Invalid Timeout", fmt.Sprintf("%s = %q is not positive: give how long "+
				"the operation may take, e.g. \"10m\", or remove it for the default.", p, s.ValueString()))
		}
	}
	return diags
}
