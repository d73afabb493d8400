package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// presetSetTypes are the allowed values of a set block's type: auto parses
// the value as --set does, string keeps it a string (--set-string), json
// parses it as JSON (--set-json).
var presetSetTypes = []string{"auto", "string", "json"}

// presetInputs are the attributes the data source and the resource share.
type presetInputs struct {
	Preset    types.String `tfsdk:"preset"`
	Name      types.String `tfsdk:"name"`
	Namespace types.String `tfsdk:"namespace"`
	Values    types.List   `tfsdk:"values"`
	// Set holds presetSetModel objects; a types.List keeps a config without
	// set blocks exactly as Terraform sent it.
	Set types.List `tfsdk:"set"`
	// Strict fails a template that reads a value nobody set.
	Strict types.Bool `tfsdk:"strict"`
}

// presetSetModel is one set block.
type presetSetModel struct {
	Name  types.String `tfsdk:"name"`
	Value types.String `tfsdk:"value"`
	Type  types.String `tfsdk:"type"`
}

// Descriptions of the shared attributes, one place for both schemas.
const (
	presetPresetDescription = "A built-in preset (`fluent-bit`, `fluentd`, `node-exporter`, `csi-node`, `node-problem-detector`, " +
		"`otel-collector-agent`), the " +
		"path of a Helm chart folder (`Chart.yaml`, `values.yaml`, `templates/`, optional `values.schema.json`, " +
		"`charts/`, `crds/`), e.g. `\"${path.module}/charts/log-compressor\"`, or the path of a packaged chart " +
		"(`.tgz`). Helm's own libraries render it, as `helm template` does."
	presetNameDescription = "Release name: the base of every object's name (`.Release.Name`). Defaults to the " +
		"chart's name."
	presetNamespaceDescription = "Namespace of the preset's objects (`.Release.Namespace`). Defaults to the " +
		"chart's `kubedaemon.dev/namespace` annotation in `Chart.yaml`, or `default`."
	presetValuesDescription = "Values documents (YAML or JSON maps, e.g. `yamlencode({...})` or `file(\"values.yaml\")`), " +
		"merged in order over the preset's defaults: maps merge, lists and scalars replace, `null` deletes a default."
	presetSetDescription = "One value at a values path, applied after `values`, as `helm --set`: e.g. " +
		"`name = \"image.tag\"`, `value = \"v1.9.1\"`."
	presetSetNameDescription  = "Values path, e.g. `image.tag`, `tolerations[0].key` or `podAnnotations.example\\.com/team`."
	presetSetValueDescription = "The value, read according to `type`."
	presetStrictDescription   = "Fail when a template reads a value that nobody set, as `helm lint --strict` " +
		"(and `kubedaemon render --strict`) does. By default such a value is empty, as in `helm template` and " +
		"`helm install`. Defaults to `false`."
)

// presetSetTypeDescription documents the type attribute of a set block.
func presetSetTypeDescription() string {
	return "How `value` is read: `auto` (as `--set`: `true`, numbers and `null` become those types), " +
		"`string` (always a string, as `--set-string`), `json` (a JSON value, as `--set-json`). " +
		oneOf(presetSetTypes) + " Defaults to `auto`."
}

// known reports whether every input is known, that is whether the preset
// can be rendered now (at plan time, values computed from other resources may
// not be).
func (in presetInputs) known(ctx context.Context) bool {
	if in.Preset.IsUnknown() || in.Strict.IsUnknown() || in.Name.IsUnknown() || in.Namespace.IsUnknown() || in.Values.IsUnknown() || in.Set.IsUnknown() {
		return false
	}
	for _, v := range in.Values.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	var sets []presetSetModel
	if diags := in.Set.ElementsAs(ctx, &sets, false); diags.HasError() {
		return false
	}
	for _, s := range sets {
		if s.Name.IsUnknown() || s.Value.IsUnknown() || s.Type.IsUnknown() {
			return false
		}
	}
	return true
}

// presetRequest is a render request and where each of its inputs came from.
type presetRequest struct {
	render.Request
	// setOf maps the render source of each --set, --set-string and
	// --set-json expression to the block that wrote it.
	setOf map[render.Source]presetSetRef
	// valuesAttr names the attribute of each values document, by index:
	// values[i] or sensitive_values[i].
	valuesAttr []path.Path
	// redact hides sensitive values in error texts.
	redact func(string) string
}

// presetSetRef is one set or set_sensitive block.
type presetSetRef struct {
	block string
	index int
	name  string
}

