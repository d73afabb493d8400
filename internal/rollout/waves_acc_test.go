package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// waveFleet adds 10 nodes for one test, 3 labelled env=dev and 7 env=prod,
// and returns a DaemonSet (OnDelete) that runs image on exactly them.
func waveFleet(t *testing.T, ns, image string) (*appsv1.DaemonSet, []string, []string) {
	t.Helper()
	ctx := context.Background()
	label := fmt.Sprintf("waves-%d", time.Now().UnixNano()%1_000_000)
	var dev, prod []string
	for i := range 10 {
		name := fmt.Sprintf("%s-%02d", label, i)
		if i < 3 {
			dev = append(dev, name)
		} else {
			prod = append(prod, name)
		}
	}
	if err := testCluster.AddNodes(ctx, dev, map[string]string{"rollout-test": label, "env": "dev"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := testCluster.AddNodes(ctx, prod, map[string]string{"rollout-test": label, "env": "prod"}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), append(dev, prod...)...) })
	ds := testDaemonSetSpec(ns, "logd", image)
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"rollout-test": label}
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	return ds, dev, prod
}

// podEvents records, from a watch of its own (not the rollout's), when each
// pod of an image was added and became ready, in the order the API server
// sent the events.
type podEvents struct {
	mu     sync.Mutex
	events []podEvent
}

type podEvent struct {
	node, image string
	ready       bool
}

func watchPods(t *testing.T, ns string) *podEvents {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := testCluster.Client().CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "app=logd"})
	if err != nil {
		t.Fatal(err)
	}
	pe := &podEvents{}
	seen := map[string]bool{}
	go func() {
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type == watch.Deleted || p.DeletionTimestamp != nil || p.Spec.NodeName == "" {
				continue
			}
			img := p.Spec.Containers[0].Image
			pe.mu.Lock()
			if !seen[string(p.UID)] {
				seen[string(p.UID)] = true
				pe.events = append(pe.events, podEvent{node: p.Spec.NodeName, image: img})
			}
			if podReady(p) && !seen[string(p.UID)+"/ready"] {
				seen[string(p.UID)+"/ready"] = true
				pe.events = append(pe.events, podEvent{node: p.Spec.NodeName, image: img, ready: true})
			}
			pe.mu.Unlock()
		}
	}()
	return pe
}

// checkOrder fails t unless, for image, every pod on a node of wave k was
// created only after every pod of waves before k was ready.
func (pe *podEvents) checkOrder(t *testing.T, image string, waves [][]string) {
	t.Helper()
	pe.mu.Lock()
	defer pe.mu.Unlock()
	waveOf := map[string]int{}
	for i, w := range waves {
		for _, n := range w {
			waveOf[n] = i
		}
	}
	readyIn := make([]int, len(waves))
	for _, ev := range pe.events {
		if ev.image != image {
			continue
		}
		k := waveOf[ev.node]
		if ev.ready {
			readyIn[k]++
			continue
		}
		for j := range k {
			if readyIn[j] < len(waves[j]) {
				t.Errorf("a pod of wave %d was created on %s while wave %d had %d/%d ready pods", k+1, ev.node, j+1, readyIn[j], len(waves[j]))
			}
		}
	}
	for k, w := range waves {
		if readyIn[k] != len(w) {
			t.Errorf("wave %d: %d ready pods of %s, want %d", k+1, readyIn[k], image, len(w))
		}
	}
}

// newTemplate applies ds and waits until it converged, then changes its
// template with edit and applies it again: the DaemonSet (OnDelete) then
// carries a template its pods do not run yet, for RolloutWaves. The context
// it returns ends with the test, or after 2 minutes.
func newTemplate(t *testing.T, c *Client, ds *appsv1.DaemonSet, edit func(*appsv1.DaemonSet)) context.Context {
	t.Helper()
	if _, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true}, time.Minute); err != nil {
		t.Fatal(err)
	}
	edit(ds)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	if _, err := c.ApplyDaemonSet(ctx, ds, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// withImage is the edit of newTemplate that changes the image.
func withImage(image string) func(*appsv1.DaemonSet) {
	return func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = image }
}

func imagesByNode(t *testing.T, ns string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if p.DeletionTimestamp == nil {
			out[podNode(&p)] = p.Spec.Containers[0].Image
		}
	}
	return out
}

