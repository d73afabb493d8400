package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// presetService is .Release.Service in kubedaemon_preset: the objects'
// managed-by label then says who manages them, as apply sets it anyway.
const presetService = "kubedaemon"

// presetRendered is a render of a kubedaemon_preset, for its plan or its
// apply: what to apply, and what the plan and the state hold of it.
type presetRendered struct {
	name, namespace string
	// entries are the objects to apply, in install order: YAML as rendered,
	// Recorded with secret values redacted where they differ.
	entries []release.Entry
	// objects are the objects as the state holds them (redacted).
	objects []presetObject
	// manifest is the render's YAML stream, redacted.
	manifest string
	// crds are the names of the chart's CustomResourceDefinitions, and
	// crdDocs their YAML, created before anything else when missing.
	crds    []string
	crdDocs []string
	// redact hides the sensitive values in a text, e.g. an API error.
	redact func(string) string
}

// presetConfigInputs are the inputs of a render as the configuration holds
// them: the planned values are not enough, as write-only values
// (set_sensitive values, sensitive_values) exist only in the configuration.
func presetConfigInputs(ctx context.Context, cfg presetResourceModel, diags *diag.Diagnostics) (req presetRequest, sensitive []string, known bool) {
	in := presetInputs{Preset: cfg.Preset, Name: cfg.Name, Namespace: cfg.Namespace, Values: cfg.Values, Set: cfg.Set, Strict: cfg.Strict}
	if !in.known(ctx) || !presetListKnown(cfg.SensitiveValues) || !presetSetsKnown(ctx, cfg.SetSensitive) {
		return presetRequest{}, nil, false
	}
	req = in.toRequest(ctx, diags)
	var docs []types.String
	diags.Append(cfg.SensitiveValues.ElementsAs(ctx, &docs, false)...)
	req.addValues(path.Root("sensitive_values"), docs)
	for _, d := range docs {
		sensitive = append(sensitive, presetStringLeaves(d.ValueString())...)
	}
	var sets []presetSetModel
	diags.Append(cfg.SetSensitive.ElementsAs(ctx, &sets, false)...)
	req.addSets("set_sensitive", sets)
	for _, s := range sets {
		sensitive = append(sensitive, s.Value.ValueString())
		if s.Type.ValueString() == "json" {
			sensitive = append(sensitive, presetStringLeaves(s.Value.ValueString())...)
		}
	}
	redactor := release.NewRedactor(sensitive)
	req.redact = redactor.Text
	return req, sensitive, true
}