// toRequest converts the inputs; a null type is auto.
func (in presetInputs) toRequest(ctx context.Context, diags *diag.Diagnostics) presetRequest {
	req := presetRequest{
		Request: render.Request{
			Preset:    in.Preset.ValueString(),
			Name:      in.Name.ValueString(),
			Namespace: in.Namespace.ValueString(),
			Strict:    in.Strict.ValueBool(),
		},
		setOf:  map[render.Source]presetSetRef{},
		redact: func(s string) string { return s },
	}
	var docs []types.String
	diags.Append(in.Values.ElementsAs(ctx, &docs, false)...)
	req.addValues(path.Root("values"), docs)
	var sets []presetSetModel
	diags.Append(in.Set.ElementsAs(ctx, &sets, false)...)
	req.addSets("set", sets)
	return req
}

// addValues appends values documents written by the list attribute at.
func (req *presetRequest) addValues(at path.Path, docs []types.String) {
	for i, d := range docs {
		req.ValuesYAML = append(req.ValuesYAML, []byte(d.ValueString()))
		req.valuesAttr = append(req.valuesAttr, at.AtListIndex(i))
	}
}

// addSets appends the --set expressions of the blocks named block.
func (req *presetRequest) addSets(block string, sets []presetSetModel) {
	for i, s := range sets {
		expr := s.Name.ValueString() + "=" + s.Value.ValueString()
		ref := presetSetRef{block: block, index: i, name: s.Name.ValueString()}
		switch s.Type.ValueString() {
		case "string":
			req.setOf[render.Source{Kind: render.SourceSetString, Index: len(req.SetString)}] = ref
			req.SetString = append(req.SetString, expr)
		case "json":
			req.setOf[render.Source{Kind: render.SourceSetJSON, Index: len(req.SetJSON)}] = ref
			req.SetJSON = append(req.SetJSON, expr)
		default:
			req.setOf[render.Source{Kind: render.SourceSet, Index: len(req.Set)}] = ref
			req.Set = append(req.Set, expr)
		}
	}
}

// renderPreset renders the request, turning errors into diagnostics on the
// attribute at fault. It returns nil when rendering failed.
func renderPreset(req presetRequest, diags *diag.Diagnostics) *render.Result {
	res, err := render.Render(req.Request)
	if err != nil {
		addRenderErrors(req, err, diags)
		return nil
	}
	return res
}

// addRenderErrors adds one diagnostic per error: a values error on the values
// element or set block that set the value, a template error on preset.
// Sensitive values never appear in the texts.
func addRenderErrors(req presetRequest, err error, diags *diag.Diagnostics) {
	for _, e := range flattenErrors(err) {
		var ve *render.ValuesError
		var te *render.TemplateError
		switch {
		case errors.As(e, &ve):
			addValuesError(req, ve, diags)
		case errors.As(e, &te):
			detail := fmt.Sprintf("Preset %q does not render: %s", req.Preset, te)
			if te.ValuesPath != "" {
				detail += fmt.Sprintf("\n\nThe failing expression reads the value %q: check it in values or set.", te.ValuesPath)
			}
			diags.AddAttributeError(pathPreset, "Cannot Render Preset", req.redact(detail))
		default:
			diags.AddAttributeError(pathPreset, "Cannot Render Preset", req.redact(
				fmt.Sprintf("Preset %q does not render. Check the preset name, chart folder or archive, or the "+
					"templates of the chart.\n\nOriginal Error: %s", req.Preset, e)))
		}
	}
}

// addValuesError points a values error at its input.
func addValuesError(req presetRequest, ve *render.ValuesError, diags *diag.Diagnostics) {
	at := "the values"
	if ve.Path != "" {
		at = fmt.Sprintf("the value at %q", ve.Path)
	}
	msg := req.redact(ve.Msg)
	switch ve.Source.Kind {
	case render.SourceDefaults:
		// The chart's own defaults are at fault: nothing the user wrote.
		diags.AddAttributeError(pathPreset, "Invalid Preset Defaults",
			fmt.Sprintf("The defaults of preset %q are invalid (%s): %s. Fix the chart's values.yaml.", req.Preset, at, msg))
	case render.SourceValues:
		attr := path.Root("values").AtListIndex(ve.Source.Index)
		if ve.Source.Index < len(req.valuesAttr) {
			attr = req.valuesAttr[ve.Source.Index]
		}
		diags.AddAttributeError(attr, "Invalid Preset Value", fmt.Sprintf("%s: %s is invalid: %s.", attr, at, msg))
	default:
		ref, ok := req.setOf[render.Source{Kind: ve.Source.Kind, Index: ve.Source.Index}]
		if !ok {
			diags.AddAttributeError(path.Root("set"), "Invalid Preset Value", fmt.Sprintf("%s: %s is invalid: %s.", ve.Source, at, msg))
			return
		}
		diags.AddAttributeError(path.Root(ref.block).AtListIndex(ref.index), "Invalid Preset Value",
			fmt.Sprintf("The %s block %d (name %q) makes %s invalid: %s.", ref.block, ref.index, ref.name, at, msg))
	}
}

// flattenErrors unwraps errors.Join trees into their leaves.
func flattenErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// pathPreset is the preset attribute, where preset-level errors point.
var pathPreset = path.Root("preset")
