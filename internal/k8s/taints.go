package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// TaintOwnerAnnotationPrefix starts the node annotation in which each
// kubedaemon_node_taints instance records the taints it owns, so that two
// Terraform states managing taints of one node see each other.
const TaintOwnerAnnotationPrefix = "kubedaemon.dev/taints."

// TaintOwnerAnnotation is the annotation key of the instance with the given
// owner ID. Its value is a JSON list of "key:effect".
func TaintOwnerAnnotation(owner string) string {
	return TaintOwnerAnnotationPrefix + owner
}

// TaintID is a taint's identity on a node: two taints with the same key and
// effect cannot coexist, whatever their values.
type TaintID struct {
	Key    string
	Effect corev1.TaintEffect
}

func (t TaintID) String() string { return t.Key + ":" + string(t.Effect) }

// TaintString is a taint as kubectl writes it: key=value:Effect, or
// key:Effect when it has no value.
func TaintString(t *corev1.Taint) string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

func idOf(t corev1.Taint) TaintID { return TaintID{Key: t.Key, Effect: t.Effect} }

// TaintOwners returns, for each taint identity recorded in a kubedaemon
// owner annotation of node, the owner IDs that claim it.
func TaintOwners(node *corev1.Node) map[TaintID][]string {
	out := map[TaintID][]string{}
	for k, v := range node.Annotations {
		owner, ok := strings.CutPrefix(k, TaintOwnerAnnotationPrefix)
		if !ok {
			continue
		}
		for _, id := range parseOwned(v) {
			out[id] = appendUnique(out[id], owner)
		}
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// OwnedTaints returns the taints of node that owner's annotation claims and
// that are on the node, in the node's order.
func OwnedTaints(node *corev1.Node, owner string) []corev1.Taint {
	claimed := map[TaintID]bool{}
	for _, id := range parseOwned(node.Annotations[TaintOwnerAnnotation(owner)]) {
		claimed[id] = true
	}
	var out []corev1.Taint
	for _, t := range node.Spec.Taints {
		if claimed[idOf(t)] {
			out = append(out, t)
		}
	}
	return out
}

func parseOwned(v string) []TaintID {
	var raw []string
	if v == "" || json.Unmarshal([]byte(v), &raw) != nil {
		return nil
	}
	out := make([]TaintID, 0, len(raw))
	for _, s := range raw {
		i := strings.LastIndex(s, ":")
		if i <= 0 {
			continue
		}
		out = append(out, TaintID{Key: s[:i], Effect: corev1.TaintEffect(s[i+1:])})
	}
	return out
}

func formatOwned(ids []TaintID) string {
	raw := make([]string, len(ids))
	for i, id := range ids {
		raw[i] = id.String()
	}
	sort.Strings(raw)
	b, _ := json.Marshal(raw)
	return string(b)
}

// TaintsChange is one change of the taints an owner holds on many nodes:
// Taints on each node of Apply, none on each node of Release.
type TaintsChange struct {
	Owner  string
	Taints []corev1.Taint
	// Previous is what the owner held according to the caller's own record
	// (Terraform state), in case a node's annotation was removed.
	Previous []corev1.Taint
	Apply    []string
	Release  []string
	// Force takes over a taint with the same key and effect that someone
	// else put on the node.
	Force bool
	// Selector is the label selector that the nodes were chosen by, "" for
	// none; see VisitNamedNodes.
	Selector string
}

// ApplyTaints does what ApplyNodeTaints does for one node on each node of
// ch.Apply, and releases the owner's taints on each node of ch.Release. It
// reads the nodes with one paged listing, keeps of each only the patch it
// needs (none when the node is as wanted, and a conflict fails the node
// without a write), then writes in parallel (opts) with the resourceVersion
// of the listing. A node changed since then is read again and retried. The
// error is for a listing that failed, before anything was written.
func ApplyTaints(ctx context.Context, cs kubernetes.Interface, ch TaintsChange, opts EachOptions) (BulkResult, error) {
	patches := map[string][]byte{}
	wanted := func(release bool) []corev1.Taint {
		if release {
			return nil
		}
		return ch.Taints
	}
	return changeNodes(ctx, WholeNodes(cs), ch.Apply, ch.Release, ch.Selector, opts, bulkStep{
		read: func(n *corev1.Node, release bool) (bool, error) {
			patch, err := taintsPatch(n, ch.Owner, wanted(release), ch.Previous, ch.Force && !release)
			if patch != nil {
				patches[n.Name] = patch
			}
			return patch != nil, err
		},
		write: func(ctx context.Context, node string, release bool) error {
			return patchTaints(ctx, cs, node, patches[node], ch.Owner, wanted(release), ch.Previous, ch.Force && !release)
		},
	})
}

// ApplyNodeTaints makes taints the exact set of taints that owner holds on
// node. Server-side apply cannot do this: spec.taints is an atomic list, so
// whoever applies it owns all of it. Instead this reads the node, changes
// only owner's taints (identity: key and effect), records them in owner's
// annotation and writes back with the read resourceVersion, retrying on a
// conflicting write. Every other taint survives, node.kubernetes.io/* ones
// included. previous lists what owner held according to the caller's own
// record (Terraform state), in case the annotation was removed.
//
// A wanted taint whose key and effect are already on the node but not owned
// by owner (another instance's annotation claims it, or someone else put it
// there) is a *ConflictError unless force; force takes it over and removes
// it from the other instances' annotations. Empty taints releases
// everything and removes the annotation.
func ApplyNodeTaints(ctx context.Context, cs kubernetes.Interface, node, owner string, taints, previous []corev1.Taint, force bool) error {
	return patchTaints(ctx, cs, node, nil, owner, taints, previous, force)
}

// patchTaints writes patch (from taintsPatch) to node; on a conflict, or
// with no patch, it reads the node and computes the patch again, as
// retry.RetryOnConflict does for an update.
func patchTaints(ctx context.Context, cs kubernetes.Interface, node string, patch []byte, owner string, taints, previous []corev1.Taint, force bool) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if patch == nil {
			n, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nodeGone(node, "taint", len(taints) == 0)
			}
			if err != nil {
				return fmt.Errorf("get node %s: %w", node, err)
			}
			if patch, err = taintsPatch(n, owner, taints, previous, force); err != nil || patch == nil {
				return err
			}
		}
		_, err := cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, patch, metav1.PatchOptions{})
		patch = nil // A retry reads the node again.
		switch {
		case apierrors.IsNotFound(err):
			return nodeGone(node, "taint", len(taints) == 0)
		case err != nil && !apierrors.IsConflict(err):
			return fmt.Errorf("update taints of node %s: %w", node, err)
		}
		return err
	})
}

