package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// applyExitRuns is how many timed applies each provider makes per node count.
const applyExitRuns = 7

// BenchmarkAccApplyExitAfterConvergence measures how soon `terraform apply`
// exits after the rollout it waits for converged, at 3 and 100 nodes (and
// at each size of KUBEDAEMON_BENCH_NODES): the reference moment is when an
// independent watch, on a connection of its own, sees the DaemonSet's status
// converge for the applied generation. Both providers run as Terraform runs
// them in production, as plugin processes (dev_overrides), so the figure
// includes Terraform's own work and the provider's shutdown.
//
// The alekc/kubectl provider (kubectl_manifest, `make alekc`) runs beside it
// in the same loop, one apply each in turn. NOTE: the only version of it the
// Go module proxy serves, v1.13.1-1, waits for the rollout of Deployments and
// APIServices but not of DaemonSets, so its apply exits before the rollout
// converges; its row measures from the moment the independent watch sees
// the applied generation instead: Terraform's and an SDKv2 provider's tail
// after their last write to the cluster (one GET and the state), the floor
// that a provider which waits cannot go under.
func BenchmarkAccApplyExitAfterConvergence(b *testing.B) {
	kubedaemon := buildProviderBinary(b)
	alekc, missing := alekcProviderDir()
	skipLine(missing)
	for _, nodes := range applyBenchNodeCounts(b) {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			if extra := nodes - 3; extra > 0 {
				addFleet(b, fmt.Sprintf("apply-%d", nodes), extra)
			}
			ns := clustertest.Namespace(b, testCluster, "applyexit")
			runners := []*applyRunner{
				newApplyRunner(b, "kubedaemon", kubedaemon, "", ns, daemonSetBenchConfig),
				newApplyRunner(b, "kubedaemon-preset", kubedaemon, "", ns+"-preset", presetBenchConfig),
			}
			runners[1].ds = "" // the chart names it
			if alekc != "" {
				runners = append(runners, newApplyRunner(b, "alekc-kubectl-exit-after-apply", "", alekc, ns, alekcBenchConfig))
			}
			for _, r := range runners {
				r.apply(b, 0, nil) // the create is not timed
			}
			for i := 1; i <= max(b.N, applyExitRuns); i++ {
				for _, r := range runners {
					r.timedApply(b, i, nodes)
				}
			}
			for _, r := range runners {
				b.Run(r.name, func(b *testing.B) { reportLatencies(b, r.ms) })
			}
		})
	}
}

// BenchmarkAccPlanDaemonSets times `terraform plan` (refresh included) of a
// configuration of 1 and of 20 DaemonSets that match the cluster, so the
// plan must be empty; ms/resource is what each of the 19 more costs, which
// must stay flat (linear growth). The alekc/kubectl provider plans 20
// kubectl_manifest DaemonSets beside it when `make alekc` built it.
func BenchmarkAccPlanDaemonSets(b *testing.B) {
	kubedaemon := buildProviderBinary(b)
	alekc, missing := alekcProviderDir()
	skipLine(missing)
	ns := clustertest.Namespace(b, testCluster, "planbench")
	type planCase struct {
		name              string
		count             int
		kubedaemon, alekc string
		config            func(ns string, count, rev int) string
	}
	cases := []planCase{
		{name: "kubedaemon/daemonsets=1", count: 1, kubedaemon: kubedaemon, config: multiDaemonSetConfig},
		{name: "kubedaemon/daemonsets=20", count: 20, kubedaemon: kubedaemon, config: multiDaemonSetConfig},
	}
	if alekc != "" {
		cases = append(cases, planCase{name: "alekc-kubectl/daemonsets=20", count: 20, alekc: alekc, config: multiAlekcConfig})
	}
	medians := map[string]float64{}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := newCLIDir(b, c.kubedaemon, c.alekc)
			d.write(c.config(ns, c.count, 0))
			d.run(b, "apply", "-auto-approve", "-input=false", "-lock=false", "-no-color")
			var ms []float64
			for range max(b.N, 5) {
				began := time.Now()
				out, code := d.runCode(b, "plan", "-input=false", "-lock=false", "-no-color", "-detailed-exitcode")
				ms = append(ms, float64(time.Since(began).Microseconds())/1000)
				if code != 0 {
					b.Fatalf("the plan of a configuration that matches the cluster is not empty (exit %d):\n%s", code, out)
				}
			}
			slices.Sort(ms)
			medians[c.name] = percentile(ms, 0.5)
			reportLatencies(b, ms)
			if one, ok := medians["kubedaemon/daemonsets=1"]; ok && c.count > 1 && c.kubedaemon != "" {
				b.ReportMetric((medians[c.name]-one)/float64(c.count-1), "ms/resource")
			}
			d.run(b, "destroy", "-auto-approve", "-input=false", "-lock=false", "-no-color")
		})
	}
}

