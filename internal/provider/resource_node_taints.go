package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	schedulingcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

var (
	_ resource.ResourceWithConfigure      = (*nodeTaintsResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*nodeTaintsResource)(nil)
	_ resource.ResourceWithValidateConfig = (*nodeTaintsResource)(nil)
)

// systemTaintPrefix is the prefix of the taints of the node lifecycle
// controller and the kubelet, which kubedaemon never manages.
const systemTaintPrefix = "node.kubernetes.io/"

// NewNodeTaintsResource returns the kubedaemon_node_taints resource.
func NewNodeTaintsResource() resource.Resource {
	return &nodeTaintsResource{nodeTarget: taintsTarget}
}

type nodeTaintsResource struct {
	nodeTarget
}

type nodeTaintsResourceModel struct {
	ID           types.String `tfsdk:"id"`
	NodeName     types.String `tfsdk:"node_name"`
	NodeSelector types.Map    `tfsdk:"node_selector"`
	// Taint holds nodeTaintModel objects; a types.List, as a dynamic block
	// whose for_each is not known yet makes the whole list unknown at plan
	// time.
	Taint          types.List `tfsdk:"taint"`
	ForceConflicts types.Bool `tfsdk:"force_conflicts"`
	Nodes          types.List `tfsdk:"nodes"`
}

type nodeTaintModel struct {
	Key    types.String `tfsdk:"key"`
	Value  types.String `tfsdk:"value"`
	Effect types.String `tfsdk:"effect"`
}

// nodeTaintObjectType is the type of one taint block.
var nodeTaintObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"key": types.StringType, "value": types.StringType, "effect": types.StringType,
}}

// taintBlocks returns the taint blocks of l; false, with no diagnostic, when
// the list is not known yet.
func taintBlocks(ctx context.Context, l types.List, diags *diag.Diagnostics) ([]nodeTaintModel, bool) {
	if l.IsUnknown() {
		return nil, false
	}
	var out []nodeTaintModel
	if !l.IsNull() {
		diags.Append(l.ElementsAs(ctx, &out, false)...)
	}
	return out, !diags.HasError()
}

func (r *nodeTaintsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node_taints"
}

func (r *nodeTaintsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = nodeTaintsSchemaV0()
}

func nodeTaintsSchemaV0() schema.Schema {
	return schema.Schema{
		MarkdownDescription: "Taints on one node, or on every node that matches `node_selector`. A node's taints " +
			"are one atomic list in the API, so server-side apply would take all of them; instead this resource " +
			"reads the node, changes only its own taints (identified by key and effect) and writes back with the " +
			"node's resourceVersion, retrying on a concurrent write. It records what it owns in its state and in " +
			"the node annotation `kubedaemon.dev/taints.<id>`, so that another Terraform state sees it. Taints of " +
			"the node lifecycle controller (`node.kubernetes.io/*`) and of anyone else survive every apply and " +
			"destroy. A taint with the same key and effect that someone else put on the node is a conflict " +
			"unless `force_conflicts`.\n\nA `NoExecute` taint evicts the pods that do not tolerate it, DaemonSet " +
			"pods included; the plan warns which running pods that would be.",
		Attributes: taintsTarget.attributes("Random identifier of this instance, the suffix of its node annotation.",
			"Take over a taint with the same key and effect that someone else put on the node."),
		Blocks: map[string]schema.Block{
			"taint": schema.ListNestedBlock{
				MarkdownDescription: "A taint this resource owns. Key and effect identify it: two blocks with the same " +
					"key and effect are an error.",
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"key": schema.StringAttribute{
							Required: true,
							MarkdownDescription: "Taint key, e.g. `dedicated`. Keys under `node.kubernetes.io/` belong " +
								"to the node lifecycle controller and the kubelet and are refused.",
						},
						"value": schema.StringAttribute{
							Optional: true, Computed: true, Default: stringdefault.StaticString(""),
							MarkdownDescription: "Taint value, e.g. `gpu`. Empty by default.",
						},
						"effect": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "What the taint does to pods that do not tolerate it. " + oneOf(taintEffects),
							Validators:          enumValidators(taintEffects),
						},
					},
				},
			},
		},
	}
}

