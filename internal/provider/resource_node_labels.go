package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

var (
	_ resource.ResourceWithConfigure      = (*nodeLabelsResource)(nil)
	_ resource.ResourceWithImportState    = (*nodeLabelsResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*nodeLabelsResource)(nil)
	_ resource.ResourceWithValidateConfig = (*nodeLabelsResource)(nil)
)

// NewNodeLabelsResource returns the kubedaemon_node_labels resource.
func NewNodeLabelsResource() resource.Resource {
	return &nodeLabelsResource{nodeTarget: labelsTarget}
}

type nodeLabelsResource struct {
	nodeTarget
}

type nodeLabelsResourceModel struct {
	ID             types.String  `tfsdk:"id"`
	NodeName       types.String  `tfsdk:"node_name"`
	NodeSelector   types.Map     `tfsdk:"node_selector"`
	Labels         types.Map     `tfsdk:"labels"`
	ForceConflicts types.Bool    `tfsdk:"force_conflicts"`
	FieldManager   types.String  `tfsdk:"field_manager"`
	Nodes          nodeListValue `tfsdk:"nodes"`
}

func (r *nodeLabelsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node_labels"
}

func (r *nodeLabelsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = nodeLabelsSchemaV0()
}

func nodeLabelsSchemaV0() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Labels on one node, or on every node that matches `node_selector`, managed with " +
			"server-side apply under a field manager of this resource alone (`field_manager`). The resource owns " +
			"exactly the keys in `labels`: removing a key, or destroying the resource, removes only those keys, " +
			"and every other label (the kubelet's, `kubectl label`'s, another state's) stays. Two instances on one " +
			"node coexist when their keys differ; a key that someone else owns with another value is a conflict " +
			"unless `force_conflicts`.\n\n" +
			"The field manager is `kubedaemon-labels-<id>`, with `id` random at creation and kept for the life " +
			"of the instance. Replacing the instance gives it a new manager (the old one releases its keys " +
			"when it is destroyed). Import adopts the labels: if one kubedaemon instance's manager owns all the " +
			"keys (a state that was lost), the import reuses it; otherwise it takes shared ownership with a new " +
			"one, and a key also owned by another manager (e.g. `kubectl label`) stays on the node after destroy " +
			"until that manager releases it too. A release of keys that no other manager owns is one JSON merge " +
			"patch per node, made only if the node is unchanged since it was read (uid and resourceVersion), which " +
			"costs the API server about a third less than a server-side apply; a key that another manager shares, " +
			"or a node that changed meanwhile, is released with server-side apply, which keeps what others own." +
			labelsTarget.scaleDescription("labels"),
		Attributes: nodeLabelsAttributes(),
	}
}

func nodeLabelsAttributes() map[string]schema.Attribute {
	attrs := labelsTarget.attributes("Random identifier of this instance, part of its field manager.",
		"Take over keys that another field manager owns with a different value. "+
			"Default `false`: such a key is an error naming it, its value and its owner.")
	for name, a := range map[string]schema.Attribute{
		"labels": schema.MapAttribute{
			Required: true, ElementType: types.StringType,
			MarkdownDescription: "Labels this resource owns. Keys and values follow Kubernetes' rules " +
				"(optional DNS-subdomain prefix and `/`, then a name of at most 63 characters; values at most " +
				"63 characters). Keys under `kubernetes.io/` and `k8s.io/` are allowed with a warning.",
		},
		"field_manager": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "The server-side apply field manager that owns this resource's labels.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	} {
		attrs[name] = a
	}
	return attrs
}

func (r *nodeLabelsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m nodeLabelsResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateLabelMap(m.Labels, path.Root("labels"), true, &resp.Diagnostics)
	validateLabelMap(m.NodeSelector, path.Root("node_selector"), false, &resp.Diagnostics)
}