func mustWave(t testing.TB, s string, maxUnavailable string, soak time.Duration) Wave {
	t.Helper()
	w, err := ParseWave(s)
	if err != nil {
		t.Fatal(err)
	}
	if maxUnavailable != "" {
		mu := intstr.Parse(maxUnavailable)
		w.MaxUnavailable = &mu
	}
	w.Soak = soak
	return w
}

// 3 waves over 10 nodes (env=dev, 50 % of the rest, the rest): new pods
// appear wave by wave, never on a later wave's node before the earlier wave
// is ready, as an independent pod watch sees it.
func TestAccRolloutWavesInOrder(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds, dev, prod := waveFleet(t, ns, "logd:1")
	var events *podEvents
	ctx := newTemplate(t, c, ds, func(ds *appsv1.DaemonSet) {
		events = watchPods(t, ns)
		ds.Spec.Template.Spec.Containers[0].Image = "logd:2"
		ds.Spec.Template.Annotations = map[string]string{cluster.ReadyDelayAnnotation: "300ms"}
	})
	var log progressLog
	res, err := c.RolloutWaves(ctx, ns, "logd", WavesOptions{
		Waves:       []Wave{mustWave(t, "env=dev", "1", 0), mustWave(t, "50%", "2", time.Second)},
		MaxRestarts: 0,
		Wait:        WaitOptions{FailFast: true, Progress: log.add},
	})
	if err != nil {
		t.Fatalf("rollout: %v\n%s", err, &log)
	}
	if res.Record.Result != ResultComplete || res.Record.Waves != 3 || res.Record.Done != 3 {
		t.Errorf("record = %+v, want complete after 3/3 waves", res.Record)
	}
	waves := [][]string{dev, prod[:4], prod[4:]}
	events.checkOrder(t, "logd:2", waves)
	for n, img := range imagesByNode(t, ns) {
		if img != "logd:2" {
			t.Errorf("node %s runs %s, want logd:2", n, img)
		}
	}
	for _, want := range []string{"wave 1/3 env=dev: 3/3 updated", "wave 2/3 50%: 4/4 updated, soaking 1s", "wave 3/3 remaining nodes: 3/3 updated"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, &log)
		}
	}
	st := StatusOf(res.DaemonSet, false)
	if st.Unfinished() || st.Result != ResultComplete {
		t.Errorf("StatusOf = %+v, want complete", st)
	}
}

// A crash-looping image fails the first wave. With rollback, every node ends
// on the old image and ready, and the error names the wave, the nodes and
// the reason; with halt, only the first wave runs the new image.
func TestAccRolloutWavesFailure(t *testing.T) {
	for _, onFailure := range []OnFailure{OnFailureRollback, OnFailureHalt} {
		t.Run(string(onFailure), func(t *testing.T) {
			c, ns := newTestClient(t), testNamespace(t)
			ds, dev, _ := waveFleet(t, ns, "logd:1")
			ctx := newTemplate(t, c, ds, withImage("logd:crashloop"))
			var log progressLog
			_, err := c.RolloutWaves(ctx, ns, "logd", WavesOptions{
				Waves:     []Wave{mustWave(t, "env=dev", "3", 0), mustWave(t, "50%", "", 0)},
				OnFailure: onFailure,
				Wait:      WaitOptions{FailFast: true, StuckGrace: time.Second, Progress: log.add},
			})
			var we *WaveError
			if !errors.As(err, &we) {
				t.Fatalf("rollout error = %v, want a *WaveError\n%s", err, &log)
			}
			msg := err.Error()
			for _, want := range append([]string{"wave 1/3 (env=dev) failed", "Restarted", "max_restarts"}, dev...) {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q:\n%s", want, msg)
				}
			}
			images := imagesByNode(t, ns)
			live, gerr := testCluster.Client().AppsV1().DaemonSets(ns).Get(ctx, "logd", metav1.GetOptions{})
			if gerr != nil {
				t.Fatal(gerr)
			}
			rec, ok := RecordOf(live)
			switch onFailure {
			case OnFailureRollback:
				if we.Result != ResultRolledBack || we.RollbackErr != nil {
					t.Errorf("result = %s (%v), want rolled-back", we.Result, we.RollbackErr)
				}
				if img := live.Spec.Template.Spec.Containers[0].Image; img != "logd:1" {
					t.Errorf("template image after rollback = %s, want logd:1", img)
				}
				for n, img := range images {
					if img != "logd:1" {
						t.Errorf("node %s runs %s after rollback, want logd:1", n, img)
					}
				}
				if len(images) != 10 {
					t.Errorf("%d nodes run a pod, want 10", len(images))
				}
				if _, err := c.WaitDaemonSet(ctx, ns, "logd", WaitOptions{FailFast: true}); err != nil {
					t.Errorf("after rollback the DaemonSet does not converge: %v", err)
				}
				if !ok || rec.Result != ResultRolledBack {
					t.Errorf("record = %+v (%v), want rolled-back for the current generation", rec, ok)
				}
			case OnFailureHalt:
				if we.Result != ResultHalted {
					t.Errorf("result = %s, want halted", we.Result)
				}
				for n, img := range images {
					want := "logd:1"
					if slices.Contains(dev, n) {
						want = "logd:crashloop"
					}
					if img != want {
						t.Errorf("node %s runs %s after halt, want %s", n, img, want)
					}
				}
				if !ok || rec.Result != ResultHalted || rec.Done != 0 || !StatusOf(live, false).Unfinished() {
					t.Errorf("record = %+v (%v), want halted in wave 1 and unfinished", rec, ok)
				}
			}
		})
	}
}

