package release

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// Wait waits for each DaemonSet ("namespace/name") to converge, with opts
// (fail-fast, grace period, progress). It returns the warnings of those that
// converged, each prefixed with the DaemonSet's namespace/name, and the
// error of each that did not (a *rollout.NotConvergedError when the wait
// ended, another error when it could not wait). DaemonSets then returns
// each as it converged.
func (inv *Inventory) Wait(ctx context.Context, daemonSets []string, opts rollout.WaitOptions) (warnings []string, errs []error) {
	for _, key := range daemonSets {
		ns, name, _ := strings.Cut(key, "/")
		res, err := inv.Client.WaitDaemonSet(ctx, ns, name, opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if res.DaemonSet != nil {
			if inv.converged == nil {
				inv.converged = map[string]*appsv1.DaemonSet{}
			}
			inv.converged[key] = res.DaemonSet
		}
		for _, w := range res.Warnings {
			warnings = append(warnings, key+": "+w)
		}
	}
	return warnings, errs
}

// Refresh reads every entry back: an object that is gone, or that is no
// longer this inventory's, leaves the inventory (Dropped(entries, result)
// lists them); one whose applied fields changed gets its drift noted in its
// YAML (see the package comment).
func (inv *Inventory) Refresh(ctx context.Context, entries []Entry) ([]Entry, error) {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		obj, err := inv.get(ctx, e)
		if err != nil {
			return nil, &ReadError{Key: e.Key, Err: err}
		}
		if obj == nil || !inv.owns(obj) {
			continue
		}
		applied := Entry{Key: e.Key, YAML: stripDrift(e.YAML)}
		d, err := inv.drift(applied, obj.Object)
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", e.Key, err)
		}
		out = append(out, Entry{Key: e.Key, YAML: driftYAML(applied.YAML, d)})
	}
	return out, nil
}

// drift compares e's object as ApplyAll applies it, the inventory marks
// included (a chart's own managed-by label is overwritten) and the labels
// and annotations inv.Ignore matches left out, to live.
func (inv *Inventory) drift(e Entry, live map[string]any) ([]string, error) {
	obj, err := inv.object(e)
	if err != nil {
		return nil, err
	}
	inv.Ignore.drop(obj.Object)
	return drift(obj.Object, live)
}

// Discover finds the objects of the inventory in the cluster (import): every
// listable kind is listed by the managed-by label and filtered by the
// inventory annotation; each object's YAML is the one it was applied with.
// The entries are in install order.
func (inv *Inventory) Discover(ctx context.Context) ([]Entry, error) {
	lists, err := inv.Client.Clientset.Discovery().ServerPreferredResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discover the cluster's kinds: %w", err)
	}
	yamlOf := map[string]string{}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			if err := inv.discoverKind(ctx, gv.WithResource(r.Name), r.Kind, yamlOf); err != nil {
				return nil, err
			}
		}
	}
	keys := slices.Collect(maps.Keys(yamlOf))
	sortKeys(keys)
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		out = append(out, Entry{Key: k, YAML: yamlOf[k]})
	}
	return out, nil
}

// discoverKind adds to yamlOf, by key, the applied YAML of each object of
// resource gvr (of kind) that carries this inventory's marks. A resource the
// client may not list, or that cannot be listed, is skipped.
func (inv *Inventory) discoverKind(ctx context.Context, gvr schema.GroupVersionResource, kind string, yamlOf map[string]string) error {
	items, err := inv.Client.Dynamic.Resource(gvr).List(ctx, metav1.ListOptions{LabelSelector: ManagedByLabel + "=" + ManagedByValue})
	if err != nil {
		if apierrors.IsForbidden(err) || apierrors.IsNotFound(err) || apierrors.IsMethodNotSupported(err) {
			return nil
		}
		return fmt.Errorf("list %s: %w", gvr.Resource, err)
	}
	for i := range items.Items {
		o := &items.Items[i]
		applied := o.GetAnnotations()[AppliedAnnotation]
		if !inv.owns(o) || applied == "" {
			continue
		}
		// GOTCHA: a DaemonSet's ControllerRevisions copy its annotations;
		// only the object the YAML describes counts.
		if gvk, err := gvkOf(applied); err != nil || gvk.Kind != kind {
			continue
		}
		yamlOf[ObjectKey(kind, o.GetNamespace(), o.GetName())] = applied
	}
	return nil
}

// DaemonSets reads each DaemonSet ("namespace/name"), for its status and
// its rollout's record; one that does not exist is left out, one that
// cannot be read is left out with an error. A DaemonSet that Wait saw
// converge is not read again: it is the object of the watch event that
// ended its wait, the cluster's at convergence.
func (inv *Inventory) DaemonSets(ctx context.Context, daemonSets []string) (map[string]*appsv1.DaemonSet, []error) {
	out := make(map[string]*appsv1.DaemonSet, len(daemonSets))
	var errs []error
	for _, key := range daemonSets {
		if ds, ok := inv.converged[key]; ok {
			out[key] = ds
			continue
		}
		ns, name, _ := strings.Cut(key, "/")
		ds, err := inv.Client.Clientset.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("read daemonset %s: %w", key, err))
			continue
		}
		out[key] = ds
	}
	return out, errs
}
