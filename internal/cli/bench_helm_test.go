package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// benchKubeVersion is the .Capabilities.KubeVersion both tools render for,
// so that neither falls back to a default of its own.
const benchKubeVersion = "v1.35.0"

// BenchmarkHelmTemplate renders each built-in preset's chart folder in a new
// process, once with the kubedaemon binary (`render CHART_DIR`) and once with
// the helm oracle (`helm template NAME CHART_DIR`), with the same release
// name, namespace and Kubernetes version: what a person or CI waits for,
// process start and chart loading included. The kubedaemon row also reports
// speedup: helm's time per render divided by kubedaemon's, for that chart in
// the same run.
func BenchmarkHelmTemplate(b *testing.B) {
	helm := benchHelmOracle(b)
	kubedaemon := buildKubedaemon(b)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	home := b.TempDir()
	for _, p := range render.List() {
		chart := filepath.Join(root, "templates", p.Name)
		ns := p.Namespace
		if ns == "" {
			ns = "default"
		}
		var helmNsPerOp float64
		b.Run(p.Name+"/helm", func(b *testing.B) {
			helmNsPerOp = benchProcess(b, home, helm, "template", p.Name, chart,
				"--namespace", ns, "--kube-version", benchKubeVersion)
		})
		b.Run(p.Name+"/kubedaemon", func(b *testing.B) {
			perRun := benchProcess(b, home, kubedaemon, "render", chart,
				"--name", p.Name, "--namespace", ns, "--kube-version", benchKubeVersion)
			if helmNsPerOp > 0 && perRun > 0 {
				b.ReportMetric(helmNsPerOp/perRun, "speedup")
			}
		})
	}
}

// benchProcess times one run of a command per iteration and returns the
// time per run in nanoseconds. One untimed run first checks that the
// command works and brings its binary into the page cache.
func benchProcess(b *testing.B, home, bin string, args ...string) float64 {
	b.Helper()
	if err := runProcess(home, bin, args); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if err := runProcess(home, bin, args); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return float64(b.Elapsed().Nanoseconds()) / float64(n)
}

// runProcess runs a command with a scratch HOME and Helm folders, so that
// neither tool reads or writes the user's configuration, and fails when it
// exits non-zero or prints no manifest.
func runProcess(home, bin string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
		"KUBECONFIG=" + filepath.Join(home, "kubeconfig"),
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, errOut.Bytes())
	}
	if out.Len() == 0 {
		return fmt.Errorf("%s %s printed no manifest", filepath.Base(bin), strings.Join(args, " "))
	}
	return nil
}

// buildKubedaemon builds the binary of the main package into a temporary
// folder, as a release would (no cgo), and returns its path.
func buildKubedaemon(b *testing.B) string {
	b.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skipf("no go command on PATH to build kubedaemon: %v", err)
	}
	out := filepath.Join(b.TempDir(), "kubedaemon")
	cmd := exec.Command(goBin, "build", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build kubedaemon: %v\n%s", err, msg)
	}
	return out
}

// benchHelmOracle finds the helm binary the compatibility tests compare
// against (internal/render helmOracle): $KUBEDAEMON_HELM, else the one
// `make helm-oracle` builds into the cluster cache. It skips the benchmark
// when there is none.
func benchHelmOracle(b *testing.B) string {
	b.Helper()
	bin := os.Getenv("KUBEDAEMON_HELM")
	if bin == "" {
		root, err := cluster.CacheDir()
		if err != nil {
			b.Fatal(err)
		}
		dir := "helm-" + goModVersion(b, "helm.sh/helm/v3") + "_client-go-" + goModVersion(b, "k8s.io/client-go")
		bin = filepath.Join(root, "bin", dir, "helm")
	}
	if _, err := os.Stat(bin); errors.Is(err, fs.ErrNotExist) {
		b.Skipf("no helm oracle at %s: `make helm-oracle` builds it (or set KUBEDAEMON_HELM)", bin)
	} else if err != nil {
		b.Fatal(err)
	}
	return bin
}

// goModVersion is the version of module that the main go.mod requires.
func goModVersion(b *testing.B, module string) string {
	b.Helper()
	goMod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(goMod), "\n") {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(fields) >= 2 && fields[0] == module {
			return fields[1]
		}
	}
	b.Fatalf("go.mod does not require %s", module)
	return ""
}