// validateLabelMap checks every known key and value of a label map by
// Kubernetes' rules and reports each problem at its key.
func validateLabelMap(m types.Map, p path.Path, warnSystem bool, diags *diag.Diagnostics) {
	if m.IsNull() || m.IsUnknown() {
		return
	}
	for k, v := range m.Elements() {
		at := p.AtMapKey(k)
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			diags.AddAttributeError(at, "Invalid Label Key",
				fmt.Sprintf("%q is not a valid label key: %s. A key is an optional DNS subdomain prefix and \"/\" "+
					"(e.g. \"example.com/\"), then a name of at most 63 characters: letters, digits, '-', '_' and "+
					"'.', starting and ending with a letter or digit.", k, strings.Join(errs, "; ")))
		} else if warnSystem && isSystemLabelKey(k) {
			diags.AddAttributeWarning(at, "Label Key Managed by Kubernetes",
				fmt.Sprintf("%q is under a kubernetes.io or k8s.io prefix, which the kubelet and the control plane "+
					"manage (e.g. kubernetes.io/hostname, node-role.kubernetes.io/...). The kubelet may reset it, "+
					"and other components may act on it. Use your own prefix (e.g. \"example.com/%s\") unless you "+
					"mean to set a well-known label.", k, k[strings.LastIndex(k, "/")+1:]))
		}
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if errs := validation.IsValidLabelValue(s.ValueString()); len(errs) > 0 {
			diags.AddAttributeError(at, "Invalid Label Value",
				fmt.Sprintf("%q is not a valid value for label %q: %s. A value is empty or at most 63 characters: "+
					"letters, digits, '-', '_' and '.', starting and ending with a letter or digit.",
					s.ValueString(), k, strings.Join(errs, "; ")))
		}
	}
}

func isSystemLabelKey(k string) bool {
	i := strings.Index(k, "/")
	if i < 0 {
		return false
	}
	prefix := k[:i]
	for _, sys := range []string{"kubernetes.io", "k8s.io"} {
		if prefix == sys || strings.HasSuffix(prefix, "."+sys) {
			return true
		}
	}
	return false
}

func (r *nodeLabelsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planNodes(ctx, req, resp)
}