// applyBenchNodeCounts is 3 and 100 plus the sizes in KUBEDAEMON_BENCH_NODES.
func applyBenchNodeCounts(b *testing.B) []int {
	counts := []int{3, 100}
	for _, f := range strings.Split(os.Getenv("KUBEDAEMON_BENCH_NODES"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 3 {
			b.Fatalf("KUBEDAEMON_BENCH_NODES=%q: want node counts of at least 3, e.g. 100,1000", os.Getenv("KUBEDAEMON_BENCH_NODES"))
		}
		if !slices.Contains(counts, n) {
			counts = append(counts, n)
		}
	}
	return counts
}

// percentile of sorted values (nearest rank).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// skipLine says, on a line of its own that `make bench` shows, why the
// alekc/kubectl column is left out (missing is "" when it is not).
func skipLine(missing string) {
	if missing != "" {
		fmt.Println("SKIP alekc-kubectl: " + missing)
	}
}

func reportLatencies(b *testing.B, ms []float64) {
	for range b.N {
		// The figures were measured by the parent, side by side.
	}
	sorted := slices.Sorted(slices.Values(ms))
	b.ReportMetric(percentile(sorted, 0.5), "p50-ms")
	b.ReportMetric(sorted[0], "min-ms")
	b.ReportMetric(sorted[len(sorted)-1], "max-ms")
	b.ReportMetric(float64(len(sorted)), "runs")
}

// buildProviderBinary builds this module's provider, as `make build` does,
// into a directory of its own for dev_overrides.
func buildProviderBinary(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	cmd := exec.Command("go", "build", "-ldflags", "-s -w", "-o", filepath.Join(dir, "terraform-provider-kubedaemon"), "../..")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build the provider: %v\n%s", err, out)
	}
	return dir
}

// alekcProviderDir is the directory of the provider binary `make alekc`
// caches, or "" and why there is none.
func alekcProviderDir() (string, string) {
	root, err := cluster.CacheDir()
	if err != nil {
		return "", err.Error()
	}
	goMod, err := os.ReadFile("../../tools/alekc/go.mod")
	if err != nil {
		return "", fmt.Sprintf("read tools/alekc/go.mod: %v", err)
	}
	version := ""
	for _, line := range strings.Split(string(goMod), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == "replace" && f[3] == "github.com/alekc/terraform-provider-kubectl" {
			version = f[4]
		}
	}
	dir := filepath.Join(root, "bin", "alekc-kubectl-"+version)
	if _, err := os.Stat(filepath.Join(dir, "terraform-provider-kubectl")); errors.Is(err, fs.ErrNotExist) || version == "" {
		return "", fmt.Sprintf("the alekc/kubectl provider is not built (no %s/terraform-provider-kubectl): `make alekc` builds it "+
			"from the Go module proxy; its column is left out", dir)
	}
	return dir, ""
}

// cliDir is a Terraform working directory whose CLI configuration points
// the providers at local binaries (dev_overrides), so that Terraform starts
// them as plugin processes, with no init and no registry.
type cliDir struct {
	tf, dir string
	env     []string
}

func newCLIDir(b *testing.B, kubedaemon, alekc string) *cliDir {
	b.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		b.Fatal("TF_ACC_TERRAFORM_PATH is not set; TestMain sets it with TF_ACC")
	}
	d := &cliDir{tf: tf, dir: b.TempDir()}
	var overrides strings.Builder
	if kubedaemon != "" {
		fmt.Fprintf(&overrides, "    \"kubedaemon/kubedaemon\" = %q\n", kubedaemon)
	}
	if alekc != "" {
		fmt.Fprintf(&overrides, "    \"alekc/kubectl\" = %q\n", alekc)
	}
	rc := filepath.Join(d.dir, ".terraformrc")
	config := "disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n" + overrides.String() + "  }\n  direct {}\n}\n"
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		b.Fatal(err)
	}
	d.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	return d
}

func (d *cliDir) write(config string) {
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(config), 0o600); err != nil {
		panic(err)
	}
}

// runCode runs terraform and returns its output and exit code; a failure to
// start it ends the benchmark.
func (d *cliDir) runCode(b *testing.B, args ...string) (string, int) {
	b.Helper()
	cmd := exec.Command(d.tf, args...)
	cmd.Dir, cmd.Env = d.dir, d.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), exit.ExitCode()
	}
	if err != nil {
		b.Fatalf("terraform %v: %v", args, err)
	}
	return out.String(), 0
}

