package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// adoptHelmReleaseAttribute is kubedaemon_preset's opt-in to take over the
// objects of the Helm release of the same name and namespace.
func adoptHelmReleaseAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true,
		MarkdownDescription: "Take over the objects of the Helm release (installed by `helm install` or by " +
			"hashicorp/helm's `helm_release`) of this resource's `name` in its `namespace`, without " +
			"deleting or recreating them: each object this preset renders that carries Helm's `" +
			release.HelmReleaseNameAnnotation + "` and `" + release.HelmReleaseNamespaceAnnotation + "` " +
			"annotations of that release, and is in no kubedaemon inventory, joins this one; the fields Helm's " +
			"field managers own are handed to kubedaemon's (as `kubectl apply --server-side` does for objects " +
			"client-side apply managed), so the apply meets no conflict and later removes what the preset " +
			"no longer sets. When the rendered objects equal what Helm installed, only their labels and " +
			"annotations change and no pod restarts. Once every object is applied, Helm's records of the " +
			"release (its `sh.helm.release.v1.*` Secrets) are deleted, so that `helm uninstall` cannot " +
			"delete the objects; objects of the release this preset does not render stay in the cluster, " +
			"unmanaged, with a warning. Unset or `false`, such objects fail the apply as any object owned " +
			"elsewhere. While `true`, the preset renders with `.Release.Service` = `Helm`, as Helm did, so that " +
			"pod templates labelled with it stay the same; set it to `false` (or remove it) once adopted to " +
			"render `kubedaemon` there, a rolling restart. See the guide \"Migrating from helm_release\".",
	}
}

// helmRelease is the Helm release a preset adopts, nil without
// adopt_helm_release.
func (m *presetResourceModel) helmRelease() *release.HelmRelease {
	if !m.AdoptHelmRelease.ValueBool() {
		return nil
	}
	return &release.HelmRelease{Namespace: m.Namespace.ValueString(), Name: m.Name.ValueString()}
}

// adoptHelmObjects takes over the objects of the Helm release the plan
// adopts, before the ownership check and the apply. It reports false with a
// diagnostic when that fails.
func adoptHelmObjects(ctx context.Context, inv *release.Inventory, plan *presetResourceModel, entries []release.Entry, diags *diag.Diagnostics) bool {
	rel := plan.helmRelease()
	if rel == nil {
		return true
	}
	adopted, err := inv.AdoptHelm(ctx, *rel, entries)
	if len(adopted) > 0 {
		tflog.Info(ctx, "adopted the objects of a Helm release", map[string]any{
			"release": rel.Namespace + "/" + rel.Name, "objects": strings.Join(adopted, ", "),
		})
	}
	if err != nil {
		var re *release.ReadError
		detail := "Nothing was applied; objects taken over so far keep their Helm annotations and are taken over " +
			"again by the next apply."
		if errors.As(err, &re) {
			detail += " Check that the provider's credentials may get, list and patch the preset's objects."
		}
		diags.AddAttributeError(path.Root("adopt_helm_release"), "Cannot Take Over Helm Release",
			fmt.Sprintf("%s\n\n%s", err, detail))
		return false
	}
	return true
}

// forgetHelmRelease deletes Helm's records of the adopted release once every
// object is applied, and warns about the objects of the release that the
// preset does not render.
func forgetHelmRelease(ctx context.Context, inv *release.Inventory, plan *presetResourceModel, entries []release.Entry, diags *diag.Diagnostics) {
	rel := plan.helmRelease()
	if rel == nil {
		return
	}
	leftOver, err := inv.ForgetHelmRelease(ctx, *rel, entries)
	if len(leftOver) > 0 {
		diags.AddAttributeWarning(path.Root("adopt_helm_release"), "Helm Release Objects Left In Place",
			fmt.Sprintf("Helm release %s/%s also installed %s, which this preset does not render. They stay in the "+
				"cluster and nothing manages them any more: delete them, or change the preset's values so that it "+
				"renders them and apply again (they are then taken over).", rel.Namespace, rel.Name, strings.Join(leftOver, ", ")))
	}
	if err != nil {
		diags.AddAttributeWarning(path.Root("adopt_helm_release"), "Helm Release Records Not Deleted",
			fmt.Sprintf("Every object of the preset is applied and owned by kubedaemon, but Helm's records of release "+
				"%s/%s could not be deleted: until they are, `helm uninstall %s -n %s` would delete the objects. "+
				"Apply again, or delete them with `kubectl delete secret -n %s -l owner=helm,name=%s` (or `configmap`, "+
				"where Helm kept its records in ConfigMaps, HELM_DRIVER=configmap).\n\nOriginal Error: %s",
				rel.Namespace, rel.Name, rel.Name, rel.Namespace, rel.Namespace, rel.Name, err))
	}
}

// releaseService is .Release.Service for the render of m: "Helm" while m
// adopts a Helm release, as Helm rendered it, so that a chart that puts
// `app.kubernetes.io/managed-by: {{ .Release.Service }}` in its pod template
// renders the template Helm installed and the adoption restarts no pod;
// kubedaemon's own name otherwise. (The objects' own managed-by label is
// kubedaemon's either way: apply sets it.)
func (m *presetResourceModel) releaseService() string {
	if m.AdoptHelmRelease.ValueBool() {
		return render.DefaultService
	}
	return presetService
}
