package rollout

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

// ApplyOptions tune a server-side apply.
type ApplyOptions struct {
	// Force takes ownership of fields another field manager owns instead of
	// failing with a *k8s.ConflictError.
	Force bool
	// DryRun sends the apply with dryRun=All: the API server validates,
	// defaults and admits the object and returns it, and stores nothing.
	DryRun bool
}

// Apply creates or updates obj with server-side apply as c.FieldManager and
// returns the object the API server stored. A conflict with another field
// manager is a *k8s.ConflictError.
func (c *Client) Apply(ctx context.Context, obj *unstructured.Unstructured, opts ApplyOptions) (*unstructured.Unstructured, error) {
	gvk := obj.GroupVersionKind()
	name := objectName(gvk.Kind, obj.GetNamespace(), obj.GetName())
	if obj.GetName() == "" {
		return nil, fmt.Errorf("apply %s: the object has no metadata.name", gvk.Kind)
	}
	ri, mapping, err := c.resource(gvk, obj.GetNamespace())
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", name, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace && obj.GetNamespace() == "" {
		obj = obj.DeepCopy()
		obj.SetNamespace("default")
		name = objectName(gvk.Kind, "default", obj.GetName())
	}
	ao := metav1.ApplyOptions{FieldManager: c.FieldManager, Force: opts.Force}
	if opts.DryRun {
		ao.DryRun = []string{metav1.DryRunAll}
	}
	out, err := ri.Apply(ctx, obj.GetName(), obj, ao)
	if err != nil {
		if ce := conflictFrom(name, err); ce != nil {
			return nil, ce
		}
		return nil, fmt.Errorf("apply %s: %w", name, err)
	}
	return out, nil
}

// ApplyDaemonSet is Apply for a typed DaemonSet.
func (c *Client) ApplyDaemonSet(ctx context.Context, ds *appsv1.DaemonSet, opts ApplyOptions) (*appsv1.DaemonSet, error) {
	obj, err := daemonSetToUnstructured(ds)
	if err != nil {
		return nil, err
	}
	out, err := c.Apply(ctx, obj, opts)
	if err != nil {
		return nil, err
	}
	applied := &appsv1.DaemonSet{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(out.Object, applied); err != nil {
		return nil, fmt.Errorf("read applied daemonset %s/%s: %w", out.GetNamespace(), out.GetName(), err)
	}
	return applied, nil
}

// daemonSetToUnstructured converts ds for apply. The zero-valued status and
// creationTimestamp that the typed struct carries are dropped: an apply
// configuration should hold only the fields the caller means to own.
func daemonSetToUnstructured(ds *appsv1.DaemonSet) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ds)
	if err != nil {
		return nil, fmt.Errorf("convert daemonset %s/%s: %w", ds.Namespace, ds.Name, err)
	}
	obj := &unstructured.Unstructured{Object: m}
	obj.SetAPIVersion(appsv1.SchemeGroupVersion.String())
	obj.SetKind("DaemonSet")
	unstructured.RemoveNestedField(obj.Object, "status")
	unstructured.RemoveNestedField(obj.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(obj.Object, "spec", "template", "metadata", "creationTimestamp")
	return obj, nil
}

// conflictFrom turns the 409 of an apply into a *k8s.ConflictError, reading
// the field and manager of each FieldManagerConflict cause; nil for other
// errors.
func conflictFrom(object string, err error) *k8s.ConflictError {
	var status apierrors.APIStatus
	if !apierrors.IsConflict(err) || !errors.As(err, &status) {
		return nil
	}
	details := status.Status().Details
	if details == nil {
		return nil
	}
	ce := &k8s.ConflictError{Object: object, What: k8s.WhatField}
	for _, cause := range details.Causes {
		if cause.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		ce.Conflicts = append(ce.Conflicts, k8s.Conflict{Key: cause.Field, Owners: []string{managerOf(cause.Message)}})
	}
	if len(ce.Conflicts) == 0 {
		return nil
	}
	sort.SliceStable(ce.Conflicts, func(i, j int) bool { return ce.Conflicts[i].Key < ce.Conflicts[j].Key })
	return ce
}

// managerOf reads the manager out of a cause message such as
// `conflict with "kubectl-client-side-apply" using apps/v1`.
func managerOf(msg string) string {
	rest := strings.TrimPrefix(msg, "conflict with ")
	if q, err := strconv.QuotedPrefix(rest); err == nil {
		if name, err := strconv.Unquote(q); err == nil {
			return name
		}
	}
	return rest
}
