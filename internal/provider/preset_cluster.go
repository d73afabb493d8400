package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// presetInventory is what a kubedaemon_preset does in the cluster: it
// applies, checks, reads back and deletes the objects of one inventory.
type presetInventory struct {
	rc *rollout.Client
	// id is the inventory's namespace/name, the value of the inventory
	// annotation on each of its objects.
	id string
}

// target reads an entry's kind, namespace and name.
func (inv presetInventory) target(e presetEntry) (gvk schema.GroupVersionKind, namespace, name string, err error) {
	_, namespace, name, err = parsePresetObjectKey(e.Key)
	if err != nil {
		return gvk, "", "", err
	}
	gvk, err = presetGVK(e.YAML)
	if err != nil {
		return gvk, "", "", fmt.Errorf("object %s: %w", e.Key, err)
	}
	return gvk, namespace, name, nil
}

// get reads an entry's object; nil when it does not exist.
func (inv presetInventory) get(ctx context.Context, e presetEntry) (*unstructured.Unstructured, error) {
	gvk, ns, name, err := inv.target(e)
	if err != nil {
		return nil, err
	}
	obj, err := inv.rc.Get(ctx, gvk, ns, name)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", e.Key, err)
	}
	return obj, nil
}

// owns reports whether obj carries this inventory's annotation.
func (inv presetInventory) owns(obj *unstructured.Unstructured) bool {
	return obj.GetAnnotations()[presetInventoryAnnotation] == inv.id
}

// ensureNamespace creates the namespace when it does not exist.
func (inv presetInventory) ensureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: name, Labels: map[string]string{presetManagedByLabel: presetManagedByValue},
	}}
	_, err := inv.rc.Clientset.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{FieldManager: inv.rc.FieldManager})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// checkOwnership adds one error per object that exists without this
// inventory's annotation: someone else's object is never overwritten.
func (inv presetInventory) checkOwnership(ctx context.Context, entries []presetEntry, diags *diag.Diagnostics) {
	for _, e := range entries {
		obj, err := inv.get(ctx, e)
		if err != nil {
			diags.AddError("Cannot Read Object", fmt.Sprintf("%s\n\nkubedaemon reads every object of the "+
				"preset before it applies any, to make sure it overwrites nobody's object. Check that the "+
				"provider's credentials may get %s, then apply again.", err, e.Key))
			continue
		}
		if obj == nil || inv.owns(obj) {
			continue
		}
		owner := "no kubedaemon inventory (created by hand or by another tool)"
		if other := obj.GetAnnotations()[presetInventoryAnnotation]; other != "" {
			owner = fmt.Sprintf("the inventory of kubedaemon_preset %q", other)
		}
		diags.AddAttributeError(path.Root("force_conflicts"), "Object Owned By Someone Else",
			fmt.Sprintf("%s already exists and belongs to %s, so this kubedaemon_preset (%s) does not overwrite "+
				"it; nothing was applied. Delete or rename that object, give this release another name or "+
				"namespace, or set force_conflicts = true to take it over.", e.Key, owner, inv.id))
	}
}

// applyAll server-side applies each entry in order and returns how many it
// applied; it stops at the first failure.
func (inv presetInventory) applyAll(ctx context.Context, entries []presetEntry, diags *diag.Diagnostics) int {
	for i, e := range entries {
		obj, err := presetApplyObject(e.Key, e.YAML, inv.id)
		if err != nil {
			diags.AddError("Invalid Object", err.Error())
			return i
		}
		// NOTE: Force is safe here: the ownership check has passed (or
		// force_conflicts asked for it), and forcing is what puts back
		// fields that someone changed on our own objects (drift).
		if _, err := inv.rc.Apply(ctx, obj, rollout.ApplyOptions{Force: true}); err != nil {
			detail := err.Error()
			if apierrors.IsNotFound(err) && obj.GetNamespace() != "" {
				detail += fmt.Sprintf("\n\nDoes namespace %q exist? Set create_namespace = true to create it.", obj.GetNamespace())
			}
			diags.AddError("Cannot Apply Object", fmt.Sprintf("%s (object %d of %d).\n\nOriginal Error: %s", e.Key, i+1, len(entries), detail))
			return i
		}
		tflog.Debug(ctx, "applied", map[string]any{"object": e.Key})
	}
	return len(entries)
}

