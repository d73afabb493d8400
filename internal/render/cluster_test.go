package render

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// testCluster is the local control plane (3 KWOK nodes) the TestCluster*
// tests run against. It is nil unless TF_ACC or KUBEDAEMON_CLUSTER_TESTS is
// set, and the TestCluster* tests are then not run at all.
var testCluster *cluster.Cluster

const fieldManager = "kubedaemon-render-test"

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	return clustertest.Run(m, clustertest.Options{
		Package: "render",
		Skip:    "^TestCluster",
		Env:     []string{"TF_ACC", "KUBEDAEMON_CLUSTER_TESTS"},
	}, func(c *cluster.Cluster) error {
		testCluster = c
		return nil
	})
}

// applier applies rendered objects with server-side apply.
type applier struct {
	client kubernetes.Interface
	dyn    dynamic.Interface
	mapper meta.RESTMapper
}

func newApplier(t *testing.T) *applier {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(testCluster.RESTConfig)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(testCluster.RESTConfig)
	if err != nil {
		t.Fatal(err)
	}
	return &applier{
		client: testCluster.Client(),
		dyn:    dyn,
		mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
	}
}

// resource maps an object to its API resource, namespaced or not.
func (a *applier) resource(o Object) (dynamic.ResourceInterface, error) {
	gvk := o.Object.GetObjectKind().GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dyn.Resource(m.Resource).Namespace(o.Namespace), nil
	}
	return a.dyn.Resource(m.Resource), nil
}

// apply applies one object; dryRun asks the server to validate and admit it
// without storing it.
func (a *applier) apply(ctx context.Context, o Object, dryRun bool) error {
	j, err := yaml.YAMLToJSON(o.YAML)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(j); err != nil {
		return err
	}
	ri, err := a.resource(o)
	if err != nil {
		return err
	}
	opts := metav1.ApplyOptions{FieldManager: fieldManager, Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if _, err := ri.Apply(ctx, o.Name, u, opts); err != nil {
		return fmt.Errorf("apply %s %s/%s (from %s): %w", o.Kind, o.Namespace, o.Name, o.Source, err)
	}
	return nil
}

// createNamespace creates ns and deletes it, with the cluster-scoped
// objects given later through the returned function, when the test ends.
func (a *applier) createNamespace(t *testing.T, ns string) func(Object) {
	t.Helper()
	ctx := context.Background()
	_, err := a.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var clusterScoped []Object
	t.Cleanup(func() {
		for _, o := range clusterScoped {
			ri, err := a.resource(o)
			if err == nil {
				err = ri.Delete(ctx, o.Name, metav1.DeleteOptions{})
			}
			if err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("delete %s %s: %v", o.Kind, o.Name, err)
			}
		}
		if err := a.client.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", ns, err)
		}
	})
	return func(o Object) {
		if o.Namespace == "" {
			clusterScoped = append(clusterScoped, o)
		}
	}
}

// TestClusterDryRunApply sends every golden case of every preset to the
// apiserver as a server-side dry-run apply: validation and admission accept
// every object.
func TestClusterDryRunApply(t *testing.T) {
	a := newApplier(t)
	for _, p := range List() {
		t.Run(p.Name, func(t *testing.T) {
			ns := "kd-dry-" + p.Name
			a.createNamespace(t, ns)
			for _, c := range goldenCases(t) {
				if c.preset != p.Name {
					continue
				}
				values, err := os.ReadFile(c.valuesPath)
				if err != nil {
					t.Fatal(err)
				}
				res, err := Render(Request{Preset: p.Name, Name: "dry-" + c.name, Namespace: ns, ValuesYAML: [][]byte{values}})
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				for _, o := range res.Objects {
					if err := a.apply(context.Background(), o, true); err != nil {
						t.Errorf("%s: %v", c.name, err)
					}
				}
			}
		})
	}
}

// TestClusterDaemonSetsConverge applies each preset for real and waits for
// its DaemonSet to run a ready pod on each of the 3 nodes.
func TestClusterDaemonSetsConverge(t *testing.T) {
	a := newApplier(t)
	for _, p := range List() {
		t.Run(p.Name, func(t *testing.T) {
			ns := "kd-run-" + p.Name
			track := a.createNamespace(t, ns)
			res, err := Render(Request{Preset: p.Name, Namespace: ns, Name: "kd-" + p.Name})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			var ds Object
			for _, o := range res.Objects {
				track(o)
				if err := a.apply(ctx, o, false); err != nil {
					t.Fatal(err)
				}
				if o.Kind == "DaemonSet" {
					ds = o
				}
			}
			got, err := waitDaemonSetReady(ctx, a.client, ds.Namespace, ds.Name)
			if err != nil {
				t.Fatalf("DaemonSet %s/%s did not converge: %v", ds.Namespace, ds.Name, err)
			}
			st := got.Status
			if st.DesiredNumberScheduled != 3 || st.NumberReady != 3 || st.ObservedGeneration != got.Generation {
				t.Errorf("status = %+v, want 3 desired and ready at generation %d", st, got.Generation)
			}
		})
	}
}

// waitDaemonSetReady watches one DaemonSet until the controller has seen
// its generation and every scheduled pod is ready on 3 nodes.
func waitDaemonSetReady(ctx context.Context, client kubernetes.Interface, ns, name string) (*appsv1.DaemonSet, error) {
	sel := fields.OneTermEqualSelector("metadata.name", name).String()
	lw := &cache.ListWatch{
		ListFunc: func(o metav1.ListOptions) (runtime.Object, error) {
			o.FieldSelector = sel
			return client.AppsV1().DaemonSets(ns).List(ctx, o)
		},
		WatchFunc: func(o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			return client.AppsV1().DaemonSets(ns).Watch(ctx, o)
		},
	}
	var last *appsv1.DaemonSet
	_, err := watchtools.UntilWithSync(ctx, lw, &appsv1.DaemonSet{}, nil, func(e watch.Event) (bool, error) {
		ds, ok := e.Object.(*appsv1.DaemonSet)
		if !ok {
			return false, nil
		}
		if e.Type == watch.Deleted {
			return false, fmt.Errorf("deleted while waiting")
		}
		last = ds
		st := ds.Status
		return st.ObservedGeneration == ds.Generation && st.DesiredNumberScheduled == 3 &&
			st.NumberReady == st.DesiredNumberScheduled, nil
	})
	if err != nil && last != nil {
		return last, fmt.Errorf("%w (last status %+v)", err, last.Status)
	}
	return last, err
}
