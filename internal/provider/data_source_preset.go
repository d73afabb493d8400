package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSource = (*presetDataSource)(nil)

// NewPresetDataSource returns the kubedaemon_preset data source.
func NewPresetDataSource() datasource.DataSource {
	return &presetDataSource{}
}

// presetDataSource renders a preset without touching the cluster.
type presetDataSource struct{}

type presetDataSourceModel struct {
	Preset     types.String            `tfsdk:"preset"`
	Name       types.String            `tfsdk:"name"`
	Namespace  types.String            `tfsdk:"namespace"`
	Values     types.List              `tfsdk:"values"`
	Set        types.List              `tfsdk:"set"`
	Strict     types.Bool              `tfsdk:"strict"`
	ID         types.String            `tfsdk:"id"`
	Manifest   types.String            `tfsdk:"manifest"`
	Objects    []presetDataObjectModel `tfsdk:"objects"`
	DaemonSets []types.String          `tfsdk:"daemonsets"`
}

type presetDataObjectModel struct {
	Key        types.String `tfsdk:"key"`
	Kind       types.String `tfsdk:"kind"`
	APIVersion types.String `tfsdk:"api_version"`
	Namespace  types.String `tfsdk:"namespace"`
	Name       types.String `tfsdk:"name"`
	YAML       types.String `tfsdk:"yaml"`
}

func (m presetDataSourceModel) inputs() presetInputs {
	return presetInputs{Preset: m.Preset, Name: m.Name, Namespace: m.Namespace, Values: m.Values, Set: m.Set, Strict: m.Strict}
}

func (d *presetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preset"
}

func (d *presetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := presetInputDataSourceAttributes()
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "`namespace/name` of the release."}
	attrs["manifest"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "Every object as one multi-document YAML stream, in install order, byte for byte " +
			"what `kubedaemon render` prints for the same inputs (e.g. to hand to another tool or commit for review).",
	}
	attrs["objects"] = schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: "The rendered objects, in install order.",
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"key": schema.StringAttribute{
					Computed: true, MarkdownDescription: "`kind/namespace/name` (empty namespace for cluster-scoped kinds), the key of `kubedaemon_preset`'s `objects`.",
				},
				"kind":        schema.StringAttribute{Computed: true, MarkdownDescription: "Kind, e.g. `DaemonSet`."},
				"api_version": schema.StringAttribute{Computed: true, MarkdownDescription: "API version, e.g. `apps/v1`."},
				"namespace": schema.StringAttribute{
					Computed: true, MarkdownDescription: "Namespace; empty for cluster-scoped kinds.",
				},
				"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name."},
				"yaml": schema.StringAttribute{Computed: true, MarkdownDescription: "The object as one YAML document."},
			},
		},
	}
	attrs["daemonsets"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "`namespace/name` of each DaemonSet the preset renders.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders a preset (built-in or a folder) with values, without touching the cluster: " +
			"the same engine and the same bytes as `kubedaemon render`. Use it to review or export manifests; " +
			"use the `kubedaemon_preset` resource to install them.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"set": presetSetDataSourceBlock()},
	}
}

func (d *presetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m presetDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pr := m.inputs().toRequest(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	res := renderPreset(pr, &resp.Diagnostics)
	if res == nil {
		return
	}
	name, ns := res.Name, res.Namespace
	objs := presetObjectsOf(res)
	m.ID = types.StringValue(ns + "/" + name)
	m.Manifest = types.StringValue(string(res.Manifest))
	m.Objects = make([]presetDataObjectModel, 0, len(objs))
	for _, o := range objs {
		m.Objects = append(m.Objects, presetDataObjectModel{
			Key: types.StringValue(o.Key), Kind: types.StringValue(o.Kind), APIVersion: types.StringValue(o.APIVersion),
			Namespace: types.StringValue(o.Namespace), Name: types.StringValue(o.Name), YAML: types.StringValue(o.YAML),
		})
	}
	m.DaemonSets = []types.String{}
	for _, ds := range presetDaemonSets(objs) {
		m.DaemonSets = append(m.DaemonSets, types.StringValue(ds))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
