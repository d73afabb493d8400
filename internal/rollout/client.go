package rollout

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Client applies, waits for and deletes objects. Every field is exported so
// tests can assemble one from fakes; NewClient builds the real thing.
type Client struct {
	// Clientset reads DaemonSets, pods, nodes, revisions and events.
	Clientset kubernetes.Interface
	// Dynamic applies and deletes objects of any kind.
	Dynamic dynamic.Interface
	// Mapper turns a kind into its resource and scope.
	Mapper meta.RESTMapper
	// FieldManager owns the fields that Apply sets.
	FieldManager string
	// Now is the clock of the stuck-pod grace period (time.Now when nil).
	Now func() time.Time
}

// NewClient builds a Client for cfg. The RESTMapper discovers the API lazily,
// on the first Apply or Delete, and caches what it found in memory.
func NewClient(cfg *rest.Config, fieldManager string) (*Client, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("build clientset: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("build dynamic client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(cs.Discovery()))
	return &Client{
		Clientset:    cs,
		Dynamic:      dyn,
		Mapper:       mapper,
		FieldManager: fieldManager,
		Now:          time.Now,
	}, nil
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// resettable is the part of DeferredDiscoveryRESTMapper that forgets what it
// discovered, so that a kind created a moment ago (a CRD) can be found.
type resettable interface{ Reset() }

// resource returns the dynamic client for gvk in namespace ("" for
// cluster-scoped kinds; namespaced kinds default to "default").
func (c *Client) resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, *meta.RESTMapping, error) {
	if c.Mapper == nil || c.Dynamic == nil {
		return nil, nil, fmt.Errorf("rollout client for %s has no RESTMapper or dynamic client: build it with rollout.NewClient", gvk.Kind)
	}
	mapping, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		if r, ok := c.Mapper.(resettable); ok {
			r.Reset()
			mapping, err = c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("the cluster does not serve %s %s: %w", gvk.GroupVersion(), gvk.Kind, err)
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		return c.Dynamic.Resource(mapping.Resource), mapping, nil
	}
	if namespace == "" {
		namespace = "default"
	}
	return c.Dynamic.Resource(mapping.Resource).Namespace(namespace), mapping, nil
}

// Get reads the object of kind gvk named namespace/name (namespace is
// ignored for cluster-scoped kinds; "" means "default" for namespaced ones).
// An object that does not exist is an error for which
// apierrors.IsNotFound is true.
func (c *Client) Get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	ri, mapping, err := c.resource(gvk, namespace)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", objectName(gvk.Kind, namespace, name), err)
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		namespace = ""
	} else if namespace == "" {
		namespace = "default"
	}
	obj, err := ri.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", objectName(gvk.Kind, namespace, name), err)
	}
	return obj, nil
}

// objectName is "kind namespace/name" (or "kind name"), as errors name objects.
func objectName(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}