func (d *cliDir) run(b *testing.B, args ...string) {
	b.Helper()
	if out, code := d.runCode(b, args...); code != 0 {
		b.Fatalf("terraform %v: exit %d\n%s", args, code, out)
	}
}

// applyRunner applies one provider's DaemonSet, revision after revision.
type applyRunner struct {
	name, ns, ds string
	// afterApply: the reference moment is the applied generation, not
	// convergence (see BenchmarkAccApplyExitAfterConvergence).
	afterApply bool
	dir        *cliDir
	config     func(ns, name string, rev int) string
	ms         []float64
}

func newApplyRunner(b *testing.B, name, kubedaemon, alekc, ns string, config func(ns, name string, rev int) string) *applyRunner {
	ds := "kubedaemon-bench"
	if alekc != "" {
		ds = "alekc-bench"
	}
	return &applyRunner{name: name, ns: ns, ds: ds, afterApply: alekc != "", dir: newCLIDir(b, kubedaemon, alekc), config: config}
}

func (r *applyRunner) apply(b *testing.B, rev int, done func()) {
	b.Helper()
	r.dir.write(r.config(r.ns, r.ds, rev))
	r.dir.run(b, "apply", "-auto-approve", "-input=false", "-lock=false", "-no-color")
	if done != nil {
		done()
	}
	if r.ds == "" {
		list, err := testCluster.Client().AppsV1().DaemonSets(r.ns).List(context.Background(), metav1.ListOptions{})
		if err != nil || len(list.Items) != 1 {
			b.Fatalf("%s: want the one DaemonSet of namespace %s, got %v (%v)", r.name, r.ns, list, err)
		}
		r.ds = list.Items[0].Name
		b.Cleanup(func() {
			r.dir.run(b, "destroy", "-auto-approve", "-input=false", "-lock=false", "-no-color")
			_ = testCluster.Client().CoreV1().Namespaces().Delete(context.Background(), r.ns, metav1.DeleteOptions{})
		})
	}
}

// timedApply applies revision rev and records how long after the reference
// moment terraform exited.
func (r *applyRunner) timedApply(b *testing.B, rev, nodes int) {
	b.Helper()
	// A rollout of a thousand pods at once takes minutes on two cores.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute+time.Duration(nodes)*300*time.Millisecond)
	defer cancel()
	cur, err := testCluster.Client().AppsV1().DaemonSets(r.ns).Get(ctx, r.ds, metav1.GetOptions{})
	if err != nil {
		b.Fatal(err)
	}
	seen := watchRollout(b, ctx, r.ns, r.ds, cur.ResourceVersion, cur.Generation)
	var exited time.Time
	r.apply(b, rev, func() { exited = time.Now() })
	var ref time.Time
	select {
	case m := <-seen:
		ref = m.converged
		if r.afterApply {
			ref = m.applied
		}
		if m.desired != int32(nodes) {
			b.Fatalf("%s: desired = %d, want %d", r.name, m.desired, nodes)
		}
	case <-ctx.Done():
		b.Fatalf("%s: the independent watch never saw revision %d converge", r.name, rev)
	}
	r.ms = append(r.ms, float64(exited.Sub(ref).Microseconds())/1000)
}

// rolloutMoments are what the independent watch saw of one apply.
type rolloutMoments struct {
	applied, converged time.Time
	desired            int32
}

// watchRollout watches ns/name from resourceVersion rv and sends when the
// status of a generation after prevGen converged, with the moment the new
// generation first appeared. Convergence is judged as strictly as the
// provider's wait (generation observed; desired = current = updated = ready
// = available; none misscheduled), written out here so that the
// reference does not share the code it measures.
func watchRollout(b *testing.B, ctx context.Context, ns, name, rv string, prevGen int64) <-chan rolloutMoments {
	b.Helper()
	w, err := testCluster.Client().AppsV1().DaemonSets(ns).Watch(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String(), ResourceVersion: rv})
	if err != nil {
		b.Fatal(err)
	}
	out := make(chan rolloutMoments, 1)
	go func() {
		defer w.Stop()
		var m rolloutMoments
		for ev := range w.ResultChan() {
			ds, ok := ev.Object.(*appsv1.DaemonSet)
			if !ok || (ev.Type != watch.Modified && ev.Type != watch.Added) || ds.Generation <= prevGen {
				continue
			}
			if m.applied.IsZero() {
				m.applied = time.Now()
			}
			st := ds.Status
			if st.ObservedGeneration >= ds.Generation && st.NumberMisscheduled == 0 && st.DesiredNumberScheduled > 0 &&
				st.CurrentNumberScheduled == st.DesiredNumberScheduled && st.UpdatedNumberScheduled == st.DesiredNumberScheduled &&
				st.NumberReady == st.DesiredNumberScheduled && st.NumberAvailable == st.DesiredNumberScheduled {
				m.converged, m.desired = time.Now(), st.DesiredNumberScheduled
				out <- m
				return
			}
		}
	}()
	return out
}