// prune deletes, in reverse install order, each entry of old that keep does
// not hold and that still carries this inventory's annotation. It returns the
// entries it failed to delete, in install order: they are still the
// inventory's.
func (inv presetInventory) prune(ctx context.Context, old, keep []presetEntry, propagation string, diags *diag.Diagnostics) []presetEntry {
	var left []presetEntry
	for _, e := range slices.Backward(dropped(old, keep)) {
		obj, err := inv.get(ctx, e)
		if err != nil {
			addPruneError(diags, e.Key, err)
			left = append(left, e)
			continue
		}
		if obj == nil {
			continue
		}
		if !inv.owns(obj) {
			diags.AddWarning("Object Left In Place",
				fmt.Sprintf("%s no longer carries the inventory annotation of %s, so it was not deleted.", e.Key, inv.id))
			continue
		}
		gvk, _, name, _ := inv.target(e)
		err = inv.rc.Delete(ctx, gvk, obj.GetNamespace(), name, rollout.DeleteOptions{Propagation: metav1.DeletionPropagation(propagation)})
		if err != nil {
			addPruneError(diags, e.Key, err)
			left = append(left, e)
			continue
		}
		tflog.Debug(ctx, "deleted", map[string]any{"object": e.Key})
	}
	slices.Reverse(left)
	return left
}

// dropped returns the entries of old that keep does not hold, in order.
func dropped(old, keep []presetEntry) []presetEntry {
	kept := make(map[string]bool, len(keep))
	for _, e := range keep {
		kept[e.Key] = true
	}
	var out []presetEntry
	for _, e := range old {
		if !kept[e.Key] {
			out = append(out, e)
		}
	}
	return out
}

// wait waits for each DaemonSet ("namespace/name") to converge; opts gives
// fail-fast and the grace period, the progress goes to the log.
func (inv presetInventory) wait(ctx context.Context, daemonSets []string, opts rollout.WaitOptions, diags *diag.Diagnostics) {
	opts.Progress = func(line string) { tflog.Info(ctx, line) }
	for _, key := range daemonSets {
		ns, name, _ := strings.Cut(key, "/")
		res, err := inv.rc.WaitDaemonSet(ctx, ns, name, opts)
		if err != nil {
			var nc *rollout.NotConvergedError
			summary := "Cannot Wait For DaemonSet"
			if errors.As(err, &nc) {
				summary = "DaemonSet Did Not Converge"
			}
			diags.AddError(summary, fmt.Sprintf("%s\n\nThe objects were applied; fix the cause (e.g. the image in "+
				"values) and apply again. Set wait = false to return without waiting.", err))
			continue
		}
		for _, w := range res.Warnings {
			diags.AddWarning("DaemonSet Converged With Warnings", key+": "+w)
		}
	}
}

// refresh reads every entry back: an object that is gone, or that is no
// longer ours, leaves the inventory; one whose managed fields changed gets
// its drift noted in its YAML.
func (inv presetInventory) refresh(ctx context.Context, entries []presetEntry) ([]presetEntry, error) {
	out := make([]presetEntry, 0, len(entries))
	for _, e := range entries {
		obj, err := inv.get(ctx, e)
		if err != nil {
			return nil, err
		}
		if obj == nil || !inv.owns(obj) {
			tflog.Info(ctx, "object gone from the cluster or taken over; the plan re-creates it", map[string]any{"object": e.Key})
			continue
		}
		applied := stripDrift(e.YAML)
		drift, err := presetDrift(applied, obj.Object)
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", e.Key, err)
		}
		out = append(out, presetEntry{Key: e.Key, YAML: presetDriftYAML(applied, drift)})
	}
	return out, nil
}

// stripDrift removes the drift comments a previous refresh added.
func stripDrift(doc string) string {
	for strings.HasPrefix(doc, "# drift: ") {
		_, rest, ok := strings.Cut(doc, "\n")
		if !ok {
			return ""
		}
		doc = rest
	}
	return doc
}

