package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
)

// dryRun sends every rendered object of the plan to the API server as a
// server-side dry run (one request each), so that its validation, defaults
// and admission run at plan time. A refusal is a plan error that names the
// object, the API field and the inputs that render it. Objects the server
// cannot check before the apply creates what they need (their namespace
// with create_namespace, their CRD from crds/) are left to the apply.
func (r *presetResource) dryRun(ctx context.Context, cfg presetResourceModel, out *presetRendered, diags *diag.Diagnostics) {
	d := r.data
	rc := d.dryRunClient(diags, "")
	if rc == nil {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, dryRunTimeout)
	defer cancel()
	inv := presetInventory(rc, out.namespace+"/"+out.name)
	inv.OnDelete = !cfg.Rollout.IsNull()
	at := presetInputPath(cfg)
	missingNamespace := false
	for _, res := range inv.DryRunAll(dctx, out.entries) {
		switch {
		case errors.Is(res.Err, release.ErrKindNotServed):
			continue // the chart's crds/ create it first; discovery checked the rest
		case errors.Is(res.Err, release.ErrNamespaceMissing):
			missingNamespace = true
			continue
		}
		st, reachable := d.serverVerdict(diags, res.Key, res.Err, out.redact)
		if !reachable {
			return
		}
		if st == nil {
			continue
		}
		var fields []string
		if st.Details != nil {
			for _, c := range st.Details.Causes {
				if c.Field != "" {
					fields = append(fields, c.Field+": "+c.Message)
				}
			}
		}
		msg := st.Message
		if len(fields) > 0 {
			msg = strings.Join(fields, "\n")
		}
		diags.AddAttributeError(at, "Refused By Kubernetes", out.redact(fmt.Sprintf("%s: %s\n\nThe API server refuses "+
			"this object of preset %q in a server-side dry run of this plan; nothing was created or changed. Fix the "+
			"values (or the chart's template) that render this field, and plan again.", res.Key, msg, cfg.Preset.ValueString())))
	}
	if missingNamespace && !cfg.CreateNamespace.ValueBool() {
		diags.AddAttributeWarning(path.Root("namespace"), "Namespace Does Not Exist Yet",
			fmt.Sprintf("Namespace %q does not exist in the cluster. If nothing in this configuration creates it, "+
				"the apply fails: set create_namespace = true, or create it first.", out.namespace))
	}
}

// presetInputPath is the attribute a refusal of a rendered object points
// at: the values that render it, or the preset itself.
func presetInputPath(cfg presetResourceModel) path.Path {
	switch {
	case !cfg.Values.IsNull() && len(cfg.Values.Elements()) > 0:
		return path.Root("values")
	case !cfg.Set.IsNull() && len(cfg.Set.Elements()) > 0:
		return path.Root("set")
	}
	return pathPreset
}
