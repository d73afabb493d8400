package release

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// The inventory marks that every object of a release carries (see the
// package comment).
const (
	// ManagedByLabel, with ManagedByValue, finds the objects of every
	// release.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is the value of ManagedByLabel.
	ManagedByValue = "kubedaemon"
	// InventoryAnnotation names the release an object belongs to: the
	// inventory ID, namespace/name.
	InventoryAnnotation = "kubedaemon.dev/inventory"
	// AppliedAnnotation holds the YAML the object was applied with.
	AppliedAnnotation = "kubedaemon.dev/applied"
)

// applyObject turns an entry into what is applied: the YAML with the
// inventory marks of inventoryID, in the key's namespace.
func applyObject(e Entry, inventoryID string) (*unstructured.Unstructured, error) {
	_, ns, _, err := ParseObjectKey(e.Key)
	if err != nil {
		return nil, err
	}
	j, err := yaml.YAMLToJSON([]byte(e.YAML))
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", e.Key, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		return nil, fmt.Errorf("object %s: %w", e.Key, err)
	}
	if ns != "" {
		obj.SetNamespace(ns)
	}
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[ManagedByLabel] = ManagedByValue
	obj.SetLabels(labels)
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[InventoryAnnotation] = inventoryID
	ann[AppliedAnnotation] = e.Record()
	obj.SetAnnotations(ann)
	return obj, nil
}

// gvkOf reads the group, version and kind of an entry's YAML.
func gvkOf(doc string) (schema.GroupVersionKind, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
		return schema.GroupVersionKind{}, err
	}
	gv, err := schema.ParseGroupVersion(head.APIVersion)
	if err != nil {
		return schema.GroupVersionKind{}, err
	}
	return gv.WithKind(head.Kind), nil
}

// object is e as the inventory applies it: applyObject, and with OnDelete a
// DaemonSet's update strategy OnDelete.
func (inv *Inventory) object(e Entry) (*unstructured.Unstructured, error) {
	obj, err := applyObject(e, inv.ID)
	if err != nil || !inv.OnDelete || obj.GetKind() != "DaemonSet" {
		return obj, err
	}
	if err := unstructured.SetNestedMap(obj.Object, map[string]any{"type": "OnDelete"}, "spec", "updateStrategy"); err != nil {
		return nil, fmt.Errorf("object %s: %w", e.Key, err)
	}
	return obj, nil
}
