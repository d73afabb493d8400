package rollout

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// testCluster is the local control plane of the cluster tests in this
// package (3 KWOK nodes), or nil without TF_ACC / KUBEDAEMON_CLUSTER_TESTS.
// Tests run one at a time and leave the nodes as they found them.
var testCluster *cluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	return clustertest.Run(m, clustertest.Options{
		Package: "rollout",
		Skip:    "^(TestAcc|BenchmarkAcc)",
		Env:     []string{"TF_ACC", "KUBEDAEMON_CLUSTER_TESTS"},
	}, func(c *cluster.Cluster) error {
		testCluster = c
		return nil
	})
}

func newTestClient(t testing.TB) *Client {
	t.Helper()
	c, err := NewClient(testCluster.RESTConfig, "kubedaemon-test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testNamespace creates a namespace of its own for t and deletes it after.
func testNamespace(t testing.TB) string {
	t.Helper()
	return clustertest.Namespace(t, testCluster, "rollout")
}

// testDaemonSetSpec is a one-container DaemonSet app=name running image.
func testDaemonSetSpec(namespace, name, image string) *appsv1.DaemonSet {
	return clustertest.DaemonSet(namespace, name, image)
}

func withReadyDelay(ds *appsv1.DaemonSet, d string) *appsv1.DaemonSet {
	ds.Spec.Template.Annotations = map[string]string{cluster.ReadyDelayAnnotation: d}
	return ds
}

func withMaxUnavailable(ds *appsv1.DaemonSet, v string) *appsv1.DaemonSet {
	mu := intstr.FromString(v)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &mu}}
	return ds
}

// progressLog collects progress lines; safe for the wait's goroutines.
type progressLog struct {
	mu    sync.Mutex
	lines []string
}

func (p *progressLog) add(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, line)
}

func (p *progressLog) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

func (p *progressLog) String() string { return strings.Join(p.all(), "\n") }

// applyAndWait applies ds and waits for it with fail-fast on.
func applyAndWait(t *testing.T, c *Client, ds *appsv1.DaemonSet, opts WaitOptions, timeout time.Duration) (*WaitResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if _, err := c.ApplyDaemonSet(ctx, ds, ApplyOptions{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return c.WaitDaemonSet(ctx, ds.Namespace, ds.Name, opts)
}

// daemonPodsOf lists the pods of the DaemonSet namespace/name by its label.
func daemonPodsOf(t *testing.T, namespace, name string) []corev1.Pod {
	t.Helper()
	list, err := testCluster.Client().CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + name})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}
