package rollout

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
)

// latencyRuns is the least number of rollouts a latency benchmark times.
const latencyRuns = 20

// percentile of sorted values (nearest rank).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// convergedAt watches the DaemonSet on a connection of its own and returns
// a channel that receives the moment its status converged for generation
// gen or later: the reference the latencies are measured from.
func convergedAt(b *testing.B, ctx context.Context, namespace, name, fromRV string) <-chan time.Time {
	b.Helper()
	w, err := testCluster.Client().AppsV1().DaemonSets(namespace).Watch(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String(), ResourceVersion: fromRV})
	if err != nil {
		b.Fatal(err)
	}
	out := make(chan time.Time, 1)
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			if ev.Type != watch.Modified && ev.Type != watch.Added {
				continue
			}
			if ds, ok := ev.Object.(*appsv1.DaemonSet); ok && decide(ds, 0).verdict == converged {
				out <- time.Now()
				return
			}
		}
	}()
	return out
}

// benchRollout applies a new template revision i of ns/logd and returns the
// resourceVersion before the change, for convergedAt.
func benchRollout(b *testing.B, c *Client, ns string, i int, readyDelay string) string {
	b.Helper()
	ctx := context.Background()
	rv := ""
	if cur, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(ctx, "logd", metav1.GetOptions{}); err == nil {
		rv = cur.ResourceVersion
	}
	ds := withMaxUnavailable(withReadyDelay(testDaemonSetSpec(ns, "logd", "alpine:3.20"), readyDelay), "100%")
	ds.Spec.Template.Annotations["bench/run"] = strconv.Itoa(i)
	if _, err := c.ApplyDaemonSet(ctx, ds, ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	return rv
}

// BenchmarkAccWaitLatency measures, over at least 20 rolling updates of a
// DaemonSet on 3 nodes, the time from the moment an independent watch sees
// the status converge to the moment the wait returns: WaitDaemonSet, and
// `kubectl rollout status` when kubectl is on PATH. poll-10s is computed, not
// measured: a loop that reads the status every 10 s sees convergence after a
// delay uniform over [0, 10 s), so its median is 5 s and its p95 9.5 s.
func BenchmarkAccWaitLatency(b *testing.B) {
	waiters := map[string]func(ctx context.Context, c *Client, ns string) error{
		"kubedaemon": func(ctx context.Context, c *Client, ns string) error {
			_, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: true})
			return err
		},
	}
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		waiters["kubectl-rollout-status"] = func(ctx context.Context, _ *Client, ns string) error {
			out, err := exec.CommandContext(ctx, kubectl, "rollout", "status", "daemonset/logd", "-n", ns,
				"--kubeconfig", testCluster.Kubeconfig, "--timeout", "1m").CombinedOutput()
			if err != nil {
				return fmt.Errorf("%w: %s", err, out)
			}
			return nil
		}
	}
	for _, name := range []string{"kubedaemon", "kubectl-rollout-status"} {
		wait, ok := waiters[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			c, ns := newTestClient(b), testNamespace(b)
			var ms []float64
			for i := 0; i < max(b.N, latencyRuns); i++ {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				rv := benchRollout(b, c, ns, i, "300ms")
				seen := convergedAt(b, ctx, ns, "logd", rv)
				if err := wait(ctx, c, ns); err != nil {
					cancel()
					b.Fatal(err)
				}
				returned := time.Now()
				select {
				case at := <-seen:
					ms = append(ms, float64(returned.Sub(at).Microseconds())/1000)
				case <-ctx.Done():
					cancel()
					b.Fatal("the independent watch never saw the status converge")
				}
				cancel()
			}
			slices.Sort(ms)
			b.ReportMetric(percentile(ms, 0.5), "p50-ms")
			b.ReportMetric(percentile(ms, 0.95), "p95-ms")
			b.ReportMetric(float64(len(ms)), "runs")
		})
	}
	b.Run("poll-10s-computed", func(b *testing.B) {
		for range b.N {
			// Nothing to run: the figures follow from the poll period.
		}
		b.ReportMetric(5000, "p50-ms")
		b.ReportMetric(9500, "p95-ms")
	})
}

