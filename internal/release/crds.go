package release

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/yaml"
)

// crdResource is where CustomResourceDefinitions live.
var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// CRDError is a CustomResourceDefinition of a chart's crds/ folder that
// could not be created or did not become established.
type CRDError struct {
	Name string
	Err  error
}

func (e *CRDError) Error() string {
	return fmt.Sprintf("custom resource definition %s: %v", e.Name, e.Err)
}

func (e *CRDError) Unwrap() error { return e.Err }

// EnsureCRDs creates each CustomResourceDefinition (one YAML document each)
// that does not exist and waits until the API server serves it, so that the
// chart's custom resources can be applied next. As Helm does with a chart's
// crds/ folder, an existing definition is left as it is (never upgraded)
// and none is ever deleted; they carry no inventory marks. It returns the
// names of the definitions it created.
func (inv *Inventory) EnsureCRDs(ctx context.Context, docs []string) (created []string, err error) {
	for _, doc := range docs {
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return created, fmt.Errorf("custom resource definition: %w", err)
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(j); err != nil {
			return created, fmt.Errorf("custom resource definition: %w", err)
		}
		name := obj.GetName()
		_, err = inv.Client.Dynamic.Resource(crdResource).Create(ctx, obj, metav1.CreateOptions{FieldManager: inv.Client.FieldManager})
		switch {
		case apierrors.IsAlreadyExists(err):
			continue
		case err != nil:
			return created, &CRDError{Name: name, Err: err}
		}
		if err := inv.waitEstablished(ctx, name); err != nil {
			return created, &CRDError{Name: name, Err: err}
		}
		created = append(created, name)
		inv.log(ctx, "created custom resource definition", name)
	}
	return created, nil
}

// waitEstablished watches one CustomResourceDefinition until its
// Established condition is True.
func (inv *Inventory) waitEstablished(ctx context.Context, name string) error {
	ri := inv.Client.Dynamic.Resource(crdResource)
	selector := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListFunc: func(o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = selector
			return ri.List(ctx, o)
		},
		WatchFunc: func(o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = selector
			return ri.Watch(ctx, o)
		},
	}
	_, err := watchtools.UntilWithSync(ctx, lw, &unstructured.Unstructured{}, nil, func(ev watch.Event) (bool, error) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		if !ok {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			return false, fmt.Errorf("deleted while waiting for it to be established")
		}
		return established(u), nil
	})
	if err != nil {
		return fmt.Errorf("wait until established: %w", err)
	}
	return nil
}

// established reports whether a definition's Established condition is True.
func established(u *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Established" && m["status"] == "True" {
			return true
		}
	}
	return false
}