// presetListKnown reports whether a list and its elements are known.
func presetListKnown(l types.List) bool {
	if l.IsUnknown() {
		return false
	}
	for _, v := range l.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// presetSetsKnown reports whether every set_sensitive block is known.
func presetSetsKnown(ctx context.Context, l types.List) bool {
	return presetInputs{Set: l}.known(ctx)
}

// presetStringLeaves lists the string and number values of a YAML or JSON
// document, the parts of a sensitive document that may reach an object.
// Booleans are left out: "true" and "false" would mask every other one.
func presetStringLeaves(doc string) []string {
	var v any
	if yaml.Unmarshal([]byte(doc), &v) != nil {
		return []string{doc}
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		case string:
			out = append(out, x)
		case float64:
			// As a template prints it, and as YAML would write it.
			out = append(out, fmt.Sprint(x), strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	walk(v)
	return out
}

// renderPresetResource renders the preset of a configuration against the
// cluster (its version, API versions and kinds; lookup reads it), as an
// install or an upgrade. known is false when an input, or the cluster the
// provider will reach, is not known yet: the objects are then known only at
// apply. Test hooks are left out; other hooks fail.
func (r *presetResource) renderPresetResource(ctx context.Context, cfg presetResourceModel, upgrade bool, diags *diag.Diagnostics) (out *presetRendered, known bool) {
	req, sensitive, known := presetConfigInputs(ctx, cfg, diags)
	if !known || diags.HasError() {
		return nil, known
	}
	// NOTE: without the cluster's facts the preset still renders, with
	// Helm's client-only defaults, so that mistakes in the inputs show
	// first, on their attributes; the cluster's error comes after.
	var factsDiags diag.Diagnostics
	facts := r.data.clusterFacts(&factsDiags)
	facts.applyTo(&req.Request)
	req.Service = cfg.releaseService()
	req.IsUpgrade = upgrade
	req.SkipTests = true
	res := renderPreset(req, diags)
	if res == nil {
		return nil, true
	}
	refuseHooks(req.Preset, res, diags)
	if diags.HasError() {
		return nil, true
	}
	if factsDiags.HasError() {
		diags.Append(factsDiags...)
		return nil, true
	}
	if facts == nil {
		// The provider's connection is not known yet (a cluster created in
		// the same apply): the render at apply, with the cluster's facts,
		// decides the objects.
		return nil, false
	}
	return presetRecord(res, release.NewRedactor(sensitive), diags), true
}

// presetRecord turns a render into what is applied and what the plan and
// the state hold of it: the same objects with their secret values redacted.
func presetRecord(res *render.Result, redactor *release.Redactor, diags *diag.Diagnostics) *presetRendered {
	out := &presetRendered{name: res.Name, namespace: res.Namespace, redact: redactor.Text}
	manifest := string(res.Manifest)
	for _, o := range presetObjectsOf(res) {
		recorded, err := redactor.Object(o.Kind, o.APIVersion, o.YAML)
		if err != nil {
			diags.AddAttributeError(pathPreset, "Cannot Redact Secret", fmt.Sprintf("%s: %s", o.Key, err))
			return nil
		}
		e := release.Entry{Key: o.Key, YAML: o.YAML}
		if recorded != o.YAML {
			e.Recorded = recorded
			// NOTE: the manifest holds each object's YAML verbatim, so the
			// redacted form replaces it there too.
			manifest = strings.Replace(manifest, o.YAML, recorded, 1)
		}
		out.entries = append(out.entries, e)
		o.YAML = recorded
		out.objects = append(out.objects, o)
	}
	out.manifest = redactor.Text(manifest)
	for _, c := range res.CRDs {
		out.crds = append(out.crds, c.Name)
		out.crdDocs = append(out.crdDocs, string(c.YAML))
	}
	return out
}

// unstableObjects lists the keys of the objects two renders of the same
// inputs disagree on: templates that call randAlphaNum, uuidv4, now or
// genCA render anew each time.
func unstableObjects(a, b *presetRendered) []string {
	byKey := make(map[string]string, len(b.objects))
	for _, o := range b.objects {
		byKey[o.Key] = o.YAML
	}
	var out []string
	for _, o := range a.objects {
		if y, ok := byKey[o.Key]; !ok || y != o.YAML {
			out = append(out, o.Key)
		}
	}
	if len(out) == 0 && len(a.objects) != len(b.objects) {
		out = append(out, "the list of objects")
	}
	return out
}

// refuseHooks fails the plan on a chart's hooks other than tests, which are
// left out: kubedaemon keeps no Helm release, so it cannot run a hook at
// the point of the release's life that the chart relies on.
func refuseHooks(preset string, res *render.Result, diags *diag.Diagnostics) {
	for _, h := range res.Hooks {
		if h.IsTest() {
			continue
		}
		diags.AddAttributeError(pathPreset, "Chart Has Helm Hooks",
			fmt.Sprintf("Preset %q renders %s %s from %s as a Helm hook (helm.sh/hook: %s). kubedaemon applies "+
				"every object with server-side apply and keeps no Helm release, so it cannot run a hook before or "+
				"after install, upgrade or delete as Helm does, and does not apply it as a plain object either, "+
				"which could run it at the wrong time. Remove the hook annotation where the object may be applied "+
				"with the others, or install this chart with Helm. Test hooks (helm.sh/hook: test) are left out "+
				"without an error.", preset, h.Kind, h.Name, h.Source, strings.Join(h.Events, ",")))
	}
}

// sameAsPlanned reports whether a render at apply time recorded exactly the
// objects the plan holds.
func (p *presetRendered) sameAsPlanned(ctx context.Context, plan presetResourceModel) (bool, diag.Diagnostics) {
	var planned map[string]string
	diags := plan.Objects.ElementsAs(ctx, &planned, false)
	if len(planned) != len(p.objects) {
		return false, diags
	}
	for _, o := range p.objects {
		if planned[o.Key] != o.YAML {
			return false, diags
		}
	}
	return true, diags
}