// countingTransport counts the requests that go through it, and apart the
// lists of pods and of nodes (GETs of a collection, not watches).
type countingTransport struct {
	next                http.RoundTripper
	n                   *atomic.Int64
	podLists, nodeLists *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	if r.Method == http.MethodGet && r.URL.Query().Get("watch") == "" && t.podLists != nil {
		switch {
		case strings.HasSuffix(r.URL.Path, "/pods"):
			t.podLists.Add(1)
		case strings.HasSuffix(r.URL.Path, "/nodes"):
			t.nodeLists.Add(1)
		}
	}
	return t.next.RoundTrip(r)
}

// benchNodeCounts is 3 plus the sizes in KUBEDAEMON_BENCH_NODES (e.g.
// "100,1000"); each needs that many KWOK nodes in the test cluster.
func benchNodeCounts(b *testing.B) []int {
	counts := []int{3}
	for _, f := range strings.Split(os.Getenv("KUBEDAEMON_BENCH_NODES"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 3 {
			b.Fatalf("KUBEDAEMON_BENCH_NODES=%q: want node counts of at least 3, e.g. 100,1000", os.Getenv("KUBEDAEMON_BENCH_NODES"))
		}
		counts = append(counts, n)
	}
	return counts
}

// BenchmarkAccWaitRequests counts the API requests one WaitDaemonSet makes
// during a rolling update at 3 nodes and at each size of
// KUBEDAEMON_BENCH_NODES: "fast" pods are ready in 200 ms (the watch alone),
// "slow" ones take 5 s, so the status stands still long enough for the
// diagnoses that list pods (by pages of 500).
func BenchmarkAccWaitRequests(b *testing.B) {
	for _, nodes := range benchNodeCounts(b) {
		for _, sc := range []struct{ name, delay string }{{"fast", "200ms"}, {"slow", "5s"}} {
			b.Run(fmt.Sprintf("nodes=%d/%s", nodes, sc.name), func(b *testing.B) {
				if extra := nodes - 3; extra > 0 {
					names := make([]string, extra)
					for i := range names {
						names[i] = fmt.Sprintf("bench-node-%d", i)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
					defer cancel()
					if err := testCluster.AddNodes(ctx, names, nil, nil); err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() {
						if err := testCluster.DeleteNodes(context.Background(), names...); err != nil {
							b.Error(err)
						}
					})
				}
				var n, podLists, nodeLists atomic.Int64
				cfg := rest.CopyConfig(testCluster.RESTConfig)
				cfg.QPS, cfg.Burst = 1000, 2000
				cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
					return countingTransport{next: rt, n: &n, podLists: &podLists, nodeLists: &nodeLists}
				})
				c, err := NewClient(cfg, "kubedaemon-bench")
				if err != nil {
					b.Fatal(err)
				}
				ns := testNamespace(b)
				var total int64
				podLists.Store(0)
				nodeLists.Store(0)
				b.ResetTimer()
				for i := range b.N {
					benchRollout(b, c, ns, i, sc.delay)
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
					before := n.Load()
					res, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: true})
					cancel()
					if err != nil {
						b.Fatal(err)
					}
					if got := res.DaemonSet.Status.DesiredNumberScheduled; got != int32(nodes) {
						b.Fatalf("desired = %d, want %d", got, nodes)
					}
					total += n.Load() - before
				}
				b.ReportMetric(float64(total)/float64(b.N), "requests/op")
				b.ReportMetric(float64(podLists.Load())/float64(b.N), "pod-lists/op")
				b.ReportMetric(float64(nodeLists.Load())/float64(b.N), "node-lists/op")
			})
		}
	}
}
