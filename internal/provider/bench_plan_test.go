package provider

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BenchmarkAccPlanQuickstartDryRun measures what the plan's server-side dry
// runs cost: `terraform plan` of examples/quickstart (two DaemonSets and the
// node-exporter preset, all to be created: every object is sent), with
// server_dry_run = true and = false, alternately in one run, on the local
// cluster. Reported: the median plan time of each (dryrun-ms, nodryrun-ms)
// and how much the dry runs add (growth-%; the budget is 20).
func BenchmarkAccPlanQuickstartDryRun(b *testing.B) {
	if testCluster == nil {
		b.Skip("set TF_ACC=1 to run against a local cluster")
	}
	ctx := context.Background()
	cs := testCluster.Client()
	// The preset's namespace exists, so that its objects are sent too.
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}}, metav1.CreateOptions{})
	if err == nil {
		b.Cleanup(func() {
			_ = cs.CoreV1().Namespaces().Delete(context.Background(), "monitoring", metav1.DeleteOptions{})
		})
	} else if !apierrors.IsAlreadyExists(err) {
		b.Fatal(err)
	}
	kubedaemon := buildProviderBinary(b)
	dirs := map[bool]*cliDir{}
	for _, dryRun := range []bool{true, false} {
		d := newCLIDir(b, kubedaemon, "")
		copyExamples(b, d.dir)
		d.dir = filepath.Join(d.dir, "quickstart")
		main := filepath.Join(d.dir, "main.tf")
		src, err := os.ReadFile(main)
		if err != nil {
			b.Fatal(err)
		}
		block := `provider "kubedaemon" {}`
		if !strings.Contains(string(src), block) {
			b.Fatalf("examples/quickstart/main.tf has no %s", block)
		}
		setting := "false"
		if dryRun {
			setting = "true"
		}
		config := strings.Replace(string(src), block, "provider \"kubedaemon\" {\n  server_dry_run = "+setting+"\n}", 1)
		if err := os.WriteFile(main, []byte(config), 0o600); err != nil {
			b.Fatal(err)
		}
		d.env = append(d.env, "KUBE_CONFIG_PATH="+testCluster.Kubeconfig)
		d.run(b, "get") // the modules; dev_overrides needs no provider install
		dirs[dryRun] = d
	}
	const rounds = 5
	took := map[bool][]float64{}
	for range rounds {
		for _, dryRun := range []bool{true, false} {
			start := time.Now()
			dirs[dryRun].run(b, "plan", "-input=false", "-lock=false")
			took[dryRun] = append(took[dryRun], float64(time.Since(start).Microseconds())/1000)
		}
	}
	for _, v := range took {
		slices.Sort(v)
	}
	with, without := percentile(took[true], 0.5), percentile(took[false], 0.5)
	b.ReportMetric(with, "dryrun-ms")
	b.ReportMetric(without, "nodryrun-ms")
	b.ReportMetric(100*(with-without)/without, "growth-%")
}

// copyExamples copies examples/quickstart and examples/modules into dir,
// keeping their relative layout (the quickstart uses ../modules).
func copyExamples(b *testing.B, dir string) {
	b.Helper()
	for _, sub := range []string{"quickstart", "modules"} {
		cmd := exec.Command("cp", "-r", filepath.Join("..", "..", "examples", sub), filepath.Join(dir, sub))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("copy examples/%s: %v\n%s", sub, err, out)
		}
	}
}