func (r *nodeTaintsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m nodeTaintsResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateLabelMap(m.NodeSelector, path.Root("node_selector"), false, &resp.Diagnostics)
	seen := map[string]int{}
	blocks, _ := taintBlocks(ctx, m.Taint, &resp.Diagnostics)
	for i, t := range blocks {
		at := path.Root("taint").AtListIndex(i)
		if !t.Key.IsUnknown() && !t.Key.IsNull() {
			key := t.Key.ValueString()
			if strings.HasPrefix(key, systemTaintPrefix) {
				resp.Diagnostics.AddAttributeError(at.AtName("key"), "System Taint Key",
					fmt.Sprintf("%q is under node.kubernetes.io/, which the node lifecycle controller and the kubelet "+
						"own: they add and remove these taints as node conditions change (not-ready, unreachable, "+
						"disk-pressure, unschedulable...), and would undo or fight any change made here. Use your own "+
						"key, e.g. \"dedicated\" or \"example.com/%s\".", key, strings.TrimPrefix(key, systemTaintPrefix)))
			} else if errs := validation.IsQualifiedName(key); len(errs) > 0 {
				resp.Diagnostics.AddAttributeError(at.AtName("key"), "Invalid Taint Key",
					fmt.Sprintf("%q is not a valid taint key: %s. A key is an optional DNS subdomain prefix and \"/\", "+
						"then a name of at most 63 characters: letters, digits, '-', '_' and '.'.", key, strings.Join(errs, "; ")))
			}
		}
		if !t.Value.IsUnknown() && !t.Value.IsNull() {
			if errs := validation.IsValidLabelValue(t.Value.ValueString()); len(errs) > 0 {
				resp.Diagnostics.AddAttributeError(at.AtName("value"), "Invalid Taint Value",
					fmt.Sprintf("%q is not a valid taint value: %s. A value is empty or at most 63 characters: letters, "+
						"digits, '-', '_' and '.', starting and ending with a letter or digit.", t.Value.ValueString(), strings.Join(errs, "; ")))
			}
		}
		if t.Key.IsUnknown() || t.Effect.IsUnknown() {
			continue
		}
		id := t.Key.ValueString() + ":" + t.Effect.ValueString()
		if j, dup := seen[id]; dup {
			resp.Diagnostics.AddAttributeError(at, "Duplicate Taint",
				fmt.Sprintf("taint %d has the same key and effect (%s) as taint %d; a node holds one taint per key and "+
					"effect. Remove one of them.", i, id, j))
		}
		seen[id] = i
	}
}

func (r *nodeTaintsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	nodes, ok := r.planNodes(ctx, req, resp)
	if !ok {
		return
	}
	var plan nodeTaintsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	taints, known := listTaints(ctx, plan.Taint, &resp.Diagnostics)
	if !known {
		return
	}
	r.warnEvictions(ctx, nodes, taints, &resp.Diagnostics)
}

// warnEvictions names, for each NoExecute taint, the running pods on each
// node that do not tolerate it and that the taint eviction controller will
// therefore delete.
func (r *nodeTaintsResource) warnEvictions(ctx context.Context, nodes []corev1.Node, taints []corev1.Taint, diags *diag.Diagnostics) {
	cs := r.data.Clientset(diags)
	if cs == nil {
		return
	}
	for i := range taints {
		taint := &taints[i]
		if taint.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		for _, n := range nodes {
			if hasTaint(n.Spec.Taints, taint) {
				continue // Already there: whatever it evicts is gone.
			}
			pods, err := cs.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + n.Name})
			if err != nil {
				diags.AddWarning("Cannot List Pods", fmt.Sprintf("list pods on node %s to find the ones a NoExecute taint "+
					"would evict: %s", n.Name, err))
				continue
			}
			victims := evictedPods(pods.Items, taint)
			if len(victims) == 0 {
				continue
			}
			diags.AddAttributeWarning(path.Root("taint").AtListIndex(i), "NoExecute Taint Evicts Pods",
				fmt.Sprintf("The taint %s on node %s evicts these running pods, which do not tolerate it: %s. Add a "+
					"toleration to the ones that must stay (for a DaemonSet, in its pod template), or use NoSchedule "+
					"to keep new pods off without evicting running ones.",
					taintString(taint), n.Name, strings.Join(victims, ", ")))
		}
	}
}

