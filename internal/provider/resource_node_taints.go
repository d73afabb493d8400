package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

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
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"
	schedulingcorev1 "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

var (
	_ resource.ResourceWithConfigure      = (*nodeTaintsResource)(nil)
	_ resource.ResourceWithImportState    = (*nodeTaintsResource)(nil)
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
	Taint          types.List    `tfsdk:"taint"`
	ForceConflicts types.Bool    `tfsdk:"force_conflicts"`
	Nodes          nodeListValue `tfsdk:"nodes"`
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
			"pods included; the plan warns which running pods that would be.\n\n" +
			"Import takes the node and the taints' keys and effects, `NODE:KEY:EFFECT,KEY:EFFECT`, and adopts those " +
			"taints with their current values: if one kubedaemon_node_taints instance's annotation claims them all " +
			"(a state that was lost), the import reuses that instance's `id`; if no instance claims any of them, " +
			"it records them under a new one, and destroying the resource then removes them from the node. A taint " +
			"that another instance claims cannot be imported: a taint has one owner." +
			taintsTarget.scaleDescription("taints"),
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

// maxPodLists is how many nodes warnEvictions lists the pods of one by one
// (a field selector on spec.nodeName each); beyond that, one paged listing
// of every pod costs fewer requests.
const maxPodLists = 10

// warnEvictions names, for each NoExecute taint, the running pods on each
// node that do not tolerate it and that the taint eviction controller will
// therefore delete: at most maxNodeDiagnostics nodes by name, then a count.
func (r *nodeTaintsResource) warnEvictions(ctx context.Context, nodes []targetNode, taints []corev1.Taint, diags *diag.Diagnostics) {
	// check[node] lists the indexes of the NoExecute taints the node lacks:
	// one already there has evicted whatever it evicts.
	check := map[string][]int{}
	for i := range taints {
		if taints[i].Effect != corev1.TaintEffectNoExecute {
			continue
		}
		for _, n := range nodes {
			if !hasTaint(n.noExecute, &taints[i]) {
				check[n.name] = append(check[n.name], i)
			}
		}
	}
	if len(check) == 0 {
		return
	}
	cs := r.data.Clientset(diags)
	if cs == nil {
		return
	}
	victims := map[int]map[string][]string{} // taint index -> node -> pods
	visit := func(p *corev1.Pod) error {
		for _, i := range check[p.Spec.NodeName] {
			if name, ok := evictedPod(p, &taints[i]); ok {
				if victims[i] == nil {
					victims[i] = map[string][]string{}
				}
				victims[i][p.Spec.NodeName] = append(victims[i][p.Spec.NodeName], name)
			}
		}
		return nil
	}
	if err := listPodsOn(ctx, cs, check, visit); err != nil {
		diags.AddWarning("Cannot List Pods", fmt.Sprintf("list the pods a NoExecute taint would evict: %s", err))
		return
	}
	for i := range taints {
		addEvictionWarnings(diags, i, &taints[i], victims[i])
	}
}

// listPodsOn calls visit with the pods that are not finished on the nodes
// of on (and maybe others): one paged listing per node for a few nodes,
// one of every pod otherwise.
func listPodsOn(ctx context.Context, cs kubernetes.Interface, on map[string][]int, visit func(*corev1.Pod) error) error {
	running := fields.AndSelectors(
		fields.OneTermNotEqualSelector("status.phase", string(corev1.PodSucceeded)),
		fields.OneTermNotEqualSelector("status.phase", string(corev1.PodFailed)))
	if len(on) > maxPodLists {
		return k8s.EachPod(ctx, cs, metav1.NamespaceAll, metav1.ListOptions{FieldSelector: running.String()}, visit)
	}
	for _, node := range slices.Sorted(maps.Keys(on)) {
		sel := fields.AndSelectors(running, fields.OneTermEqualSelector("spec.nodeName", node))
		if err := k8s.EachPod(ctx, cs, metav1.NamespaceAll, metav1.ListOptions{FieldSelector: sel.String()}, visit); err != nil {
			return fmt.Errorf("list pods on node %s: %w", node, err)
		}
	}
	return nil
}

// addEvictionWarnings warns of the pods taint i evicts on each node: a
// warning per node for the first maxNodeDiagnostics nodes, then one that
// counts the others.
func addEvictionWarnings(diags *diag.Diagnostics, i int, taint *corev1.Taint, byNode map[string][]string) {
	at := path.Root("taint").AtListIndex(i)
	nodes := slices.Sorted(maps.Keys(byNode))
	for _, node := range nodes[:min(len(nodes), maxNodeDiagnostics)] {
		pods := byNode[node]
		sort.Strings(pods)
		diags.AddAttributeWarning(at, "NoExecute Taint Evicts Pods",
			fmt.Sprintf("The taint %s on node %s evicts these running pods, which do not tolerate it: %s. Add a "+
				"toleration to the ones that must stay (for a DaemonSet, in its pod template), or use NoSchedule "+
				"to keep new pods off without evicting running ones.",
				k8s.TaintString(taint), node, strings.Join(pods, ", ")))
	}
	if rest := nodes[min(len(nodes), maxNodeDiagnostics):]; len(rest) > 0 {
		pods := 0
		for _, n := range rest {
			pods += len(byNode[n])
		}
		diags.AddAttributeWarning(at, "NoExecute Taint Evicts Pods",
			fmt.Sprintf("And on %d more nodes (%s, ...), the taint %s evicts %d more running pods that do not "+
				"tolerate it.", len(rest), rest[0], k8s.TaintString(taint), pods))
	}
}

// evictedPod returns "namespace/name" (with the owning DaemonSet) of a pod
// that is not finished and does not tolerate taint, and false for others.
func evictedPod(p *corev1.Pod, taint *corev1.Taint) (string, bool) {
	if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return "", false
	}
	if schedulingcorev1.TolerationsTolerateTaint(klog.Background(), p.Spec.Tolerations, taint, false) {
		return "", false
	}
	name := p.Namespace + "/" + p.Name
	for _, o := range p.OwnerReferences {
		if o.Kind == "DaemonSet" {
			name += " (DaemonSet " + o.Name + ")"
		}
	}
	return name, true
}

