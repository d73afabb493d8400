package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

var _ datasource.DataSourceWithConfigure = (*nodesDataSource)(nil)

// NewNodesDataSource returns the kubedaemon_nodes data source.
func NewNodesDataSource() datasource.DataSource {
	return &nodesDataSource{}
}

type nodesDataSource struct {
	data *providerData
}

type nodesDataSourceModel struct {
	ID        types.String `tfsdk:"id"`
	Selector  types.String `tfsdk:"selector"`
	NamesOnly types.Bool   `tfsdk:"names_only"`
	Names     types.List   `tfsdk:"names"`
	Nodes     []nodeModel  `tfsdk:"nodes"`
}

type nodeModel struct {
	Name              types.String `tfsdk:"name"`
	Labels            types.Map    `tfsdk:"labels"`
	Taints            []taintModel `tfsdk:"taints"`
	Ready             types.Bool   `tfsdk:"ready"`
	Unschedulable     types.Bool   `tfsdk:"unschedulable"`
	AllocatableCPU    types.String `tfsdk:"allocatable_cpu"`
	AllocatableMemory types.String `tfsdk:"allocatable_memory"`
}

type taintModel struct {
	Key    types.String `tfsdk:"key"`
	Value  types.String `tfsdk:"value"`
	Effect types.String `tfsdk:"effect"`
}

func (d *nodesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_nodes"
}

func (d *nodesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The cluster's nodes, optionally filtered by a label selector, with their labels, " +
			"taints, readiness and allocatable resources. Use it to see where node daemons can run, or to " +
			"`for_each` over nodes (e.g. to label them).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The selector used (empty for all nodes).",
			},
			"selector": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Label selector in kubectl syntax, e.g. `env=prod`, `host in (high-cpu,gpu)`, " +
					"`!node-role.kubernetes.io/control-plane`. Empty selects every node.",
				Validators: []validator.String{labelSelectorValidator{}},
			},
			"names_only": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Read only the names: `nodes` is left empty. The state then holds a few bytes per " +
					"node instead of its labels and taints, which matters in clusters of thousands of nodes when " +
					"only `names` is used (e.g. to `for_each` over them).",
			},
			"names": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Names of the selected nodes, sorted.",
			},
			"nodes": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The selected nodes, sorted by name.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{Computed: true, MarkdownDescription: "Node name."},
						"labels": schema.MapAttribute{
							Computed: true, ElementType: types.StringType, MarkdownDescription: "All labels of the node.",
						},
						"taints": schema.ListNestedAttribute{
							Computed:            true,
							MarkdownDescription: "Taints of the node, in the node's order.",
							NestedObject: schema.NestedAttributeObject{
								Attributes: map[string]schema.Attribute{
									"key":    schema.StringAttribute{Computed: true, MarkdownDescription: "Taint key."},
									"value":  schema.StringAttribute{Computed: true, MarkdownDescription: "Taint value (may be empty)."},
									"effect": schema.StringAttribute{Computed: true, MarkdownDescription: "NoSchedule, PreferNoSchedule or NoExecute."},
								},
							},
						},
						"ready": schema.BoolAttribute{
							Computed: true, MarkdownDescription: "Whether the node's Ready condition is True.",
						},
						"unschedulable": schema.BoolAttribute{
							Computed: true, MarkdownDescription: "Whether the node is cordoned.",
						},
						"allocatable_cpu": schema.StringAttribute{
							Computed: true, MarkdownDescription: "Allocatable CPU as a Kubernetes quantity, e.g. `3800m`.",
						},
						"allocatable_memory": schema.StringAttribute{
							Computed: true, MarkdownDescription: "Allocatable memory as a Kubernetes quantity, e.g. `15Gi`.",
						},
					},
				},
			},
		},
	}
}

func (d *nodesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *nodesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m nodesDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := d.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	selector := m.Selector.ValueString()
	namesOnly := m.NamesOnly.ValueBool()
	// Each node is converted as its page arrives; no page outlives its
	// conversion, however many nodes match.
	var names []string
	byName := map[string]nodeModel{}
	err := k8s.EachNode(ctx, cs, metav1.ListOptions{LabelSelector: selector}, func(n *corev1.Node) error {
		names = append(names, n.Name)
		if !namesOnly {
			nm, diags := nodeToModel(ctx, n)
			resp.Diagnostics.Append(diags...)
			byName[n.Name] = nm
		}
		return nil
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot List Nodes", fmt.Sprintf("list nodes (selector %q): %s", selector, err))
		return
	}
	sort.Strings(names)
	values := make([]attr.Value, 0, len(names))
	m.Nodes = make([]nodeModel, 0, len(byName))
	for _, name := range names {
		values = append(values, types.StringValue(name))
		if nm, ok := byName[name]; ok {
			m.Nodes = append(m.Nodes, nm)
		}
	}
	m.ID = types.StringValue(selector)
	m.Names = types.ListValueMust(types.StringType, values)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func nodeToModel(ctx context.Context, n *corev1.Node) (nodeModel, diag.Diagnostics) {
	lbls, diags := types.MapValueFrom(ctx, types.StringType, n.Labels)
	ready := k8s.NodeReady(n)
	taints := make([]taintModel, 0, len(n.Spec.Taints))
	for _, t := range n.Spec.Taints {
		taints = append(taints, taintModel{
			Key: types.StringValue(t.Key), Value: types.StringValue(t.Value), Effect: types.StringValue(string(t.Effect)),
		})
	}
	cpu := n.Status.Allocatable[corev1.ResourceCPU]
	mem := n.Status.Allocatable[corev1.ResourceMemory]
	return nodeModel{
		Name:              types.StringValue(n.Name),
		Labels:            lbls,
		Taints:            taints,
		Ready:             types.BoolValue(ready),
		Unschedulable:     types.BoolValue(n.Spec.Unschedulable),
		AllocatableCPU:    types.StringValue(cpu.String()),
		AllocatableMemory: types.StringValue(mem.String()),
	}, diags
}

// labelSelectorValidator checks kubectl label-selector syntax at plan time.
type labelSelectorValidator struct{}

func (labelSelectorValidator) Description(context.Context) string {
	return "value must be a Kubernetes label selector"
}

func (v labelSelectorValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (labelSelectorValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := labels.Parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Label Selector",
			fmt.Sprintf("%q is not a label selector. Use kubectl's syntax, e.g. \"env=prod\", \"env!=dev\", "+
				"\"host in (high-cpu,gpu)\" or \"!dedicated\".\n\nOriginal Error: %s", req.ConfigValue.ValueString(), err))
	}
}
