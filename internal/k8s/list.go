package k8s

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/tools/pager"
)

// PageSize is how many objects each list request asks for. Every node and
// pod listing goes page by page: one unpaged list of thousands of nodes or
// pods is one large response that the API server and the client both hold
// at once.
const PageSize = 500

// EachNode lists the nodes that opts selects, PageSize at a time, and calls
// fn with each as its page arrives. fn must not keep the node: copy what it
// needs. An error from fn ends the listing.
func EachNode(ctx context.Context, cs kubernetes.Interface, opts metav1.ListOptions, fn func(*corev1.Node) error) error {
	return eachItem(ctx, opts, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return cs.CoreV1().Nodes().List(ctx, o)
	}, func(obj runtime.Object) error {
		n, ok := obj.(*corev1.Node)
		if !ok {
			return fmt.Errorf("unexpected %T in a node list", obj)
		}
		return fn(n)
	})
}

// NodeMetadata is the nodes resource of mc: Get and List return each node's
// metadata alone (name, labels, annotations, managedFields), about half the
// bytes of a whole node.
func NodeMetadata(mc metadata.Interface) metadata.ResourceInterface {
	return mc.Resource(corev1.SchemeGroupVersion.WithResource("nodes"))
}

// EachNodeMetadata is EachNode for a caller that needs only the nodes'
// metadata: the pages carry each node's metadata alone (NodeMetadata).
func EachNodeMetadata(ctx context.Context, mc metadata.Interface, opts metav1.ListOptions, fn func(*metav1.PartialObjectMetadata) error) error {
	nodes := NodeMetadata(mc)
	return eachItem(ctx, opts, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return nodes.List(ctx, o)
	}, func(obj runtime.Object) error {
		m, ok := obj.(*metav1.PartialObjectMetadata)
		if !ok {
			return fmt.Errorf("unexpected %T in a node metadata list", obj)
		}
		return fn(m)
	})
}

// EachPod is EachNode for the pods of namespace (all namespaces when empty).
func EachPod(ctx context.Context, cs kubernetes.Interface, namespace string, opts metav1.ListOptions, fn func(*corev1.Pod) error) error {
	return eachItem(ctx, opts, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return cs.CoreV1().Pods(namespace).List(ctx, o)
	}, func(obj runtime.Object) error {
		p, ok := obj.(*corev1.Pod)
		if !ok {
			return fmt.Errorf("unexpected %T in a pod list", obj)
		}
		return fn(p)
	})
}

// EachEvent is EachNode for the core/v1 Events of namespace (all namespaces
// when empty); opts.FieldSelector narrows them on the server (reason, type,
// involvedObject.kind, involvedObject.uid, ...).
func EachEvent(ctx context.Context, cs kubernetes.Interface, namespace string, opts metav1.ListOptions, fn func(*corev1.Event) error) error {
	return eachItem(ctx, opts, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return cs.CoreV1().Events(namespace).List(ctx, o)
	}, func(obj runtime.Object) error {
		e, ok := obj.(*corev1.Event)
		if !ok {
			return fmt.Errorf("unexpected %T in an event list", obj)
		}
		return fn(e)
	})
}

func eachItem(ctx context.Context, opts metav1.ListOptions, list pager.ListPageFunc, fn func(runtime.Object) error) error {
	p := pager.New(list)
	p.PageSize = PageSize
	// NOTE: no full-list fallback: an expired continue token (a listing
	// slower than etcd's compaction) is an error rather than one unpaged
	// list of everything, which is what paging is here to avoid.
	p.FullListIfExpired = false
	// One page is decoded while the next is fetched, so at most two pages
	// are held at a time.
	p.PageBufferSize = 1
	if opts.Limit == 0 {
		opts.Limit = PageSize
	}
	return p.EachListItem(ctx, opts, fn)
}

// NodeReady reports whether n's Ready condition is True: the kubelet (or
// kwok) reports in and the node can start pods.
func NodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