// taintsPatch returns the JSON merge patch that sets owner's taints on n,
// or nil when n is as wanted. The patch carries n's resourceVersion, so the
// API server refuses it (409) when the node changed since it was read; it
// replaces spec.taints as a whole and sets or removes only the kubedaemon
// owner annotations that change.
func taintsPatch(n *corev1.Node, owner string, wanted, previous []corev1.Taint, force bool) ([]byte, error) {
	edit := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Annotations: map[string]string{}},
		Spec:       corev1.NodeSpec{Taints: slices.Clone(n.Spec.Taints)},
	}
	for k, v := range n.Annotations {
		if strings.HasPrefix(k, TaintOwnerAnnotationPrefix) {
			edit.Annotations[k] = v
		}
	}
	changed, err := setOwnedTaints(edit, owner, wanted, previous, force)
	if err != nil || !changed {
		return nil, err
	}
	annotations := map[string]*string{}
	for k, v := range edit.Annotations {
		if old, ok := n.Annotations[k]; !ok || old != v {
			annotations[k] = &v
		}
	}
	for k := range n.Annotations {
		if _, kept := edit.Annotations[k]; !kept && strings.HasPrefix(k, TaintOwnerAnnotationPrefix) {
			annotations[k] = nil
		}
	}
	patch := map[string]any{
		"metadata": map[string]any{"resourceVersion": n.ResourceVersion, "annotations": annotations},
		"spec":     map[string]any{"taints": edit.Spec.Taints},
	}
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("taints patch of node %s: %w", n.Name, err)
	}
	return b, nil
}

