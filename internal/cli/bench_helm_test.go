package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/helmoracle"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// benchKubeVersion is the .Capabilities.KubeVersion both tools render for,
// so that neither falls back to a default of its own.
const benchKubeVersion = "v1.35.0"

// BenchmarkHelmTemplate renders each built-in preset's chart folder in a new
// process, once with the kubedaemon binary (`render CHART_DIR`) and once with
// the helm oracle (`helm template NAME CHART_DIR`), with the same release
// name, namespace and Kubernetes version: what a person or CI waits for,
// process start and chart loading included. Each row also reports cpu-ns/op,
// the CPU time (user and system) of the process per run, which a loaded
// machine changes far less than the wall time of ns/op. The kubedaemon row
// reports speedup and cpu-speedup: helm's time (wall, CPU) per render
// divided by kubedaemon's, for that chart in the same run.
func BenchmarkHelmTemplate(b *testing.B) {
	helm := helmoracle.Path(b, filepath.Join("..", ".."))
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
		var helmRun processTime
		b.Run(p.Name+"/helm", func(b *testing.B) {
			helmRun = benchProcess(b, home, helm, "template", p.Name, chart,
				"--namespace", ns, "--kube-version", benchKubeVersion)
		})
		b.Run(p.Name+"/kubedaemon", func(b *testing.B) {
			perRun := benchProcess(b, home, kubedaemon, "render", chart,
				"--name", p.Name, "--namespace", ns, "--kube-version", benchKubeVersion)
			if helmRun.wall > 0 && perRun.wall > 0 {
				b.ReportMetric(helmRun.wall/perRun.wall, "speedup")
			}
			if helmRun.cpu > 0 && perRun.cpu > 0 {
				b.ReportMetric(helmRun.cpu/perRun.cpu, "cpu-speedup")
			}
		})
	}
}

// processTime is the time per run of a command, in nanoseconds: wall
// clock, and CPU time of the process (user and system).
type processTime struct {
	wall, cpu float64
}

// benchProcess times one run of a command per iteration, reports its CPU
// time per run as cpu-ns/op and returns both times per run. One untimed run
// first checks that the command works and brings its binary into the page
// cache.
func benchProcess(b *testing.B, home, bin string, args ...string) processTime {
	b.Helper()
	if _, err := runProcess(home, bin, args); err != nil {
		b.Fatal(err)
	}
	n := 0
	var cpu time.Duration
	for b.Loop() {
		used, err := runProcess(home, bin, args)
		if err != nil {
			b.Fatal(err)
		}
		cpu += used
		n++
	}
	t := processTime{wall: float64(b.Elapsed().Nanoseconds()) / float64(n), cpu: float64(cpu.Nanoseconds()) / float64(n)}
	b.ReportMetric(t.cpu, "cpu-ns/op")
	return t
}

// runProcess runs a command with a scratch HOME and Helm folders, so that
// neither tool reads or writes the user's configuration, and fails when it
// exits non-zero or prints no manifest. It returns the CPU time the process
// used.
func runProcess(home, bin string, args []string) (time.Duration, error) {
	cmd := helmoracle.Command(bin, home, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, errOut.Bytes())
	}
	if out.Len() == 0 {
		return 0, fmt.Errorf("%s %s printed no manifest", filepath.Base(bin), strings.Join(args, " "))
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// buildKubedaemon builds the binary of the main package into a temporary
// folder as `make build` and a release build it (stripped, no cgo), and
// returns its path.
func buildKubedaemon(b *testing.B) string {
	b.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		b.Skipf("no go command on PATH to build kubedaemon: %v", err)
	}
	out := filepath.Join(b.TempDir(), "kubedaemon")
	cmd := exec.Command(goBin, "build", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build kubedaemon: %v\n%s", err, msg)
	}
	return out
}
