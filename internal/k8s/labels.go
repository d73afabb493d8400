package k8s

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
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

// LabelsChange is one change of the labels a field manager holds on many
// nodes: Labels on each node of Apply, nothing on each node of Release.
type LabelsChange struct {
	Manager string
	Labels  map[string]string
	Apply   []string
	Release []string
	// Force takes over keys that another manager owns with another value.
	Force bool
	// Selector is the label selector that the nodes were chosen by, "" for
	// none; see VisitNamedNodes.
	Selector string
}

// ApplyLabels makes ch.Labels the exact set of labels that ch.Manager owns
// on each node of ch.Apply, and releases every key it owns on each node of
// ch.Release, as ApplyNodeLabels does for one node. It reads the nodes'
// metadata (mc; labels and their owners are all it needs) with one paged
// listing, writes only to the nodes that are not as wanted yet, in parallel
// (opts), and reports each node that failed. The error is for a listing
// that failed, before anything was written.
//
// A release of keys that no other manager owns on a node is a JSON merge
// patch that deletes them, conditional on the node's UID and resourceVersion
// as listed: the API server spends about a third less CPU on it than on a
// server-side apply that prunes them. When the node changed since the
// listing, the release falls back to the apply, which keeps any key another
// manager has taken meanwhile.
func ApplyLabels(ctx context.Context, cs kubernetes.Interface, mc metadata.Interface, ch LabelsChange, opts EachOptions) (BulkResult, error) {
	uids := map[string]types.UID{}
	sole := map[string]soleLabels{}
	return changeNodes(ctx, NodeMetadataOnly(mc), ch.Apply, ch.Release, ch.Selector, opts, bulkStep{
		read: func(n *corev1.Node, release bool) (bool, error) {
			want := ch.Labels
			owners := LabelOwners(n)
			owned := ownedLabels(n, owners, ch.Manager)
			if release {
				want = nil
				if keys := soleOwned(owned, owners); len(keys) > 0 {
					sole[n.Name] = soleLabels{resourceVersion: n.ResourceVersion, keys: keys}
				}
			}
			uids[n.Name] = n.UID
			// An apply of what the manager already owns changes nothing.
			return !maps.Equal(owned, want), nil
		},
		write: func(ctx context.Context, node string, release bool) error {
			want := ch.Labels
			if release {
				want = nil
				if s, ok := sole[node]; ok {
					if done, err := removeSoleLabels(ctx, cs, node, uids[node], ch.Manager, s); done || err != nil {
						return err
					}
				}
			}
			return applyLabels(ctx, cs, node, uids[node], ch.Manager, want, ch.Force)
		},
	})
}

// soleLabels are the label keys a manager alone owns on a node, and the
// node's resourceVersion when they were read.
type soleLabels struct {
	resourceVersion string
	keys            []string
}

// soleOwned returns the keys of owned (a manager's labels, as ownedLabels
// gives them), sorted, when no other manager owns any of them; nil
// otherwise.
func soleOwned(owned map[string]string, owners map[string][]string) []string {
	for key := range owned {
		if len(owners[key]) > 1 {
			return nil
		}
	}
	return slices.Sorted(maps.Keys(owned))
}

// removeSoleLabels deletes s.keys from the node with a JSON merge patch as
// manager, on the condition that the node is still the one read (uid) and
// unchanged since (resourceVersion), so that the keys are still owned by
// manager alone. The API server then drops the keys from managedFields and,
// with them, the manager's entry. It reports false and no error when the
// condition failed or the node is gone: the caller releases with
// server-side apply instead.
func removeSoleLabels(ctx context.Context, cs kubernetes.Interface, node string, uid types.UID, manager string, s soleLabels) (bool, error) {
	labels := make(map[string]any, len(s.keys))
	for _, k := range s.keys {
		labels[k] = nil
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"uid": uid, "resourceVersion": s.resourceVersion, "labels": labels,
	}})
	if err != nil {
		return false, err
	}
	_, err = cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: manager})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsConflict(err), apierrors.IsNotFound(err), apierrors.IsInvalid(err):
		return false, nil
	}
	return false, fmt.Errorf("remove labels %s from node %s as %s: %w", strings.Join(s.keys, ", "), node, manager, err)
}

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
		return nodeGone(node, "label", len(labels) == 0)
	}
	if err != nil {
		return fmt.Errorf("get node %s: %w", node, err)
	}
	return applyLabels(ctx, cs, node, current.UID, manager, labels, force)
}