// discover finds the objects of the inventory in the cluster (import): every
// listable kind is listed by the managed-by label and filtered by the
// inventory annotation; each object's YAML is the one it was applied with.
func (inv presetInventory) discover(ctx context.Context) ([]presetEntry, error) {
	lists, err := inv.rc.Clientset.Discovery().ServerPreferredResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discover the cluster's kinds: %w", err)
	}
	sel := presetManagedByLabel + "=" + presetManagedByValue
	var keys []string
	yamlOf := map[string]string{}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !hasVerb(r.Verbs, "list") {
				continue
			}
			items, err := inv.rc.Dynamic.Resource(gv.WithResource(r.Name)).List(ctx, metav1.ListOptions{LabelSelector: sel})
			if err != nil {
				if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
					continue
				}
				return nil, fmt.Errorf("list %s: %w", r.Name, err)
			}
			for i := range items.Items {
				o := &items.Items[i]
				applied := o.GetAnnotations()[presetAppliedAnnotation]
				if !inv.owns(o) || applied == "" {
					continue
				}
				// GOTCHA: a DaemonSet's ControllerRevisions copy its
				// annotations; only the object the YAML describes counts.
				if gvk, err := presetGVK(applied); err != nil || gvk.Kind != r.Kind {
					continue
				}
				key := presetObjectKey(r.Kind, o.GetNamespace(), o.GetName())
				if _, dup := yamlOf[key]; !dup {
					keys = append(keys, key)
				}
				yamlOf[key] = applied
			}
		}
	}
	sortInventory(keys)
	out := make([]presetEntry, 0, len(keys))
	for _, k := range keys {
		out = append(out, presetEntry{Key: k, YAML: yamlOf[k]})
	}
	return out, nil
}

func hasVerb(verbs []string, verb string) bool {
	for _, v := range verbs {
		if v == verb {
			return true
		}
	}
	return false
}

// presetStatusType is the element type of daemonset_status.
var presetStatusType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"desired": types.Int64Type, "current": types.Int64Type, "updated": types.Int64Type,
	"ready": types.Int64Type, "available": types.Int64Type,
}}

// status reads the counters of each DaemonSet ("namespace/name"); one that
// does not exist is left out.
func (inv presetInventory) status(ctx context.Context, daemonSets types.List, diags *diag.Diagnostics) types.Map {
	var keys []string
	if !daemonSets.IsNull() && !daemonSets.IsUnknown() {
		diags.Append(daemonSets.ElementsAs(ctx, &keys, false)...)
	}
	out := map[string]attr.Value{}
	for _, key := range keys {
		ns, name, _ := strings.Cut(key, "/")
		ds, err := inv.rc.Clientset.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			diags.AddWarning("Cannot Read DaemonSet Status", fmt.Sprintf("read daemonset %s: %s", key, err))
			continue
		}
		st := ds.Status
		v, d := types.ObjectValue(presetStatusType.AttrTypes, map[string]attr.Value{
			"desired":   types.Int64Value(int64(st.DesiredNumberScheduled)),
			"current":   types.Int64Value(int64(st.CurrentNumberScheduled)),
			"updated":   types.Int64Value(int64(st.UpdatedNumberScheduled)),
			"ready":     types.Int64Value(int64(st.NumberReady)),
			"available": types.Int64Value(int64(st.NumberAvailable)),
		})
		diags.Append(d...)
		out[key] = v
	}
	m, d := types.MapValue(presetStatusType, out)
	diags.Append(d...)
	return m
}

// addPruneError reports an object that a new render dropped and that could
// not be deleted; it stays in the inventory, so the next apply tries again.
func addPruneError(diags *diag.Diagnostics, key string, err error) {
	diags.AddError("Cannot Delete Object", fmt.Sprintf("%s\n\nThe new render no longer produces %s, so "+
		"kubedaemon deletes it. It stays in the inventory and the next apply deletes it again: fix the cause "+
		"(e.g. the provider's permission to delete it, or a finalizer that holds it) and apply again.", err, key))
}
