package release

import (
	"context"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// Inventory is what a release does in the cluster: it applies, checks,
// reads back and deletes the objects of one inventory.
type Inventory struct {
	// Client talks to the cluster.
	Client *rollout.Client
	// ID is the inventory's namespace/name, the value of
	// InventoryAnnotation on each of its objects.
	ID string
	// Log, when not nil, receives "applied" or "deleted" and the key of
	// each object that ApplyAll or Prune changed, for the caller's debug
	// log.
	Log func(ctx context.Context, msg, key string)
	// Ignore holds the labels and annotations whose changes by other
	// tools Refresh does not report as drift.
	Ignore MetadataIgnore
	// OnDelete applies (and compares) every DaemonSet with updateStrategy
	// OnDelete, whatever the chart says: a progressive rollout
	// (rollout.RolloutWaves) replaces their pods, not the controller.
	OnDelete bool

	// adopted holds the keys of the objects AdoptHelm took over, which
	// CheckOwnership accepts before ApplyAll marks them.
	adopted map[string]bool

	// converged holds each DaemonSet as it converged in Wait, by
	// "namespace/name", for DaemonSets.
	converged map[string]*appsv1.DaemonSet
}

func (inv *Inventory) log(ctx context.Context, msg, key string) {
	if inv.Log != nil {
		inv.Log(ctx, msg, key)
	}
}

// target reads an entry's kind, namespace and name.
func (inv *Inventory) target(e Entry) (gvk schema.GroupVersionKind, namespace, name string, err error) {
	_, namespace, name, err = ParseObjectKey(e.Key)
	if err != nil {
		return gvk, "", "", err
	}
	gvk, err = gvkOf(e.YAML)
	if err != nil {
		return gvk, "", "", fmt.Errorf("object %s: %w", e.Key, err)
	}
	return gvk, namespace, name, nil
}

// get reads an entry's object; nil when it does not exist.
func (inv *Inventory) get(ctx context.Context, e Entry) (*unstructured.Unstructured, error) {
	gvk, ns, name, err := inv.target(e)
	if err != nil {
		return nil, err
	}
	obj, err := inv.Client.Get(ctx, gvk, ns, name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", e.Key, err)
	}
	return obj, nil
}

// owns reports whether obj carries this inventory's annotation.
func (inv *Inventory) owns(obj *unstructured.Unstructured) bool {
	return obj.GetAnnotations()[InventoryAnnotation] == inv.ID
}

// EnsureNamespace creates the namespace, with the managed-by label, when it
// does not exist. The namespace is not part of the inventory.
func (inv *Inventory) EnsureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: name, Labels: map[string]string{ManagedByLabel: ManagedByValue},
	}}
	_, err := inv.Client.Clientset.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{FieldManager: inv.Client.FieldManager})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// CheckOwnership reads every entry's object and returns one error per
// object that exists without this inventory's annotation
// (*OwnedElsewhereError) or that cannot be read (*ReadError): someone
// else's object is never overwritten, so nothing should be applied unless
// the caller means to take them over.
func (inv *Inventory) CheckOwnership(ctx context.Context, entries []Entry) []error {
	var errs []error
	for _, e := range entries {
		obj, err := inv.get(ctx, e)
		if err != nil {
			errs = append(errs, &ReadError{Key: e.Key, Err: err})
			continue
		}
		if conflict := inv.ownershipConflict(e.Key, obj); conflict != nil {
			errs = append(errs, conflict)
		}
	}
	return errs
}

// ownershipConflict classifies the live object of key: nil when it does not
// exist or is this inventory's.
func (inv *Inventory) ownershipConflict(key string, obj *unstructured.Unstructured) *OwnedElsewhereError {
	if obj == nil || inv.owns(obj) || inv.adopted[key] {
		return nil
	}
	return &OwnedElsewhereError{Key: key, Owner: obj.GetAnnotations()[InventoryAnnotation]}
}

// ApplyAll server-side applies each entry, with the inventory marks, in
// order and returns how many it applied; it stops at the first failure, an
// *InvalidEntryError or an *ApplyError.
func (inv *Inventory) ApplyAll(ctx context.Context, entries []Entry) (applied int, err error) {
	for i, e := range entries {
		obj, err := inv.object(e)
		if err != nil {
			return i, &InvalidEntryError{Key: e.Key, Err: err}
		}
		// NOTE: Force is safe here: the ownership check has passed (or the
		// caller asked to take objects over), and forcing is what puts back
		// fields that someone changed on our own objects (drift).
		if _, err := inv.Client.Apply(ctx, obj, rollout.ApplyOptions{Force: true}); err != nil {
			ae := &ApplyError{Key: e.Key, Index: i, Total: len(entries), Err: err}
			if apierrors.IsNotFound(err) {
				ae.MissingNamespace = obj.GetNamespace()
			}
			return i, ae
		}
		inv.log(ctx, "applied", e.Key)
	}
	return len(entries), nil
}

// Prune deletes, in reverse install order, each entry of old that keep does
// not hold and whose object still carries this inventory's annotation, with
// the given propagation. It returns the entries it failed to delete, in
// install order (they are still the inventory's), one *DeleteError for each,
// and one warning per object it left in place because it is no longer this
// inventory's.
func (inv *Inventory) Prune(ctx context.Context, old, keep []Entry, propagation metav1.DeletionPropagation) (left []Entry, errs []error, warnings []string) {
	for _, e := range slices.Backward(Dropped(old, keep)) {
		warning, err := inv.prune(ctx, e, propagation)
		if warning != "" {
			warnings = append(warnings, warning)
		}
		if err != nil {
			errs = append(errs, &DeleteError{Key: e.Key, Err: err})
			left = append(left, e)
		}
	}
	slices.Reverse(left)
	return left, errs, warnings
}

// prune deletes e's object unless it is gone already or no longer this
// inventory's, which it returns a warning for.
func (inv *Inventory) prune(ctx context.Context, e Entry, propagation metav1.DeletionPropagation) (warning string, err error) {
	obj, err := inv.get(ctx, e)
	if err != nil || obj == nil {
		return "", err
	}
	if !inv.owns(obj) {
		return fmt.Sprintf("%s no longer carries the inventory annotation of %s, so it was not deleted.", e.Key, inv.ID), nil
	}
	gvk, _, name, _ := inv.target(e)
	if err := inv.Client.Delete(ctx, gvk, obj.GetNamespace(), name, rollout.DeleteOptions{Propagation: propagation}); err != nil {
		return "", err
	}
	inv.log(ctx, "deleted", e.Key)
	return "", nil
}
