package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
)

// metadataIgnore is the provider's ignore_labels and ignore_annotations:
// label and annotation keys whose changes by other tools are not drift.
type metadataIgnore struct {
	labels      []*regexp.Regexp
	annotations []*regexp.Regexp
}

// ignoreMetadataAttribute is the schema of ignore_labels or ignore_annotations
// (what is "labels" or "annotations").
func ignoreMetadataAttribute(what string) schema.ListAttribute {
	return schema.ListAttribute{
		ElementType: types.StringType,
		Optional:    true,
		MarkdownDescription: "Regular expressions (Go syntax, unanchored) of " + what + " keys that other tools " +
			"manage, as in the hashicorp/kubernetes provider. kubedaemon reads back only the " + what + " a " +
			"configuration sets, so " + what + " that other tools add never show as drift, with or without this " +
			"setting. A key the configuration sets that matches keeps its configured value in the state when " +
			"another tool changes it, so that change is no drift either (the next apply that changes the " +
			"object sends the configured value again). Applies to the metadata of kubedaemon_daemonset and " +
			"of its pod template, and to that of every object of a kubedaemon_preset and of its pod template; " +
			"never to the marks kubedaemon_preset keeps its objects by (`" + release.ManagedByLabel + "`, `" +
			release.InventoryAnnotation + "`, `" + release.AppliedAnnotation + "`).",
		Validators: []validator.List{regexpsValidator{}},
	}
}

// regexpsValidator checks that every element of a list of strings is a
// regular expression.
type regexpsValidator struct{}

func (regexpsValidator) Description(context.Context) string {
	return "each element must be a regular expression"
}

func (v regexpsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexpsValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if _, err := regexp.Compile(s.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Invalid Regular Expression",
				fmt.Sprintf("%q is not a regular expression (Go syntax, as hashicorp/kubernetes). Escape "+
					"special characters, e.g. \"example\\\\.com/.*\" for keys under example.com/.\n\nOriginal Error: %s",
					s.ValueString(), err))
		}
	}
}

// ignoreRules compiles ignore_labels and ignore_annotations. Unknown lists
// (rare: they come from other resources) ignore nothing until Terraform
// configures the provider again with their values.
func (m kubedaemonProviderModel) ignoreRules(ctx context.Context) (metadataIgnore, diag.Diagnostics) {
	var diags diag.Diagnostics
	compile := func(attr string, l types.List) []*regexp.Regexp {
		if l.IsNull() || l.IsUnknown() {
			return nil
		}
		var exprs []string
		diags.Append(l.ElementsAs(ctx, &exprs, false)...)
		var out []*regexp.Regexp
		for i, e := range exprs {
			re, err := regexp.Compile(e)
			if err != nil {
				diags.AddAttributeError(path.Root(attr).AtListIndex(i), "Invalid Regular Expression",
					fmt.Sprintf("%q is not a regular expression.\n\nOriginal Error: %s", e, err))
				continue
			}
			out = append(out, re)
		}
		return out
	}
	return metadataIgnore{
		labels:      compile("ignore_labels", m.IgnoreLabels),
		annotations: compile("ignore_annotations", m.IgnoreAnnotations),
	}, diags
}

// releaseIgnore is ignore_labels and ignore_annotations for the objects of a
// kubedaemon_preset, whose drift internal/release computes.
func (d *providerData) releaseIgnore() release.MetadataIgnore {
	if d == nil {
		return release.MetadataIgnore{}
	}
	return release.MetadataIgnore{Labels: d.ignore.labels, Annotations: d.ignore.annotations}
}

func matchesAny(res []*regexp.Regexp, key string) bool {
	for _, re := range res {
		if re.MatchString(key) {
			return true
		}
	}
	return false
}

// keepIgnoredMetadata makes the labels and annotations of live (the
// DaemonSet's and its pod template's) that match the ignore rules and that
// the prior state holds read back with their prior values, so that another
// tool changing them is no drift. prior is the API JSON of the prior state
// (modelDocument). Keys the prior state does not hold are left alone: Read
// keeps only the keys the state has.
func (ig metadataIgnore) keepIgnoredMetadata(live *appsv1.DaemonSet, prior map[string]any) {
	if live == nil {
		return
	}
	ig.keep(&live.ObjectMeta, objectAt(prior, "metadata"))
	ig.keep(&live.Spec.Template.ObjectMeta, objectAt(prior, "spec", "template", "metadata"))
}

func (ig metadataIgnore) keep(live *metav1.ObjectMeta, prior map[string]any) {
	live.Labels = keepMatching(live.Labels, objectAt(prior, "labels"), ig.labels)
	live.Annotations = keepMatching(live.Annotations, objectAt(prior, "annotations"), ig.annotations)
}

// keepMatching returns live with each key that matches res and that prior
// holds set to prior's value.
func keepMatching(live map[string]string, prior map[string]any, res []*regexp.Regexp) map[string]string {
	if len(res) == 0 || len(prior) == 0 {
		return live
	}
	for k, v := range prior {
		s, ok := v.(string)
		if !ok || !matchesAny(res, k) {
			continue
		}
		if live == nil {
			live = map[string]string{}
		}
		live[k] = s
	}
	return live
}

// dropIgnored removes from an API metadata object (labels and annotations
// maps as JSON) the keys that match the ignore rules.
func (ig metadataIgnore) dropIgnored(meta map[string]any) {
	for _, f := range []struct {
		field string
		res   []*regexp.Regexp
	}{{"labels", ig.labels}, {"annotations", ig.annotations}} {
		m := objectAt(meta, f.field)
		for k := range m {
			if matchesAny(f.res, k) {
				delete(m, k)
			}
		}
	}
}

// objectAt is the JSON object at keys under m, or nil.
func objectAt(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}