// applyLabels applies labels as manager to the node with the given UID, as
// read before. The UID in the apply configuration is a precondition: the
// API server refuses the apply when the node is gone (rather than creating a
// bare Node, as apply would) or was replaced by another of the same name;
// the node is then read once more and, when it exists, applied to again.
// A conflict reads the node once to name the owners of the keys.
func applyLabels(ctx context.Context, cs kubernetes.Interface, node string, uid types.UID, manager string, labels map[string]string, force bool) error {
	for attempt := 0; ; attempt++ {
		cfg := applycorev1.Node(node).WithUID(uid)
		if len(labels) > 0 {
			cfg.WithLabels(labels)
		}
		applied, err := cs.CoreV1().Nodes().Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: manager, Force: force})
		switch {
		case err == nil && applied.UID != uid:
			// GOTCHA: an API server that ignores the UID precondition
			// created a bare Node: delete exactly that object.
			created := applied.UID
			_ = cs.CoreV1().Nodes().Delete(ctx, node, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &created}})
			return fmt.Errorf("label node %s: %w (it was deleted while being labelled)", node, ErrNodeNotFound)
		case err == nil:
			return nil
		case isFieldManagerConflict(err):
			return labelConflict(ctx, cs, node, labels, err)
		case !isUIDMismatch(err) || attempt > 0:
			return fmt.Errorf("apply labels to node %s as %s: %w", node, manager, err)
		}
		current, err := cs.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nodeGone(node, "label", len(labels) == 0)
		}
		if err != nil {
			return fmt.Errorf("get node %s: %w", node, err)
		}
		uid = current.UID
	}
}

// nodeGone is the outcome of a write to a node that does not exist: nothing
// to do when releasing, ErrNodeNotFound otherwise.
func nodeGone(node, verb string, release bool) error {
	if release {
		return nil
	}
	return fmt.Errorf("%s node %s: %w", verb, node, ErrNodeNotFound)
}

// isFieldManagerConflict is a 409 of server-side apply: keys that another
// manager owns.
func isFieldManagerConflict(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsConflict(err) || !errors.As(err, &status) || status.Status().Details == nil {
		return false
	}
	for _, c := range status.Status().Details.Causes {
		if c.Type == metav1.CauseTypeFieldManagerConflict {
			return true
		}
	}
	return false
}

// isUIDMismatch is the API server's answer to an apply whose metadata.uid
// is not the node's: a 409 when no node has the name, a 422 (metadata.uid
// is immutable) when another node has it now.
func isUIDMismatch(err error) bool {
	if apierrors.IsConflict(err) {
		return !isFieldManagerConflict(err)
	}
	var status apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errors.As(err, &status) || status.Status().Details == nil {
		return false
	}
	for _, c := range status.Status().Details.Causes {
		if c.Field == "metadata.uid" {
			return true
		}
	}
	return false
}

// labelConflict reads the node once and turns the API server's 409 into a
// *ConflictError that names each key, its current value and its owners.
func labelConflict(ctx context.Context, cs kubernetes.Interface, name string, wanted map[string]string, err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return fmt.Errorf("apply labels to node %s: %w", name, err)
	}
	node, getErr := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if getErr != nil {
		// The conflict stands; only the owners' names are unknown.
		node = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	}
	owners := LabelOwners(node)
	ce := &ConflictError{Object: NodeObject(name), What: WhatLabel}
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
			// The node changed since the conflict: fall back to the server's words.
			who = []string{strings.TrimPrefix(cause.Message, "conflict with ")}
		}
		ce.Conflicts = append(ce.Conflicts, Conflict{Key: key, Value: node.Labels[key], Wanted: wanted[key], Owners: who})
	}
	if len(ce.Conflicts) == 0 {
		return fmt.Errorf("apply labels to node %s: %w", name, err)
	}
	sort.Slice(ce.Conflicts, func(i, j int) bool { return ce.Conflicts[i].Key < ce.Conflicts[j].Key })
	return ce
}

// OwnedLabels returns the labels of node that manager owns, with their
// current values.
func OwnedLabels(node *corev1.Node, manager string) map[string]string {
	return ownedLabels(node, LabelOwners(node), manager)
}

// ownedLabels is OwnedLabels with the node's label owners (LabelOwners)
// already read.
func ownedLabels(node *corev1.Node, labelOwners map[string][]string, manager string) map[string]string {
	out := map[string]string{}
	for key, owners := range labelOwners {
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
