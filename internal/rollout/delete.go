package rollout

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// DeleteOptions tune Delete.
type DeleteOptions struct {
	// Propagation is Foreground when empty: the object goes only after its
	// pods (as kubectl delete). Background deletes the pods afterwards,
	// Orphan leaves them running (kubectl --cascade=orphan).
	Propagation metav1.DeletionPropagation
}

// Delete deletes the object and waits until it is gone; with Foreground
// propagation that is after its dependents that block owner deletion (a
// DaemonSet's pods) are gone too, since the garbage collector removes the
// owner last. An object that is already gone, or was replaced by a new one
// of the same name, counts as deleted. The deadline is ctx's.
func (c *Client) Delete(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string, opts DeleteOptions) error {
	ri, _, err := c.resource(gvk, namespace)
	obj := objectName(gvk.Kind, namespace, name)
	if err != nil {
		return fmt.Errorf("delete %s: %w", obj, err)
	}
	current, err := ri.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", obj, err)
	}
	uid := current.GetUID()
	prop := opts.Propagation
	if prop == "" {
		prop = metav1.DeletePropagationForeground
	}
	err = ri.Delete(ctx, name, metav1.DeleteOptions{PropagationPolicy: &prop, Preconditions: &metav1.Preconditions{UID: &uid}})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case apierrors.IsConflict(err):
		// The UID precondition failed: what we meant to delete is gone
		// and a new object took its name.
		return nil
	case err != nil:
		return fmt.Errorf("delete %s: %w", obj, err)
	}

	sel := fields.OneTermEqualSelector(metav1.ObjectNameField, name).String()
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return ri.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return ri.Watch(ctx, o)
		},
	}
	lwc := cache.ToListWatcherWithWatchListSemantics(lw, c.Dynamic)
	var last *unstructured.Unstructured
	gone := func(o any) bool {
		u, ok := o.(*unstructured.Unstructured)
		if !ok || u.GetUID() != uid {
			return true
		}
		last = u
		return false
	}
	precondition := func(store cache.Store) (bool, error) {
		for _, o := range store.List() {
			if !gone(o) {
				return false, nil
			}
		}
		return true, nil
	}
	_, err = watchtools.UntilWithSync(ctx, lwc, &unstructured.Unstructured{}, precondition, func(ev watch.Event) (bool, error) {
		if ev.Type == watch.Deleted {
			if u, ok := ev.Object.(*unstructured.Unstructured); ok && u.GetUID() == uid {
				return true, nil
			}
			return false, nil
		}
		return gone(ev.Object), nil
	})
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("delete %s: still there at the deadline%s", obj, stillThere(last, uid, prop))
	}
	return fmt.Errorf("delete %s: wait until gone: %w", obj, err)
}

// stillThere explains what holds a deleted object back.
func stillThere(u *unstructured.Unstructured, uid types.UID, prop metav1.DeletionPropagation) string {
	if u == nil || u.GetUID() != uid {
		return ""
	}
	var why []string
	if fin := u.GetFinalizers(); len(fin) > 0 {
		why = append(why, "finalizers "+strings.Join(fin, ", "))
	}
	if prop == metav1.DeletePropagationForeground {
		why = append(why, "with Foreground propagation it goes only after its pods, so check for pods stuck terminating")
	}
	if len(why) == 0 {
		return ""
	}
	return " (" + strings.Join(why, "; ") + ")"
}
