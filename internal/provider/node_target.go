package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

// nodeTarget is what kubedaemon_node_labels and kubedaemon_node_taints share:
// the nodes they act on, named by `node_name` or matched by `node_selector`
// and resolved at plan time into the computed `nodes`. Both resources embed
// it; verb ("label", "taint"; title to start a sentence) and done
// ("labelled", "tainted") go into the descriptions and messages.
type nodeTarget struct {
	data  *providerData
	verb  string
	title string
	done  string
	// spec: the plan reads each node's spec (kubedaemon_node_taints warns of
	// the NoExecute taints already there); without it, the plan reads the
	// nodes' metadata alone.
	spec bool
}

// The node targets of the two resources, before Configure.
var (
	labelsTarget = nodeTarget{verb: "label", title: "Label", done: "labelled"}
	taintsTarget = nodeTarget{verb: "taint", title: "Taint", done: "tainted", spec: true}
)

// Configure keeps the provider data; it is nil during validation.
func (t *nodeTarget) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	t.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// nodeTargetAttributes are the schema attributes of the node target: `id`,
// `node_name`, `node_selector`, `force_conflicts` and `nodes`. idDesc says
// what the random id names, forceDesc what force_conflicts takes over.
func (t nodeTarget) attributes(idDesc, forceDesc string) map[string]schema.Attribute {
	verb := t.verb
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: idDesc,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"node_name": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "The node to " + verb + ". Exactly one of `node_name` and `node_selector`.",
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.ExactlyOneOf(path.MatchRoot("node_name"), path.MatchRoot("node_selector")),
			},
		},
		"node_selector": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: t.title + " every node whose labels include all of these, e.g. " +
				"`{ \"node.kubernetes.io/instance-type\" = \"c5.4xlarge\" }`. The nodes are resolved at plan " +
				"time (see `nodes`), so a node that joins later shows up as a change in the next plan.",
			Validators: []validator.Map{mapvalidator.SizeAtLeast(1)},
		},
		"force_conflicts": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false),
			MarkdownDescription: forceDesc,
		},
		"nodes": schema.ListAttribute{
			Computed: true, ElementType: types.StringType, CustomType: newNodeListType(),
			MarkdownDescription: "The " + t.done + " nodes, sorted, as resolved at plan time.",
		},
	}
}

// scaleDescription is the part of the resource description on many nodes.
func (t nodeTarget) scaleDescription(what string) string {
	return "\n\nOn many nodes (a `node_selector` that matches thousands), a refresh reads them with one paged " +
		"listing by the selector (500 nodes a page), and an apply or a destroy writes only to the nodes where " +
		"something changes, in parallel (the provider's `max_parallel`, paced by its `qps` and `burst`), with " +
		"a progress line every few seconds (shown with `TF_LOG=INFO`). A write that fails on some nodes reports " +
		"each of them (the first ten in full), and the state records exactly the nodes that may hold this " +
		"instance's " + what + ": a failed create removes what it set again, and a failed update keeps the " +
		"nodes it could not change, so that the next plan shows what is left to do and nothing is orphaned."
}

// targetNode is what the plan keeps of a node it resolved: the name, and the
// NoExecute taints for the eviction warning of kubedaemon_node_taints.
type targetNode struct {
	name      string
	noExecute []corev1.Taint
}

func newTargetNode(n *corev1.Node) targetNode {
	t := targetNode{name: n.Name}
	for _, taint := range n.Spec.Taints {
		if taint.Effect == corev1.TaintEffectNoExecute {
			t.noExecute = append(t.noExecute, taint)
		}
	}
	return t
}

// planNodes resolves the planned node target and sets `nodes` in the plan.
// It returns false on destroy and when the nodes cannot be known yet.
func (t *nodeTarget) planNodes(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) ([]targetNode, bool) {
	if req.Plan.Raw.IsNull() {
		return nil, false // Destroy.
	}
	var nodeName types.String
	var selector types.Map
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("node_name"), &nodeName)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("node_selector"), &selector)...)
	if resp.Diagnostics.HasError() {
		return nil, false
	}
	nodes, ok := resolveTargetNodes(ctx, t.data, t.spec, nodeName, selector, &resp.Diagnostics)
	if !ok {
		return nil, false
	}
	if len(nodes) == 0 && !selector.IsNull() {
		sel, _ := selectorString(selector)
		resp.Diagnostics.AddAttributeWarning(path.Root("node_selector"), "Node Selector Matches No Node",
			fmt.Sprintf("node_selector %s matches no node of the cluster, so this apply %ss no node. Check the "+
				"labels (kubectl get nodes -l '%s'); nodes that get them later are %s by the next apply.",
				sel, t.verb, sel, t.done))
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("nodes"), names(nodes))...)
	return nodes, !resp.Diagnostics.HasError()
}

