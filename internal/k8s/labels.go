package k8s

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
)

// LabelsFieldManagerPrefix starts the field manager of every
// kubedaemon_node_labels instance.
const LabelsFieldManagerPrefix = "kubedaemon-labels-"

// LabelsFieldManager is the server-side apply field manager of the
// kubedaemon_node_labels instance with the given ID. One manager per
// instance is what lets two instances own disjoint keys of one node, and
// lets each release exactly its own keys.
func LabelsFieldManager(id string) string {
	return LabelsFieldManagerPrefix + id
}

// ErrNodeNotFound is returned (wrapped) when the node does not exist.
var ErrNodeNotFound = errors.New("node not found")

// ApplyNodeLabels makes labels the exact set of labels that manager owns on
// the node, with server-side apply. Keys the manager owned before and that
// are not in labels are released: the API server removes a label once no
// manager owns it, and leaves it in place while another manager (kubectl, the
// kubelet, another instance) still does. A key owned by another manager with
// a different value is a *ConflictError unless force, which takes it over.
// An empty labels releases everything the manager owns.
func ApplyNodeLabels(ctx context.Context, cs kubernetes.Interface, node, manager string, labels map[string]string, force bool) error {
	current, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if len(labels) == 0 {
			return nil // Nothing to release on a node that is gone.
		}
		return fmt.Errorf("label node %s: %w", node, ErrNodeNotFound)
	}
	if err != nil {
		return fmt.Errorf("get node %s: %w", node, err)
	}
	cfg := applycorev1.Node(node)
	if len(labels) > 0 {
		cfg.WithLabels(labels)
	}
	applied, err := cs.CoreV1().Nodes().Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: manager, Force: force})
	if err != nil {
		if apierrors.IsConflict(err) {
			return labelConflict(current, labels, err)
		}
		return fmt.Errorf("apply labels to node %s as %s: %w", node, manager, err)
	}
	// GOTCHA: apply is create-or-update. If the node was deleted between the
	// Get and the Apply, the apply just created a bare Node object; delete
	// exactly that object (UID precondition) and report the node as gone.
	if applied.UID != current.UID {
		uid := applied.UID
		_ = cs.CoreV1().Nodes().Delete(ctx, node, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &uid}})
		return fmt.Errorf("label node %s: %w (it was deleted while being labelled)", node, ErrNodeNotFound)
	}
	return nil
}

// labelConflict turns the API server's 409 into a *ConflictError that names
// each key, its current value and its owners.
func labelConflict(node *corev1.Node, wanted map[string]string, err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return fmt.Errorf("apply labels to node %s: %w", node.Name, err)
	}
	owners := LabelOwners(node)
	ce := &ConflictError{Node: node.Name, What: "label"}
	for _, cause := range status.Status().Details.Causes {
		if cause.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		key, ok := strings.CutPrefix(cause.Field, ".metadata.labels.")
		if !ok {
			continue
		}
		who := owners[key]
		if len(who) == 0 {
			// The node changed since the Get: fall back to the server's words.
			who = []string{strings.TrimPrefix(cause.Message, "conflict with ")}
		}
		ce.Conflicts = append(ce.Conflicts, Conflict{Key: key, Value: node.Labels[key], Wanted: wanted[key], Owners: who})
	}
	if len(ce.Conflicts) == 0 {
		return fmt.Errorf("apply labels to node %s: %w", node.Name, err)
	}
	sort.Slice(ce.Conflicts, func(i, j int) bool { return ce.Conflicts[i].Key < ce.Conflicts[j].Key })
	return ce
}

// OwnedLabels returns the labels of node that manager owns, with their
// current values.
func OwnedLabels(node *corev1.Node, manager string) map[string]string {
	out := map[string]string{}
	for key, owners := range LabelOwners(node) {
		for _, o := range owners {
			if o == manager {
				if v, ok := node.Labels[key]; ok {
					out[key] = v
				}
			}
		}
	}
	return out
}

// LabelsManagerOwning returns the one kubedaemon_node_labels field manager
// that owns every key of keys on node, or "" when there is none. Import uses
// it to find the instance that created the labels, so that a lost state is
// recovered with the same manager rather than leaving an orphan owner.
func LabelsManagerOwning(node *corev1.Node, keys []string) string {
	owners := LabelOwners(node)
	count := map[string]int{}
	for _, k := range keys {
		for _, o := range owners[k] {
			if strings.HasPrefix(o, LabelsFieldManagerPrefix) {
				count[o]++
			}
		}
	}
	var found []string
	for m, n := range count {
		if n == len(keys) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}
