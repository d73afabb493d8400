package clustertest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
)

// Options says when a package's cluster tests run and which they are.
type Options struct {
	// Package names the package in the line printed when the tests are left out.
	Package string
	// Skip matches the tests that need the cluster, e.g. "^TestAcc".
	Skip string
	// Env lists the variables, any of which turns the cluster tests on.
	Env []string
}

// Run runs m's tests. With one of opts.Env set, it starts a 3-node cluster,
// hands it to use (whose error ends the run), and stops it after the tests.
// Otherwise it leaves the cluster tests out through go test's own -skip flag,
// unless the caller set one, so that their setup never runs without a cluster.
func Run(m *testing.M, opts Options, use func(*cluster.Cluster) error) int {
	if !enabled(opts.Env) {
		flag.Parse()
		if f := flag.Lookup("test.skip"); f != nil && f.Value.String() == "" {
			_ = f.Value.Set(opts.Skip)
			fmt.Fprintf(os.Stderr, "%s: cluster tests left out; set %s=1 (make test) to run them against a local cluster\n",
				opts.Package, opts.Env[0])
		}
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 3, Log: os.Stderr})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the local cluster:", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop the local cluster:", err)
		}
	}()
	if err := use(c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func enabled(env []string) bool {
	for _, e := range env {
		if os.Getenv(e) != "" {
			return true
		}
	}
	return false
}

// Namespace creates a namespace named prefix-<number> in c for one test and
// deletes it when the test ends.
func Namespace(t testing.TB, c *cluster.Cluster, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
	cs := c.Client()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	return name
}

// DaemonSet is a one-container DaemonSet app=name running image, whose pods
// stop at once: what the cluster tests wait on.
func DaemonSet(namespace, name, image string) *appsv1.DaemonSet {
	labels := map[string]string{"app": name}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers:                    []corev1.Container{{Name: "main", Image: image}},
					TerminationGracePeriodSeconds: new(int64(0)),
				},
			},
		},
	}
}

// NotReadyNode creates a node named prefix-<number> that neither a kubelet
// nor kwok runs (it lacks kwok's annotation), with a Ready condition False,
// so a pod bound there never starts; it is deleted when t ends.
func NotReadyNode(t testing.TB, c *cluster.Cluster, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000)
	pods := corev1.ResourceList{corev1.ResourcePods: resource.MustParse("110")}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}},
		// NOTE: the API server keeps a node's status on create.
		Status: corev1.NodeStatus{Capacity: pods, Allocatable: pods, Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletStopped", Message: "no kubelet in this test",
			LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(),
		}}},
	}
	cs := c.Client()
	if _, err := cs.CoreV1().Nodes().Create(context.Background(), node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// UpdateDaemonSet changes the live DaemonSet namespace/name with mutate and
// writes it back as fieldManager ("" for the client's default). The
// DaemonSet controller writes the object's status meanwhile, so a conflict
// reads the object again and retries, as kubectl edit does.
func UpdateDaemonSet(t testing.TB, c *cluster.Cluster, namespace, name, fieldManager string, mutate func(*appsv1.DaemonSet)) {
	t.Helper()
	if err := update(c.Client().AppsV1().DaemonSets(namespace), name, fieldManager, mutate); err != nil {
		t.Fatalf("update daemonset %s/%s: %v", namespace, name, err)
	}
}

// UpdateNode changes the live node name with mutate and writes it back as
// fieldManager ("" for the client's default), retrying a conflict with the
// node's heartbeats as kubectl label and kubectl cordon do.
func UpdateNode(t testing.TB, c *cluster.Cluster, name, fieldManager string, mutate func(*corev1.Node)) {
	t.Helper()
	if err := update(c.Client().CoreV1().Nodes(), name, fieldManager, mutate); err != nil {
		t.Fatalf("update node %s: %v", name, err)
	}
}

// getUpdater is the part of a typed client that update needs.
type getUpdater[T any] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Update(ctx context.Context, obj T, opts metav1.UpdateOptions) (T, error)
}

// update reads an object, changes it and writes it back, again on a
// conflict (client-go's retry.RetryOnConflict).
func update[T any](client getUpdater[T], name, fieldManager string, mutate func(T)) error {
	ctx := context.Background()
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		obj, err := client.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		mutate(obj)
		_, err = client.Update(ctx, obj, metav1.UpdateOptions{FieldManager: fieldManager})
		return err
	})
}
