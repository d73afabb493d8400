package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			if len(taints) == 0 {
				return nil
			}
			return fmt.Errorf("taint node %s: %w", node, ErrNodeNotFound)
		}
		if err != nil {
			return fmt.Errorf("get node %s: %w", node, err)
		}
		changed, err := setOwnedTaints(n, owner, taints, previous, force)
		if err != nil || !changed {
			return err
		}
		_, err = cs.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		if err != nil && !apierrors.IsConflict(err) {
			return fmt.Errorf("update taints of node %s: %w", node, err)
		}
		return err
	})
}

// setOwnedTaints edits n in place and reports whether anything changed.
func setOwnedTaints(n *corev1.Node, owner string, wanted, previous []corev1.Taint, force bool) (bool, error) {
	annotation := TaintOwnerAnnotation(owner)
	mine := map[TaintID]bool{}
	for _, id := range parseOwned(n.Annotations[annotation]) {
		mine[id] = true
	}
	others := TaintOwners(n)
	for _, t := range previous {
		// The state's record counts unless another instance has since taken
		// the taint over with force.
		if len(without(others[idOf(t)], owner)) == 0 {
			mine[idOf(t)] = true
		}
	}
	want := map[TaintID]corev1.Taint{}
	for _, t := range wanted {
		want[idOf(t)] = t
	}

	ce := &ConflictError{Node: n.Name, What: "taint"}
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
			owners := without(others[id], owner)
			ce.Conflicts = append(ce.Conflicts, Conflict{
				Key: t.Key, Effect: t.Effect, Value: t.Value, Wanted: w.Value, Owners: owners,
			})
		}
		t.Value = w.Value
		kept = append(kept, t)
	}
	if len(ce.Conflicts) > 0 {
		return false, ce
	}
	for _, t := range wanted {
		if !present[idOf(t)] {
			kept = append(kept, corev1.Taint{Key: t.Key, Value: t.Value, Effect: t.Effect})
		}
	}

	before := fmt.Sprint(n.Spec.Taints, n.Annotations)
	n.Spec.Taints = kept
	if n.Annotations == nil {
		n.Annotations = map[string]string{}
	}
	ids := make([]TaintID, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		delete(n.Annotations, annotation)
	} else {
		n.Annotations[annotation] = formatOwned(ids)
	}
	if force {
		// Taken over: the other instances no longer own these taints.
		for id := range want {
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
	return fmt.Sprint(n.Spec.Taints, n.Annotations) != before, nil
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