// ensureNodes resolves the nodes when the plan could not (the provider's
// cluster was not reachable at plan time) and stores them in *nodes.
func (t *nodeTarget) ensureNodes(ctx context.Context, nodeName types.String, selector types.Map, nodes *nodeListValue, diags *diag.Diagnostics) bool {
	if !nodes.IsUnknown() && !nodes.IsNull() {
		return true
	}
	resolved, ok := resolveTargetNodes(ctx, t.data, t.spec, nodeName, selector, diags)
	if !ok {
		if !diags.HasError() {
			diags.AddError("Cannot Resolve Nodes", "The nodes to "+t.verb+" are still unknown at apply time. "+
				"This is a bug in the provider; please report it.")
		}
		return false
	}
	*nodes = names(resolved)
	return true
}

// resolveTargetNodes finds the nodes a node_name or node_selector names,
// sorted by name: one GET, or a listing by the selector page by page, of
// which it keeps only what targetNode holds (with spec unset, the nodes'
// metadata is all it reads; see nodeReader). It returns false, without a
// diagnostic, when they cannot be known yet (unknown values, a provider that
// cannot reach its cluster yet), and adds an error for a node_name that
// does not exist.
func resolveTargetNodes(ctx context.Context, data *providerData, spec bool, nodeName types.String, selector types.Map, diags *diag.Diagnostics) ([]targetNode, bool) {
	if nodeName.IsUnknown() || selector.IsUnknown() || data == nil || len(data.unknown) > 0 {
		return nil, false
	}
	sel, known := selectorString(selector)
	if !known {
		return nil, false
	}
	read, ok := nodeReader(data, spec, diags)
	if !ok {
		return nil, false
	}
	if !nodeName.IsNull() {
		n, err := read.Get(ctx, nodeName.ValueString())
		if apierrors.IsNotFound(err) {
			diags.AddAttributeError(path.Root("node_name"), "Node Not Found",
				fmt.Sprintf("The cluster has no node %q. Check the name (`kubectl get nodes`), or use node_selector "+
					"to target whichever nodes match.", nodeName.ValueString()))
			return nil, false
		}
		if err != nil {
			diags.AddAttributeError(path.Root("node_name"), "Cannot Read Node",
				fmt.Sprintf("get node %s: %s", nodeName.ValueString(), err))
			return nil, false
		}
		return []targetNode{newTargetNode(n)}, true
	}
	var nodes []targetNode
	err := read.Each(ctx, metav1.ListOptions{LabelSelector: sel}, func(n *corev1.Node) error {
		nodes = append(nodes, newTargetNode(n))
		return nil
	})
	if err != nil {
		diags.AddAttributeError(path.Root("node_selector"), "Cannot List Nodes",
			fmt.Sprintf("list nodes with labels %s: %s", sel, err))
		return nil, false
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].name < nodes[j].name })
	return nodes, true
}

// nodeReader is how resolveTargetNodes reads nodes: whole when spec is set
// (the taints' NoExecute warning reads the spec), their metadata alone
// otherwise, which is about half the bytes to send and decode (a listing of
// 5 000 nodes in 0.25 s instead of 0.5 s, at each plan). false, with an
// error diagnostic, when the provider has no client.
func nodeReader(data *providerData, spec bool, diags *diag.Diagnostics) (k8s.NodeReader, bool) {
	if spec {
		cs := data.Clientset(diags)
		return k8s.WholeNodes(cs), cs != nil
	}
	mc := data.Metadata(diags)
	return k8s.NodeMetadataOnly(mc), mc != nil
}

// selectorString is the label selector of a node_selector map, "" for a
// null one; false when a value is not known yet.
func selectorString(selector types.Map) (string, bool) {
	if selector.IsUnknown() {
		return "", false
	}
	set := map[string]string{}
	for k, v := range selector.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() {
			return "", false
		}
		set[k] = s.ValueString()
	}
	if len(set) == 0 {
		return "", true
	}
	return labels.SelectorFromSet(set).String(), true
}