// A rollout interrupted in wave 2 records it; the next run resumes there,
// without touching wave 1's pods again.
func TestAccRolloutWavesResume(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds, dev, _ := waveFleet(t, ns, "logd:1")
	ctx := newTemplate(t, c, ds, withImage("logd:2"))
	waves := []Wave{mustWave(t, "env=dev", "3", 0), mustWave(t, "50%", "1", 5*time.Second)}
	runCtx, interrupt := context.WithCancel(ctx)
	progress := func(line string) {
		if strings.HasPrefix(line, "wave 2/3") {
			interrupt()
		}
	}
	_, err := c.RolloutWaves(runCtx, ns, "logd", WavesOptions{Waves: waves, Wait: WaitOptions{FailFast: true, Progress: progress}})
	var we *WaveError
	if !errors.As(err, &we) || we.Cause != CauseCancelled || we.Wave != 2 {
		t.Fatalf("interrupted rollout: %v, want a cancelled *WaveError in wave 2", err)
	}
	live, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(ctx, "logd", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := StatusOf(live, false)
	if !st.Unfinished() || st.Done != 1 || !strings.HasPrefix(st.Summary(), "resume rollout: wave 2/3 (50%)") {
		t.Fatalf("status after interruption = %+v (%s), want wave 2/3 to resume", st, st.Summary())
	}
	devPods := map[string]string{}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if slices.Contains(dev, p.Spec.NodeName) {
			devPods[p.Spec.NodeName] = string(p.UID)
		}
	}
	var log progressLog
	res, err := c.RolloutWaves(ctx, ns, "logd", WavesOptions{Waves: waves, Wait: WaitOptions{FailFast: true, Progress: log.add}})
	if err != nil {
		t.Fatalf("resumed rollout: %v", err)
	}
	if res.Record.Result != ResultComplete {
		t.Errorf("record = %+v, want complete", res.Record)
	}
	if strings.Contains(log.String(), "wave 1/3") {
		t.Errorf("the resumed rollout ran wave 1 again:\n%s", &log)
	}
	for _, p := range daemonPodsOf(t, ns, "logd") {
		if uid, ok := devPods[p.Spec.NodeName]; ok && uid != string(p.UID) {
			t.Errorf("the pod of wave 1 on %s was replaced again", p.Spec.NodeName)
		}
	}
	for n, img := range imagesByNode(t, ns) {
		if img != "logd:2" {
			t.Errorf("node %s runs %s, want logd:2", n, img)
		}
	}
}