func hasTaint(taints []corev1.Taint, t *corev1.Taint) bool {
	for _, x := range taints {
		if x.Key == t.Key && x.Effect == t.Effect && x.Value == t.Value {
			return true
		}
	}
	return false
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

// taintsChange is one write of the taints of an instance (owner): wanted on
// the nodes of apply, released on those of release; previous are the
// taints the state recorded.
type taintsChange struct {
	owner            string
	wanted, previous []corev1.Taint
	apply, release   []string
	force            bool
	selector         types.Map
}

// change writes ch in parallel and reports each node it failed on. It
// returns false when the nodes could not be read, before anything was
// written.
func (r *nodeTaintsResource) change(ctx context.Context, cs kubernetes.Interface, ch taintsChange, diags *diag.Diagnostics) (k8s.BulkResult, bool) {
	sel, _ := selectorString(ch.selector)
	began := time.Now()
	res, err := k8s.ApplyTaints(ctx, cs, k8s.TaintsChange{
		Owner: ch.owner, Taints: ch.wanted, Previous: ch.previous,
		Apply: ch.apply, Release: ch.release, Force: ch.force, Selector: sel,
	}, r.data.eachNode(ctx, "taints"))
	if err != nil {
		diags.AddError("Cannot Read Nodes", err.Error())
		return res, false
	}
	logResult(ctx, "taints", res, began)
	releasing := make(map[string]bool, len(ch.release))
	for _, n := range ch.release {
		releasing[n] = true
	}
	r.addFailures(diags, res.Failed, func(diags *diag.Diagnostics, f k8s.NodeError) {
		if releasing[f.Node] {
			diags.AddError("Cannot Remove Taints", fmt.Sprintf("remove taints of node %s: %s\n\nThe node no "+
				"longer matches this resource, or the resource is destroyed, so its taints are to be released. Fix "+
				"the cause (e.g. the provider's permission to patch nodes) and apply again.", f.Node, f.Err))
			return
		}
		r.addTaintError(diags, ch.wanted, f.Node, f.Err)
	})
	return res, true
}

func (r *nodeTaintsResource) addTaintError(diags *diag.Diagnostics, wanted []corev1.Taint, node string, err error) {
	var ce *k8s.ConflictError
	switch {
	case errors.As(err, &ce) && len(ce.Conflicts) > 0:
		parts := make([]string, len(ce.Conflicts))
		for i, c := range ce.Conflicts {
			parts[i] = fmt.Sprintf("Node %s already has the taint %s:%s with value %q, put there by %s, not by this "+
				"resource.", node, c.Key, c.Effect, c.Value, ownerText(c.Owners))
		}
		diags.AddAttributeError(path.Root("taint").AtListIndex(taintIndex(wanted, ce.Conflicts[0])), "Taint Conflict",
			fmt.Sprintf("%s %s\n\nOriginal Error: %s", strings.Join(parts, " "), taintConflictRemedy(node, ce.Conflicts), err))
	case r.addNodeGoneError(diags, node, err):
	default:
		diags.AddError("Cannot Taint Node", fmt.Sprintf("taint node %s: %s", node, err))
	}
}

// taintConflictRemedy says how to resolve conflicts on node. `kubectl taint
// ... KEY:EFFECT-` is offered only for taints that no kubedaemon_node_taints
// instance owns: it would remove another state's taint.
func taintConflictRemedy(node string, conflicts []k8s.Conflict) string {
	var foreign []string
	instance := false
	for _, c := range conflicts {
		if len(c.Owners) > 0 {
			instance = true
		} else {
			foreign = append(foreign, c.Key+":"+string(c.Effect)+"-")
		}
	}
	var ways []string
	if instance {
		ways = append(ways, "remove it from the other kubedaemon_node_taints instance (one taint has one owner)")
	}
	if len(foreign) > 0 {
		ways = append(ways, fmt.Sprintf("have its owner remove it (e.g. `kubectl taint node %s %s`)",
			node, strings.Join(foreign, " ")))
	}
	return "Remove it from this resource, " + strings.Join(ways, ", ") + ", or set force_conflicts = true to take it over."
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
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
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
	wanted, _ := listTaints(ctx, plan.Taint, &resp.Diagnostics)
	nodes := nodeNames(plan.Nodes)
	ch := taintsChange{owner: id, wanted: wanted, apply: nodes, force: plan.ForceConflicts.ValueBool(), selector: plan.NodeSelector}
	res, ok := r.change(ctx, cs, ch, &resp.Diagnostics)
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
		return r.change(ctx, cs, taintsChange{owner: id, previous: wanted, release: written, selector: plan.NodeSelector}, &ignored)
	})
	if len(left) > 0 {
		plan.Nodes = nodeListOf(left)
		r.addLeftOnNodes(&resp.Diagnostics, left)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
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
	present, err := readTargetNodes(ctx, cs, nodeNames(state.Nodes), state.NodeSelector, func(n *corev1.Node) {
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
		resp.Diagnostics.AddError("Cannot Read Nodes", err.Error())
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
	state.Nodes = nodeListOf(present)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *nodeTaintsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state nodeTaintsResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.ensureNodes(ctx, plan.NodeName, plan.NodeSelector, &plan.Nodes, &resp.Diagnostics) {
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	wanted, _ := listTaints(ctx, plan.Taint, &resp.Diagnostics)
	previous, _ := listTaints(ctx, state.Taint, &resp.Diagnostics)
	before, nodes := nodeNames(state.Nodes), nodeNames(plan.Nodes)
	dropped := droppedNodes(before, nodes)
	res, ok := r.change(ctx, cs, taintsChange{
		owner: plan.ID.ValueString(), wanted: wanted, previous: previous, apply: nodes, release: dropped,
		force: plan.ForceConflicts.ValueBool(), selector: plan.NodeSelector,
	}, &resp.Diagnostics)
	if !ok {
		return // Nothing written: the state stays as it was.
	}
	if len(res.Failed) > 0 {
		// Partly applied: the state records every node that may hold taints
		// of this instance, and the next plan shows what is left to do.
		plan.Nodes = nodeListOf(recordedNodes(before, nodes, dropped, res.Failed))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *nodeTaintsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state nodeTaintsResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	previous, _ := listTaints(ctx, state.Taint, &resp.Diagnostics)
	nodes := nodeNames(state.Nodes)
	res, ok := r.change(ctx, cs, taintsChange{owner: state.ID.ValueString(), previous: previous, release: nodes, selector: state.NodeSelector}, &resp.Diagnostics)
	if ok && len(res.Failed) > 0 {
		// The state keeps the nodes still to be released.
		state.Nodes = nodeListOf(recordedNodes(nodes, nil, nodes, res.Failed))
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

func (r *nodeTaintsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	node, ids, ok := parseTaintsImportID(req.ID)
	if !ok {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not NODE:KEY:EFFECT,KEY:EFFECT. Give the node and the taints (key and effect, the "+
				"effect one of %s) this resource should own, e.g. \"worker-1:dedicated:NoSchedule\".",
				req.ID, strings.Join(taintEffects, ", ")))
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	n := r.importNode(ctx, cs, node, req.ID, "NODE:KEY:EFFECT,KEY:EFFECT", &resp.Diagnostics)
	if n == nil {
		return
	}
	current := r.importedTaints(n, ids, req.ID, &resp.Diagnostics)
	owner := r.importOwner(n, ids, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if owner == "" {
		var err error
		if owner, err = newInstanceID(); err != nil {
			resp.Diagnostics.AddError("Cannot Import Node Taints", err.Error())
			return
		}
		// Adopt: same taints, now recorded in this instance's annotation.
		// No other instance claims them, so force takes them over from
		// whoever put them there without touching anyone's annotation.
		if err := k8s.ApplyNodeTaints(ctx, cs, node, owner, current, nil, true); err != nil {
			r.addTaintError(&resp.Diagnostics, current, node, err)
			return
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &nodeTaintsResourceModel{
		ID:             types.StringValue(owner),
		NodeName:       types.StringValue(node),
		NodeSelector:   types.MapNull(types.StringType),
		Taint:          taintList(ctx, current, &resp.Diagnostics),
		ForceConflicts: types.BoolValue(false),
		Nodes:          nodeListOf([]string{node}),
	})...)
}

// parseTaintsImportID splits NODE:KEY:EFFECT,KEY:EFFECT. A node name and a
// taint key never hold ':', so the first one ends the node and the last
// one of each taint starts its effect.
func parseTaintsImportID(id string) (string, []k8s.TaintID, bool) {
	node, list, ok := strings.Cut(id, ":")
	if !ok || node == "" {
		return "", nil, false
	}
	var ids []k8s.TaintID
	for _, t := range strings.Split(list, ",") {
		key, effect, ok := strings.Cut(t, ":")
		if !ok || key == "" || !slices.Contains(taintEffects, effect) {
			return "", nil, false
		}
		ids = append(ids, k8s.TaintID{Key: key, Effect: corev1.TaintEffect(effect)})
	}
	return node, ids, true
}

// importedTaints returns the taints of n that ids name, with their values,
// in the order of ids, and reports each that n lacks.
func (r *nodeTaintsResource) importedTaints(n *corev1.Node, ids []k8s.TaintID, importID string, diags *diag.Diagnostics) []corev1.Taint {
	out := make([]corev1.Taint, 0, len(ids))
	for _, id := range ids {
		i := slices.IndexFunc(n.Spec.Taints, func(t corev1.Taint) bool { return t.Key == id.Key && t.Effect == id.Effect })
		if i < 0 {
			diags.AddError("Taint Not Found",
				fmt.Sprintf("Node %s has no taint %s, so there is nothing to import for it. Remove it from the import "+
					"ID %q (`kubectl get node %s -o jsonpath='{.spec.taints}'` lists the node's taints), or create the "+
					"taint with this resource instead of importing it.", n.Name, id, importID, n.Name))
			continue
		}
		t := n.Spec.Taints[i]
		out = append(out, corev1.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
	}
	return out
}

// importOwner returns the kubedaemon_node_taints instance whose annotation
// claims every taint of ids (a state that was lost: the import recovers it),
// or "" when no instance claims any of them (the import adopts them). A
// taint claimed by another instance is an error: a taint has one owner.
func (r *nodeTaintsResource) importOwner(n *corev1.Node, ids []k8s.TaintID, diags *diag.Diagnostics) string {
	owners := k8s.TaintOwners(n)
	count := map[string]int{}
	for _, id := range ids {
		for _, o := range owners[id] {
			count[o]++
		}
	}
	for o, c := range count {
		if c == len(ids) && len(count) == 1 {
			return o
		}
	}
	for _, id := range ids {
		if len(owners[id]) > 0 {
			diags.AddError("Taint Owned by Another Instance",
				fmt.Sprintf("The taint %s on node %s belongs to %s, and a taint has one owner. Import exactly the "+
					"taints that instance owns to recover its state, or remove the taint from that instance first.",
					id, n.Name, ownerText(owners[id])))
		}
	}
	return ""
}