// readTargetNodes reads the nodes of the state that still exist (one paged
// listing by the state's node_selector, see k8s.VisitNamedNodes), calls
// visit with each, and returns their names, sorted. A deleted node is
// skipped: it no longer carries anything this resource owns.
func readTargetNodes(ctx context.Context, cs kubernetes.Interface, nodeNames []string, selector types.Map, visit func(*corev1.Node)) ([]string, error) {
	sel, _ := selectorString(selector)
	return presentNodes(len(nodeNames), func(seen func(string)) error {
		_, err := k8s.VisitNamedNodes(ctx, cs, nodeNames, sel, func(n *corev1.Node) error {
			seen(n.Name)
			visit(n)
			return nil
		})
		return err
	})
}

// readTargetNodeMetadata is readTargetNodes for a caller that needs only the
// nodes' metadata (kubedaemon_node_labels): the listing carries each node's
// metadata alone.
func readTargetNodeMetadata(ctx context.Context, mc metadata.Interface, nodeNames []string, selector types.Map, visit func(*metav1.PartialObjectMetadata)) ([]string, error) {
	sel, _ := selectorString(selector)
	return presentNodes(len(nodeNames), func(seen func(string)) error {
		_, err := k8s.VisitNamedNodeMetadata(ctx, mc, nodeNames, sel, func(m *metav1.PartialObjectMetadata) error {
			seen(m.Name)
			visit(m)
			return nil
		})
		return err
	})
}

// presentNodes runs read and returns the sorted names it saw.
func presentNodes(capacity int, read func(seen func(name string)) error) ([]string, error) {
	present := make([]string, 0, capacity)
	if err := read(func(name string) { present = append(present, name) }); err != nil {
		return nil, err
	}
	sort.Strings(present)
	return present, nil
}

// targetGone says whether Read should remove the resource: its one named
// node was deleted. A node_selector resource stays, with no nodes, so that
// the next plan targets whichever nodes match then.
func targetGone(nodeName types.String, present []string) bool {
	return len(present) == 0 && !nodeName.IsNull()
}

// droppedNodes returns the nodes of before that are not in after, in the
// order of before: those an update must release.
func droppedNodes(before, after []string) []string {
	keep := make(map[string]bool, len(after))
	for _, n := range after {
		keep[n] = true
	}
	var out []string
	for _, n := range before {
		if !keep[n] {
			out = append(out, n)
		}
	}
	return out
}

// addNodeGoneError reports a node that was deleted between plan and apply,
// and returns false when err is something else.
func (t *nodeTarget) addNodeGoneError(diags *diag.Diagnostics, node string, err error) bool {
	if !errors.Is(err, k8s.ErrNodeNotFound) {
		return false
	}
	diags.AddAttributeError(path.Root("node_name"), "Node Not Found",
		fmt.Sprintf("Node %s no longer exists, so it cannot be %s. Run terraform plan again.\n\nOriginal Error: %s",
			node, t.done, err))
	return true
}

// maxNodeDiagnostics is how many failed nodes get a diagnostic of their own;
// one more diagnostic sums up the rest.
const maxNodeDiagnostics = 10

// maxNamesListed is how many of the other failed nodes the summary names.
const maxNamesListed = 20

// addFailures reports the nodes a write failed on: the first
// maxNodeDiagnostics each with describe, then the others in one error that
// counts them by cause and names the first of them.
func (t *nodeTarget) addFailures(diags *diag.Diagnostics, failed []k8s.NodeError, describe func(*diag.Diagnostics, k8s.NodeError)) {
	for _, f := range failed[:min(len(failed), maxNodeDiagnostics)] {
		describe(diags, f)
	}
	rest := failed[min(len(failed), maxNodeDiagnostics):]
	if len(rest) == 0 {
		return
	}
	var conflicts, gone int
	listed := make([]string, 0, maxNamesListed)
	for _, f := range rest {
		var ce *k8s.ConflictError
		switch {
		case errors.As(f.Err, &ce):
			conflicts++
		case errors.Is(f.Err, k8s.ErrNodeNotFound):
			gone++
		}
		if len(listed) < maxNamesListed {
			listed = append(listed, f.Node)
		}
	}
	if len(rest) > len(listed) {
		listed = append(listed, fmt.Sprintf("and %d others", len(rest)-len(listed)))
	}
	diags.AddError("More Nodes Failed",
		fmt.Sprintf("And %d more nodes could not be %s (%d conflicts, %d nodes gone, %d other errors): %s. The "+
			"diagnostics above show the first %d; for instance, the next one failed with: %s",
			len(rest), t.done, conflicts, gone, len(rest)-conflicts-gone, strings.Join(listed, ", "),
			maxNodeDiagnostics, rest[0].Err))
}

