package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/placement"
)

var _ datasource.DataSourceWithConfigure = (*placementDataSource)(nil)

// NewPlacementDataSource returns the kubedaemon_placement data source.
func NewPlacementDataSource() datasource.DataSource {
	return &placementDataSource{}
}

type placementDataSource struct {
	data *providerData
}

type placementDataSourceModel struct {
	placementModel
	Nodes    types.List               `tfsdk:"nodes"`
	Excluded []placementExcludedModel `tfsdk:"excluded"`
	Notes    types.List               `tfsdk:"notes"`
}

type placementExcludedModel struct {
	Node   types.String `tfsdk:"node"`
	Reason types.String `tfsdk:"reason"`
	Kind   types.String `tfsdk:"kind"`
}

func (d *placementDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_placement"
}

func (d *placementDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := placementAttributes()
	attrs["nodes"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Nodes on which a DaemonSet with these placement fields runs a pod, sorted.",
	}
	attrs["excluded"] = schema.ListNestedAttribute{
		Computed: true,
		MarkdownDescription: "Why each other node gets no pod, one entry per reason (a node excluded for two reasons " +
			"appears twice), sorted by node.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"node": schema.StringAttribute{Computed: true, MarkdownDescription: "Node name."},
			"reason": schema.StringAttribute{Computed: true, MarkdownDescription: "Why, e.g. " +
				"`label env=prod not matched (node has env=dev)` or `untolerated taint dedicated=gpu:NoSchedule`."},
			"kind": schema.StringAttribute{Computed: true, MarkdownDescription: "`node-name`, `node-selector`, " +
				"`affinity`, `taint`, `not-ready` or `unschedulable`."},
		}},
	}
	attrs["notes"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "What the evaluation left out although it can keep pods off some of `nodes`: " +
			"required pod affinity and pod anti-affinity, which the scheduler checks against the pods running at " +
			"that moment. Empty when nothing was left out; the plan also shows each note as a warning.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Where a DaemonSet with the given placement fields (the pod template's `node_selector`, " +
			"`affinity` and `toleration`, same blocks as the DaemonSet resource) would run, and why not elsewhere, " +
			"from the cluster's current nodes. It applies the DaemonSet controller's rules with the Kubernetes " +
			"scheduling helpers: required node affinity, NoSchedule and NoExecute taints, and the tolerations the " +
			"controller adds to every daemon pod (node conditions, and cordons: a cordoned node still runs " +
			"daemons). Preferred affinity and PreferNoSchedule never exclude a node.\n\n" +
			"Pod affinity and pod anti-affinity are accepted (the `affinity` block is the DaemonSet resource's) " +
			"but not evaluated: the DaemonSet controller ignores them when it decides which nodes get a pod, so " +
			"`nodes` stays exact for where pods are created, but the scheduler then leaves a pod Pending where a " +
			"required term fails. Evaluating that would need the pods' own labels and namespace and the cluster's " +
			"pods at scheduling time, which a plan cannot promise; `notes` and a warning say when such terms are " +
			"present.",
		Attributes: attrs,
		Blocks:     placementBlocks(),
	}
}

func (d *placementDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// notePaths are the attribute paths of the fields placement.Unevaluated
// names.
var notePaths = map[placement.NoteField]path.Path{
	placement.FieldPodAffinity:     path.Root("affinity").AtName("pod_affinity").AtName("required_during_scheduling_ignored_during_execution"),
	placement.FieldPodAntiAffinity: path.Root("affinity").AtName("pod_anti_affinity").AtName("required_during_scheduling_ignored_during_execution"),
}

func (d *placementDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m placementDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := d.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	spec, err := m.podSpec()
	if err != nil {
		resp.Diagnostics.AddError("Invalid Placement Fields", fmt.Sprintf("The placement fields do not form a pod "+
			"spec's: %s. Check affinity and toleration against the DaemonSet resource's blocks.", err))
		return
	}
	// Nodes are evaluated page by page as they arrive: only names and
	// reasons are kept, however large the cluster.
	eval := placement.NewEvaluator(spec)
	fits := []string{}
	var excluded []placement.Exclusion
	err = k8s.EachNode(ctx, cs, metav1.ListOptions{}, func(n *corev1.Node) error {
		if reasons := eval.Explain(n); len(reasons) > 0 {
			excluded = append(excluded, reasons...)
		} else {
			fits = append(fits, n.Name)
		}
		return nil
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot List Nodes", fmt.Sprintf("list nodes: %s", err))
		return
	}
	sort.Strings(fits)
	sort.SliceStable(excluded, func(i, j int) bool { return excluded[i].Node < excluded[j].Node })
	notes := []string{}
	for _, n := range placement.Unevaluated(spec) {
		notes = append(notes, n.Text)
		resp.Diagnostics.AddAttributeWarning(notePaths[n.Field], "Pod Affinity Not Evaluated",
			fmt.Sprintf("kubedaemon_placement lists the nodes on which the DaemonSet controller creates pods, but the "+
				"%s. Check the pods with `kubectl get pods -o wide` after the apply, or use node affinity or a "+
				"node_selector, which the placement evaluates, to express where the daemon runs.", n.Text))
	}
	m.Notes = stringList(notes)
	m.Nodes = stringList(fits)
	m.Excluded = make([]placementExcludedModel, 0, len(excluded))
	for _, e := range excluded {
		m.Excluded = append(m.Excluded, placementExcludedModel{
			Node: types.StringValue(e.Node), Reason: types.StringValue(e.Reason), Kind: types.StringValue(e.Kind),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