// evictedPods returns "namespace/name" (with the owning DaemonSet) of each
// pod that is not finished and does not tolerate taint, sorted.
func evictedPods(pods []corev1.Pod, taint *corev1.Taint) []string {
	var out []string
	for i := range pods {
		p := &pods[i]
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		if schedulingcorev1.TolerationsTolerateTaint(klog.Background(), p.Spec.Tolerations, taint, false) {
			continue
		}
		name := p.Namespace + "/" + p.Name
		for _, o := range p.OwnerReferences {
			if o.Kind == "DaemonSet" {
				name += " (DaemonSet " + o.Name + ")"
			}
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func hasTaint(taints []corev1.Taint, t *corev1.Taint) bool {
	for _, x := range taints {
		if x.Key == t.Key && x.Effect == t.Effect && x.Value == t.Value {
			return true
		}
	}
	return false
}

func taintString(t *corev1.Taint) string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// modelTaints converts the taint blocks; false when a value is unknown.
func modelTaints(blocks []nodeTaintModel) ([]corev1.Taint, bool) {
	out := make([]corev1.Taint, 0, len(blocks))
	for _, b := range blocks {
		if b.Key.IsUnknown() || b.Value.IsUnknown() || b.Effect.IsUnknown() {
			return nil, false
		}
		out = append(out, corev1.Taint{Key: b.Key.ValueString(), Value: b.Value.ValueString(), Effect: corev1.TaintEffect(b.Effect.ValueString())})
	}
	return out, true
}

// listTaints converts a taint list; false when it, or a value in it, is not
// known yet.
func listTaints(ctx context.Context, l types.List, diags *diag.Diagnostics) ([]corev1.Taint, bool) {
	blocks, ok := taintBlocks(ctx, l, diags)
	if !ok {
		return nil, false
	}
	return modelTaints(blocks)
}

// taintList is the taint blocks of taints.
func taintList(ctx context.Context, taints []corev1.Taint, diags *diag.Diagnostics) types.List {
	out := make([]nodeTaintModel, 0, len(taints))
	for _, t := range taints {
		out = append(out, nodeTaintModel{
			Key: types.StringValue(t.Key), Value: types.StringValue(t.Value), Effect: types.StringValue(string(t.Effect)),
		})
	}
	l, d := types.ListValueFrom(ctx, nodeTaintObjectType, out)
	diags.Append(d...)
	return l
}

// applyTaints sets the plan's taints on each node, releasing them on nodes
// the state has and the plan does not.
func (r *nodeTaintsResource) applyTaints(ctx context.Context, plan *nodeTaintsResourceModel, state *nodeTaintsResourceModel, diags *diag.Diagnostics) []string {
	cs := r.data.Clientset(diags)
	if cs == nil {
		return nil
	}
	var previous []corev1.Taint
	var prevNodes []string
	if state != nil {
		previous, _ = listTaints(ctx, state.Taint, diags)
		prevNodes = listStrings(state.Nodes)
	}
	var wanted []corev1.Taint
	var nodes []string
	force := false
	if plan != nil {
		wanted, _ = listTaints(ctx, plan.Taint, diags)
		nodes = listStrings(plan.Nodes)
		force = plan.ForceConflicts.ValueBool()
	}
	owner := ""
	if plan != nil {
		owner = plan.ID.ValueString()
	} else {
		owner = state.ID.ValueString()
	}
	for _, n := range droppedNodes(prevNodes, nodes) {
		if err := k8s.ApplyNodeTaints(ctx, cs, n, owner, nil, previous, false); err != nil {
			diags.AddError("Cannot Remove Taints", fmt.Sprintf("remove taints of node %s: %s\n\nThe node no "+
				"longer matches this resource, so its taints are to be released. Fix the cause (e.g. the "+
				"provider's permission to update nodes) and apply again, or remove them with `kubectl taint "+
				"node %s KEY:EFFECT-`.", n, err, n))
		}
	}
	var done []string
	for _, n := range nodes {
		err := k8s.ApplyNodeTaints(ctx, cs, n, owner, wanted, previous, force)
		var ce *k8s.ConflictError
		switch {
		case errors.As(err, &ce):
			for _, c := range ce.Conflicts {
				diags.AddAttributeError(path.Root("taint").AtListIndex(taintIndex(wanted, c)), "Taint Conflict",
					fmt.Sprintf("Node %s already has the taint %s:%s with value %q, put there by %s, not by this "+
						"resource. Remove it from this resource, have its owner remove it (e.g. `kubectl taint node %s "+
						"%s:%s-`), or set force_conflicts = true to take it over.\n\nOriginal Error: %s",
						n, c.Key, c.Effect, c.Value, ownerText(c.Owners), n, c.Key, c.Effect, err))
			}
		case r.addNodeGoneError(diags, n, err):
		case err != nil:
			diags.AddError("Cannot Taint Node", fmt.Sprintf("taint node %s: %s", n, err))
		default:
			done = append(done, n)
		}
	}
	return done
}

func taintIndex(taints []corev1.Taint, c k8s.Conflict) int {
	for i, t := range taints {
		if t.Key == c.Key && t.Effect == c.Effect {
			return i
		}
	}
	return 0
}

func ownerText(owners []string) string {
	if len(owners) == 0 {
		return "another client (kubectl, a controller or another tool)"
	}
	q := make([]string, len(owners))
	for i, o := range owners {
		q[i] = fmt.Sprintf("the kubedaemon_node_taints instance %q", o)
	}
	return strings.Join(q, " and ")
}

func (r *nodeTaintsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan nodeTaintsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, err := newInstanceID()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create Node Taints", err.Error())
		return
	}
	plan.ID = types.StringValue(id)
	if !r.ensureNodes(ctx, plan.NodeName, plan.NodeSelector, &plan.Nodes, &resp.Diagnostics) {
		return
	}
	done := r.applyTaints(ctx, &plan, nil, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		// Leave nothing behind that no state records.
		rollback := plan
		rollback.Nodes = stringList(done)
		var ignored diag.Diagnostics
		r.applyTaints(ctx, nil, &rollback, &ignored)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *nodeTaintsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state nodeTaintsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	want, _ := listTaints(ctx, state.Taint, &resp.Diagnostics)
	missing := map[int]bool{}
	drift := map[int]string{}
	present, err := readTargetNodes(ctx, cs, listStrings(state.Nodes), func(n *corev1.Node) {
		for i, w := range want {
			found := false
			for _, t := range n.Spec.Taints {
				if t.Key == w.Key && t.Effect == w.Effect {
					found = true
					if _, seen := drift[i]; !seen && t.Value != w.Value {
						drift[i] = t.Value
					}
				}
			}
			if !found {
				missing[i] = true
			}
		}
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Node", err.Error())
		return
	}
	if targetGone(state.NodeName, present) {
		resp.State.RemoveResource(ctx)
		return
	}
	var now []corev1.Taint
	for i, w := range want {
		if missing[i] {
			continue
		}
		if v, ok := drift[i]; ok {
			w.Value = v
		}
		now = append(now, w)
	}
	state.Taint = taintList(ctx, now, &resp.Diagnostics)
	state.Nodes = stringList(present)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *nodeTaintsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state nodeTaintsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ensureNodes(ctx, plan.NodeName, plan.NodeSelector, &plan.Nodes, &resp.Diagnostics) {
		return
	}
	r.applyTaints(ctx, &plan, &state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *nodeTaintsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state nodeTaintsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.applyTaints(ctx, nil, &state, &resp.Diagnostics)
}