// recordedNodes is what `nodes` must hold after a write that gave the
// wanted labels or taints to the nodes of apply and released those of
// release, when the state held before and the write failed on failed: every
// node on which this instance may own something now, so that the next
// update or destroy finds it and nothing is orphaned. A node of apply on
// which the write failed stays out only if the failure changed nothing
// (k8s.Unchanged) and the node held nothing of this instance before, or is
// gone; a node of release stays in when its release failed.
func recordedNodes(before, apply, release []string, failed []k8s.NodeError) []string {
	held := make(map[string]bool, len(before))
	for _, n := range before {
		held[n] = true
	}
	errs := make(map[string]error, len(failed))
	for _, f := range failed {
		errs[f.Node] = f.Err
	}
	var out []string
	for _, n := range apply {
		err, bad := errs[n]
		switch {
		case !bad:
			out = append(out, n)
		case errors.Is(err, k8s.ErrNodeNotFound):
		case !k8s.Unchanged(err) || held[n]:
			out = append(out, n)
		}
	}
	for _, n := range release {
		if err, bad := errs[n]; bad && !errors.Is(err, k8s.ErrNodeNotFound) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// logResult logs how a write over many nodes went.
func logResult(ctx context.Context, what string, res k8s.BulkResult, began time.Time) {
	tflog.Info(ctx, fmt.Sprintf("%s: %d nodes done, %d failed, in %s", what, len(res.Done), len(res.Failed),
		time.Since(began).Round(time.Millisecond)))
}

func names(nodes []targetNode) nodeListValue {
	vals := make([]string, len(nodes))
	for i := range nodes {
		vals[i] = nodes[i].name
	}
	return nodeListOf(vals)
}

func stringList(vals []string) types.List {
	l, _ := types.ListValueFrom(context.Background(), types.StringType, vals)
	return l
}

func listStrings(l types.List) []string {
	out := make([]string, 0, len(l.Elements()))
	for _, v := range l.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() && !s.IsUnknown() {
			out = append(out, s.ValueString())
		}
	}
	return out
}

func mapStrings(m types.Map) map[string]string {
	out := map[string]string{}
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok && !s.IsNull() {
			out[k] = s.ValueString()
		}
	}
	return out
}

// newInstanceID returns the random identifier that names a node labels or
// taints instance's field manager or owner annotation.
func newInstanceID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate instance id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// rolledBack undoes a create that failed on some of nodes: release gives
// back what the create wrote (or may have written) and reports how that
// went. It returns the nodes that still hold the instance's keys, which the
// state must record so that nothing is left without an owner.
func rolledBack(nodes []string, failed []k8s.NodeError, release func(written []string) (k8s.BulkResult, bool)) []string {
	written := recordedNodes(nil, nodes, nil, failed)
	undo, ok := release(written)
	if !ok {
		return written
	}
	return recordedNodes(nil, nil, written, undo.Failed)
}

// addLeftOnNodes reports the nodes that kept the instance's keys after a
// failed create could not undo them there.
func (t *nodeTarget) addLeftOnNodes(diags *diag.Diagnostics, left []string) {
	diags.AddError(t.title+"s Left on Nodes",
		fmt.Sprintf("The %ss could not be removed again from %d nodes after the failure above (%s), so the "+
			"resource is recorded with those nodes only and marked for replacement. The next apply removes "+
			"them and creates it anew.", t.verb, len(left), strings.Join(left[:min(len(left), maxNamesListed)], ", ")))
}

// importNode reads the node an import ID names; idShape is how the ID is
// written (e.g. NODE:KEY1,KEY2), for the message when the node is not there.
func (t *nodeTarget) importNode(ctx context.Context, cs kubernetes.Interface, node, importID, idShape string, diags *diag.Diagnostics) *corev1.Node {
	n, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		diags.AddError("Node Not Found",
			fmt.Sprintf("The cluster has no node %q, so there are no %ss to import from it. Check the node name "+
				"in the import ID %q (`kubectl get nodes`); the ID is %s.", node, t.verb, importID, idShape))
		return nil
	}
	if err != nil {
		diags.AddError("Cannot Import Node "+t.title+"s", fmt.Sprintf("get node %s: %s", node, err))
		return nil
	}
	return n
}