// setOwnedTaints edits n in place and reports whether anything changed:
// owner's taints become wanted (mergeTaints) and its annotation records them
// (recordOwner).
func setOwnedTaints(n *corev1.Node, owner string, wanted, previous []corev1.Taint, force bool) (bool, error) {
	mine, others := claimedTaints(n, owner, previous)
	taints, err := mergeTaints(n, owner, wanted, mine, others, force)
	if err != nil {
		return false, err
	}
	beforeTaints, beforeAnnotations := n.Spec.Taints, maps.Clone(n.Annotations)
	n.Spec.Taints = taints
	recordOwner(n, owner, wanted, others, force)
	// NOTE: Semantic equality holds nil and empty alike, as the API does.
	changed := !equality.Semantic.DeepEqual(beforeTaints, n.Spec.Taints) ||
		!equality.Semantic.DeepEqual(beforeAnnotations, n.Annotations)
	return changed, nil
}

// claimedTaints returns the taints of n that owner holds (its annotation,
// and the caller's record of previous unless another instance has since
// taken the taint over with force), and every instance's claims.
func claimedTaints(n *corev1.Node, owner string, previous []corev1.Taint) (mine map[TaintID]bool, others map[TaintID][]string) {
	mine = map[TaintID]bool{}
	for _, id := range parseOwned(n.Annotations[TaintOwnerAnnotation(owner)]) {
		mine[id] = true
	}
	others = TaintOwners(n)
	for _, t := range previous {
		if len(without(others[idOf(t)], owner)) == 0 {
			mine[idOf(t)] = true
		}
	}
	return mine, others
}

// mergeTaints returns n's taints with owner's set to wanted: released ones
// gone, changed values updated, new ones appended, everyone else's kept. A
// wanted taint already on n that owner does not hold is a conflict unless
// force.
func mergeTaints(n *corev1.Node, owner string, wanted []corev1.Taint, mine map[TaintID]bool, others map[TaintID][]string, force bool) ([]corev1.Taint, error) {
	want := map[TaintID]corev1.Taint{}
	for _, t := range wanted {
		want[idOf(t)] = t
	}
	ce := &ConflictError{Object: NodeObject(n.Name), What: WhatTaint}
	var kept []corev1.Taint
	present := map[TaintID]bool{}
	for _, t := range n.Spec.Taints {
		id := idOf(t)
		w, wanted := want[id]
		switch {
		case !wanted && mine[id]:
			continue // Released.
		case !wanted:
			kept = append(kept, t)
			continue
		}
		present[id] = true
		if !mine[id] && !force {
			ce.Conflicts = append(ce.Conflicts, Conflict{
				Key: t.Key, Effect: t.Effect, Value: t.Value, Wanted: w.Value, Owners: without(others[id], owner),
			})
		}
		t.Value = w.Value
		kept = append(kept, t)
	}
	if len(ce.Conflicts) > 0 {
		return nil, ce
	}
	for _, t := range wanted {
		if !present[idOf(t)] {
			kept = append(kept, corev1.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
		}
	}
	return kept, nil
}

// recordOwner writes owner's annotation (removed when it holds nothing) and,
// with force, removes the taken-over taints from the other instances'
// annotations.
func recordOwner(n *corev1.Node, owner string, wanted []corev1.Taint, others map[TaintID][]string, force bool) {
	if n.Annotations == nil {
		n.Annotations = map[string]string{}
	}
	ids := make([]TaintID, 0, len(wanted))
	seen := map[TaintID]bool{}
	for _, t := range wanted {
		if id := idOf(t); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	annotation := TaintOwnerAnnotation(owner)
	if len(ids) == 0 {
		delete(n.Annotations, annotation)
	} else {
		n.Annotations[annotation] = formatOwned(ids)
	}
	if !force {
		return
	}
	for _, id := range ids {
		for _, other := range without(others[id], owner) {
			key := TaintOwnerAnnotation(other)
			rest := removeID(parseOwned(n.Annotations[key]), id)
			if len(rest) == 0 {
				delete(n.Annotations, key)
			} else {
				n.Annotations[key] = formatOwned(rest)
			}
		}
	}
}

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func removeID(ids []TaintID, drop TaintID) []TaintID {
	var out []TaintID
	for _, id := range ids {
		if id != drop {
			out = append(out, id)
		}
	}
	return out
}