// Waves whose selectors match no node are a warning, not a failure.
func TestAccRolloutWavesNoMatch(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds, _, _ := waveFleet(t, ns, "logd:1")
	ctx := newTemplate(t, c, ds, withImage("logd:2"))
	res, err := c.RolloutWaves(ctx, ns, "logd", WavesOptions{Waves: []Wave{
		{Selector: labels.SelectorFromSet(labels.Set{"env": "staging"})}, mustWave(t, "env=dev", "", 0)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "wave 1 (env=staging) takes no node") {
		t.Errorf("warnings = %q", res.Warnings)
	}
	if res.Record.Waves != 2 {
		t.Errorf("record = %+v, want 2 waves (env=dev and the rest)", res.Record)
	}
}

// rolloutRequests runs a 3-wave rollout over n nodes of their own and
// returns the requests the API server served meanwhile, by key, of the kinds
// the rollout makes (the controllers' own requests are of other scopes or
// verbs: informers in cluster scope, pod creations, status updates).
func rolloutRequests(t testing.TB, n int) (map[string]int, time.Duration) {
	t.Helper()
	c, ns := newTestClient(t), testNamespace(t)
	ctx := context.Background()
	label := fmt.Sprintf("reqs-%d-%d", n, time.Now().UnixNano()%1_000_000)
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("%s-%03d", label, i))
	}
	third := n / 3
	if err := testCluster.AddNodes(ctx, names[:third], map[string]string{"rollout-test": label, "env": "dev"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := testCluster.AddNodes(ctx, names[third:], map[string]string{"rollout-test": label, "env": "prod"}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), names...) })
	ds := testDaemonSetSpec(ns, "logd", "logd:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"rollout-test": label}
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	if _, err := c.ApplyDaemonSet(rctx, ds, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitDaemonSet(rctx, ns, "logd", WaitOptions{FailFast: true}); err != nil {
		t.Fatal(err)
	}
	ds.Spec.Template.Spec.Containers[0].Image = "logd:2"
	defer cancel()
	if _, err := c.ApplyDaemonSet(rctx, ds, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	// Let requests still in flight from earlier work end first.
	time.Sleep(2 * time.Second)
	before := clustertest.APIRequests(t, testCluster)
	start := time.Now()
	var log progressLog
	_, err := c.RolloutWaves(rctx, ns, "logd", WavesOptions{Waves: []Wave{mustWave(t, "env=dev", "50%", 0), mustWave(t, "50%", "50%", 0)},
		Wait: WaitOptions{FailFast: true, Progress: log.add}})
	t.Logf("rollout over %d nodes:\n%s", n, &log)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	all := clustertest.APIRequests(t, testCluster).Since(before)
	out := map[string]int{}
	for k, v := range all {
		for _, mine := range []string{"namespace/pods:LIST", "namespace/pods:WATCH", "resource/pods:DELETE", "cluster/nodes:LIST",
			"namespace/controllerrevisions:LIST", "namespace/daemonsets:LIST", "namespace/daemonsets:WATCH", "resource/daemonsets:PATCH",
			"resource/nodes:GET", "namespace/events:LIST"} {
			if k == mine {
				out[k] = v
			}
		}
	}
	return out, took
}

// notDeletions sums the requests of a rollout but the pod deletions, and,
// apart, its watches (counted when they end).
func notDeletions(r map[string]int) (n, watches int) {
	for k, v := range r {
		switch {
		case strings.HasSuffix(k, ":WATCH"):
			watches += v
		case k != "resource/pods:DELETE":
			n += v
		}
	}
	return n, watches
}

// BenchmarkAccRolloutWaves times a 3-wave rollout (env=dev, half of the
// rest, the rest) over 9 nodes and over each size of KUBEDAEMON_BENCH_NODES,
// and reports the requests it makes besides the pod deletions, per wave,
// from the API server's metrics.
func BenchmarkAccRolloutWaves(b *testing.B) {
	sizes := []int{9}
	for _, n := range benchNodeCounts(b)[1:] {
		sizes = append(sizes, max(n, 9))
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			var secs, perWave, watches, deletes float64
			for range b.N {
				reqs, took := rolloutRequests(b, n)
				other, w := notDeletions(reqs)
				secs += took.Seconds()
				perWave += float64(other) / 3
				watches += float64(w)
				deletes += float64(reqs["resource/pods:DELETE"])
			}
			b.ReportMetric(secs/float64(b.N), "rollout-s")
			b.ReportMetric(perWave/float64(b.N), "requests/wave")
			b.ReportMetric(watches/float64(b.N), "watches/op")
			b.ReportMetric(deletes/float64(b.N)/float64(n), "deletes/node")
		})
	}
}