// kubedaemonProviderBlock names the provider by the source that the CLI
// configuration's dev_overrides names.
const kubedaemonProviderBlock = `
terraform {
  required_providers {
    kubedaemon = { source = "kubedaemon/kubedaemon" }
  }
}
`

// daemonSetBenchConfig is a one-container kubedaemon_daemonset whose pods
// are ready 300 ms after they start; rev changes its template.
func daemonSetBenchConfig(ns, name string, rev int) string {
	return kubedaemonProviderBlock + daemonSetBenchResource("bench", ns, name, rev)
}

func daemonSetBenchResource(resource, ns, name string, rev int) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" %[5]q {
  metadata {
    name      = %[2]q
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { app = %[2]q }
    }
    update_strategy {
      type = "RollingUpdate"
      rolling_update {
        max_unavailable = "100%%"
      }
    }
    template {
      metadata {
        labels      = { app = %[2]q }
        annotations = { %[3]q = "300ms", "bench/run" = "%[4]d" }
      }
      spec {
        container {
          name  = "agent"
          image = "registry.example/agent:1.0"
          resources {
            requests = { cpu = "10m", memory = "16Mi" }
          }
        }
      }
    }
  }
}
`, ns, name, cluster.ReadyDelayAnnotation, rev, resource)
}

// presetBenchConfig is the node-exporter preset in a namespace of its own,
// its pods ready 300 ms after they start, all replaced at once; rev changes
// its template.
func presetBenchConfig(ns, _ string, rev int) string {
	return kubedaemonProviderBlock + fmt.Sprintf(`
resource "kubedaemon_preset" "bench" {
  preset           = "node-exporter"
  name             = "bench"
  namespace        = %[1]q
  create_namespace = true
  values = [yamlencode({
    port           = 19400
    podAnnotations = { %[2]q = "300ms", "bench/run" = "%[3]d" }
    updateStrategy = { type = "RollingUpdate", rollingUpdate = { maxUnavailable = "100%%", maxSurge = 0 } }
  })]
}
`, ns, cluster.ReadyDelayAnnotation, rev)
}

// alekcManifest is the same DaemonSet as a kubectl_manifest.
func alekcManifest(resource, ns, name string, rev int) string {
	return fmt.Sprintf(`
resource "kubectl_manifest" %[5]q {
  yaml_body = <<-YAML
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: %[2]s
      namespace: %[1]s
    spec:
      selector:
        matchLabels:
          app: %[2]s
      updateStrategy:
        type: RollingUpdate
        rollingUpdate:
          maxUnavailable: "100%%"
      template:
        metadata:
          labels:
            app: %[2]s
          annotations:
            %[3]s: 300ms
            bench/run: "%[4]d"
        spec:
          containers:
            - name: agent
              image: registry.example/agent:1.0
              resources:
                requests:
                  cpu: 10m
                  memory: 16Mi
  YAML
}
`, ns, name, cluster.ReadyDelayAnnotation, rev, resource)
}

func alekcProviderBlock() string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    kubectl = { source = "alekc/kubectl" }
  }
}

provider "kubectl" {
  config_path      = %q
  load_config_file = true
}
`, testCluster.Kubeconfig)
}

func alekcBenchConfig(ns, name string, rev int) string {
	return alekcProviderBlock() + alekcManifest("bench", ns, name, rev)
}

// multiDaemonSetConfig is count kubedaemon_daemonset resources.
func multiDaemonSetConfig(ns string, count, rev int) string {
	var b strings.Builder
	b.WriteString(kubedaemonProviderBlock)
	for i := range count {
		b.WriteString(daemonSetBenchResource(fmt.Sprintf("d%02d", i), ns, fmt.Sprintf("plan-%02d", i), rev))
	}
	return b.String()
}

// multiAlekcConfig is count kubectl_manifest DaemonSets.
func multiAlekcConfig(ns string, count, rev int) string {
	var b strings.Builder
	b.WriteString(alekcProviderBlock())
	for i := range count {
		b.WriteString(alekcManifest(fmt.Sprintf("d%02d", i), ns, fmt.Sprintf("alekc-plan-%02d", i), rev))
	}
	return b.String()
}