func (r *nodeLabelsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan nodeLabelsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	id, err := newInstanceID()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create Node Labels", err.Error())
		return
	}
	plan.ID = types.StringValue(id)
	plan.FieldManager = types.StringValue(k8s.LabelsFieldManager(id))
	if !r.ensureNodes(ctx, plan.NodeName, plan.NodeSelector, &plan.Nodes, &resp.Diagnostics) {
		return
	}
	nodes := nodeNames(plan.Nodes)
	res, ok := r.change(ctx, cs, &plan, nodes, nil, &resp.Diagnostics)
	if !ok || len(res.Failed) == 0 {
		if ok {
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		return
	}
	// Leave nothing behind that no state records: release what was written
	// (or may have been), and record only the nodes where that failed too.
	left := rolledBack(nodes, res.Failed, func(written []string) (k8s.BulkResult, bool) {
		var ignored diag.Diagnostics
		return r.change(ctx, cs, &plan, nil, written, &ignored)
	})
	if len(left) > 0 {
		plan.Nodes = nodeListOf(left)
		r.addLeftOnNodes(&resp.Diagnostics, left)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// change gives m's labels to the nodes of apply and releases them on those
// of release, in parallel, and reports each node it failed on. It returns
// false when the nodes could not be read, before anything was written.
func (r *nodeLabelsResource) change(ctx context.Context, cs kubernetes.Interface, m *nodeLabelsResourceModel, apply, release []string, diags *diag.Diagnostics) (k8s.BulkResult, bool) {
	mc := r.data.Metadata(diags)
	if mc == nil {
		return k8s.BulkResult{}, false
	}
	sel, _ := selectorString(m.NodeSelector)
	began := time.Now()
	res, err := k8s.ApplyLabels(ctx, cs, mc, k8s.LabelsChange{
		Manager:  m.FieldManager.ValueString(),
		Labels:   mapStrings(m.Labels),
		Apply:    apply,
		Release:  release,
		Force:    m.ForceConflicts.ValueBool(),
		Selector: sel,
	}, r.data.eachNode(ctx, "labels"))
	if err != nil {
		diags.AddError("Cannot Read Nodes", err.Error())
		return res, false
	}
	logResult(ctx, "labels", res, began)
	releasing := make(map[string]bool, len(release))
	for _, n := range release {
		releasing[n] = true
	}
	r.addFailures(diags, res.Failed, func(diags *diag.Diagnostics, f k8s.NodeError) {
		if releasing[f.Node] {
			diags.AddError("Cannot Release Labels", fmt.Sprintf("release labels of node %s: %s\n\nFix the cause "+
				"(e.g. the provider's permission to patch nodes) and apply again.", f.Node, f.Err))
			return
		}
		r.addLabelError(diags, f.Node, f.Err)
	})
	return res, true
}

func (r *nodeLabelsResource) addLabelError(diags *diag.Diagnostics, node string, err error) {
	var ce *k8s.ConflictError
	if errors.As(err, &ce) && len(ce.Conflicts) > 0 {
		parts := make([]string, len(ce.Conflicts))
		for i, c := range ce.Conflicts {
			parts[i] = fmt.Sprintf("Label %q on node %s is %q and owned by %s, so this resource cannot set it to %q.",
				c.Key, node, c.Value, labelOwners(c.Owners), c.Wanted)
		}
		diags.AddAttributeError(path.Root("labels").AtMapKey(ce.Conflicts[0].Key), "Label Conflict",
			fmt.Sprintf("%s %s\n\nOriginal Error: %s", strings.Join(parts, " "), labelConflictRemedy(node, ce.Conflicts), err))
		return
	}
	if r.addNodeGoneError(diags, node, err) {
		return
	}
	diags.AddError("Cannot Label Node", fmt.Sprintf("label node %s: %s", node, err))
}

// labelOwners names the field managers of a label; a kubedaemon_node_labels
// instance by its id, as Terraform shows it.
func labelOwners(managers []string) string {
	out := make([]string, len(managers))
	for i, m := range managers {
		if id, ok := strings.CutPrefix(m, k8s.LabelsFieldManagerPrefix); ok {
			out[i] = fmt.Sprintf("the kubedaemon_node_labels instance %q", id)
		} else {
			out[i] = m
		}
	}
	return strings.Join(out, ", ")
}

// labelConflictRemedy says how to resolve conflicts on node. `kubectl label
// KEY-` is offered only for keys that no kubedaemon_node_labels instance
// owns: it removes the label for every owner, another state's too.
func labelConflictRemedy(node string, conflicts []k8s.Conflict) string {
	var foreign []string
	instance := false
	for _, c := range conflicts {
		ours := false
		for _, o := range c.Owners {
			if strings.HasPrefix(o, k8s.LabelsFieldManagerPrefix) {
				ours = true
			}
		}
		if ours {
			instance = true
		} else {
			foreign = append(foreign, c.Key+"-")
		}
	}
	var ways []string
	if instance {
		ways = append(ways, "remove it from the labels of the other kubedaemon_node_labels instance (two instances "+
			"cannot hold one key with different values on one node)")
	}
	if len(foreign) > 0 {
		ways = append(ways, fmt.Sprintf("have the owner release it (e.g. `kubectl label node %s %s` for kubectl)",
			node, strings.Join(foreign, " ")))
	}
	return "Remove the key from labels, " + strings.Join(ways, ", ") + ", or set force_conflicts = true to take it over."
}

func (r *nodeLabelsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state nodeLabelsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	mc := r.data.Metadata(&resp.Diagnostics)
	if mc == nil {
		return
	}
	want := mapStrings(state.Labels)
	drift, missing := map[string]string{}, map[string]bool{}
	present, err := readTargetNodeMetadata(ctx, mc, nodeNames(state.Nodes), state.NodeSelector, func(n *metav1.PartialObjectMetadata) {
		// Drift: a key missing on any node is missing; otherwise the first
		// node whose value differs decides what the plan shows.
		for k, v := range want {
			cur, ok := n.Labels[k]
			if !ok {
				missing[k] = true
			} else if _, seen := drift[k]; !seen && cur != v {
				drift[k] = cur
			}
		}
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Nodes", err.Error())
		return
	}
	if targetGone(state.NodeName, present) {
		resp.State.RemoveResource(ctx)
		return
	}
	labelsNow := map[string]string{}
	for k, v := range want {
		switch d, drifted := drift[k]; {
		case missing[k]:
		case drifted:
			labelsNow[k] = d
		default:
			labelsNow[k] = v
		}
	}
	lm, diags := types.MapValueFrom(ctx, types.StringType, labelsNow)
	resp.Diagnostics.Append(diags...)
	state.Labels = lm
	state.Nodes = nodeListOf(present)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *nodeLabelsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state nodeLabelsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil || !r.ensureNodes(ctx, plan.NodeName, plan.NodeSelector, &plan.Nodes, &resp.Diagnostics) {
		return
	}
	before, nodes := nodeNames(state.Nodes), nodeNames(plan.Nodes)
	dropped := droppedNodes(before, nodes)
	res, ok := r.change(ctx, cs, &plan, nodes, dropped, &resp.Diagnostics)
	if !ok {
		return // Nothing written: the state stays as it was.
	}
	if len(res.Failed) > 0 {
		// Partly applied: the state records every node that may hold keys
		// of this instance, and the next plan shows what is left to do.
		plan.Nodes = nodeListOf(recordedNodes(before, nodes, dropped, res.Failed))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *nodeLabelsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state nodeLabelsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	// An empty apply releases every key the manager owns; the API server
	// removes the ones nobody else owns.
	nodes := nodeNames(state.Nodes)
	res, ok := r.change(ctx, cs, &state, nil, nodes, &resp.Diagnostics)
	if ok && len(res.Failed) > 0 {
		// The state keeps the nodes still to be released.
		state.Nodes = nodeListOf(recordedNodes(nodes, nil, nodes, res.Failed))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

func (r *nodeLabelsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	node, keyList, ok := strings.Cut(req.ID, ":")
	keys := strings.Split(keyList, ",")
	if !ok || node == "" || slices.Contains(keys, "") {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not NODE:KEY1,KEY2. Give the node and the label keys this resource should own, "+
				"e.g. \"worker-1:env,example.com/tier\".", req.ID))
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	n := r.importNode(ctx, cs, node, req.ID, "NODE:KEY1,KEY2", &resp.Diagnostics)
	if n == nil {
		return
	}
	current := map[string]string{}
	for _, k := range keys {
		v, ok := n.Labels[k]
		if !ok {
			resp.Diagnostics.AddError("Label Not Found",
				fmt.Sprintf("Node %s has no label %q, so there is nothing to import for it. Remove %q from the import "+
					"ID %q (`kubectl get node %s --show-labels` lists the node's labels), or create the label with this "+
					"resource instead of importing it.", node, k, k, req.ID, node))
			continue
		}
		current[k] = v
	}
	if resp.Diagnostics.HasError() {
		return
	}
	manager := k8s.LabelsManagerOwning(n, keys)
	id := strings.TrimPrefix(manager, k8s.LabelsFieldManagerPrefix)
	if manager == "" {
		var err error
		if id, err = newInstanceID(); err != nil {
			resp.Diagnostics.AddError("Cannot Import Node Labels", err.Error())
			return
		}
		manager = k8s.LabelsFieldManager(id)
		// Adopt: same values, so shared ownership and no conflict.
		if err := k8s.ApplyNodeLabels(ctx, cs, node, manager, current, false); err != nil {
			r.addLabelError(&resp.Diagnostics, node, err)
			return
		}
	}
	lm, diags := types.MapValueFrom(ctx, types.StringType, current)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &nodeLabelsResourceModel{
		ID:             types.StringValue(id),
		NodeName:       types.StringValue(node),
		NodeSelector:   types.MapNull(types.StringType),
		Labels:         lm,
		ForceConflicts: types.BoolValue(false),
		FieldManager:   types.StringValue(manager),
		Nodes:          nodeListOf([]string{node}),
	})...)
}