// The requests of a rollout do not grow with the number of nodes, apart
// from one pod deletion per node: counted by the API server, at 9 and 45
// nodes.
func TestAccRolloutWavesRequests(t *testing.T) {
	small, _ := rolloutRequests(t, 9)
	large, _ := rolloutRequests(t, 45)
	// Each pod is deleted twice: by the rollout, then by kwok, which
	// finishes the deletion as a kubelet would.
	if small["resource/pods:DELETE"] != 2*9 || large["resource/pods:DELETE"] != 2*45 {
		t.Errorf("pod deletions: %d at 9 nodes, %d at 45; want two per node (the rollout's and kwok's)",
			small["resource/pods:DELETE"], large["resource/pods:DELETE"])
	}
	// Watches count when they end, so the last ones may not be counted yet;
	// the pods come from one informer (whose first list is a streaming
	// watch) and the DaemonSet from two watches (the new generation, the
	// final wait): at most 3.
	ns, ws := notDeletions(small)
	nl, wl := notDeletions(large)
	// A list of nodes, a list of revisions, and a record patch at the start,
	// per wave and at the end: 7 for 3 waves, whatever the number of nodes.
	// (The rollout's one GET of the DaemonSet is not counted: the
	// controller GETs it too, on conflicts.) The pods and the DaemonSet
	// come from watches; client-go falls back to a list when a streaming
	// list is cut short, which a loaded machine does now and then: at most
	// one per watch.
	// The API server counts a request when it ends, so a request an earlier
	// test left in flight on the loaded machine (a wait's diagnosis: a few
	// paged lists) can land in the count: the bound allows one such
	// diagnosis, the same at 9 and at 45 nodes.
	for _, r := range []map[string]int{small, large} {
		if r["resource/daemonsets:PATCH"] != 5 || r["cluster/nodes:LIST"] < 1 || r["namespace/controllerrevisions:LIST"] < 1 {
			t.Errorf("requests %v: want 5 record patches, a node list and a revision list", r)
		}
	}
	if ns < 7 || ns > 17 || nl < 7 || nl > 17 || ws > 3 || wl > 3 {
		t.Errorf("requests besides deletions: %d (+%d watches) at 9 nodes %v, %d (+%d watches) at 45 nodes %v; want 7 (at most 17 "+
			"with relists or an earlier test's diagnosis) and at most 3 watches, at both", ns, ws, small, nl, wl, large)
	}
	t.Logf("requests besides deletions: %v at 9 nodes, %v at 45 nodes", small, large)
}

// A node that joins during the rollout gets the new template from the
// controller (OnDelete creates pods from the current one) and counts toward
// the wave in progress: the wave waits for its pod too.
func TestAccRolloutWavesNodeJoins(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds, _, _ := waveFleet(t, ns, "logd:1")
	label := ds.Spec.Template.Spec.NodeSelector["rollout-test"]
	ctx := newTemplate(t, c, ds, withImage("logd:2"))
	joined := label + "-joined"
	var once sync.Once
	added := make(chan error, 1)
	var log progressLog
	progress := func(line string) {
		log.add(line)
		if strings.HasPrefix(line, "wave 2/2") && strings.Contains(line, "soaking") {
			once.Do(func() {
				go func() {
					added <- testCluster.AddNodes(context.Background(), []string{joined}, map[string]string{"rollout-test": label, "env": "prod"}, nil)
				}()
			})
		}
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), joined) })
	res, err := c.RolloutWaves(ctx, ns, "logd", WavesOptions{Waves: []Wave{mustWave(t, "env=dev", "3", 0), mustWave(t, "env=prod", "7", 3*time.Second)},
		Wait: WaitOptions{FailFast: true, Progress: progress}})
	if err != nil {
		t.Fatalf("rollout: %v\n%s", err, &log)
	}
	select {
	case err := <-added:
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("the node was never added: the soak of wave 2 was not seen\n%s", &log)
	}
	if !strings.Contains(log.String(), "wave 2/2 env=prod: 8/8 updated") {
		t.Errorf("wave 2 did not count the joined node:\n%s", &log)
	}
	if img := imagesByNode(t, ns)[joined]; img != "logd:2" {
		t.Errorf("the joined node runs %q, want logd:2", img)
	}
	if res.DaemonSet.Status.UpdatedNumberScheduled != 11 {
		t.Errorf("status = %+v, want 11 updated", res.DaemonSet.Status)
	}
}
