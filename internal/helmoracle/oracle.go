// Package helmoracle finds the helm CLI that `make helm-oracle` builds from
// the Go module proxy: the oracle that the render compatibility tests and the
// side-by-side benchmarks run beside kubedaemon.
package helmoracle

import (
	"debug/buildinfo"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
)

// Env names the oracle binary, overriding the cache.
const Env = "KUBEDAEMON_HELM"

// Module is Helm's Go module.
const Module = "helm.sh/helm/v3"

// Path returns the oracle: $KUBEDAEMON_HELM, else the binary `make
// helm-oracle` builds for the Helm and client-go versions that the main
// go.mod (at repoRoot) requires. It skips the test when there is none, and
// fails when the binary is another Helm version, whose output may differ.
func Path(tb testing.TB, repoRoot string) string {
	tb.Helper()
	want := RequiredVersion(tb, repoRoot, Module)
	bin := os.Getenv(Env)
	if bin == "" {
		root, err := cluster.CacheDir()
		if err != nil {
			tb.Fatal(err)
		}
		dir := "helm-" + want + "_client-go-" + RequiredVersion(tb, repoRoot, "k8s.io/client-go")
		bin = filepath.Join(root, "bin", dir, "helm")
	}
	info, err := buildinfo.ReadFile(bin)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("no helm oracle at %s: `make helm-oracle` builds it (or set %s)", bin, Env)
	}
	if err != nil {
		tb.Fatalf("read the build info of the helm oracle %s: %v", bin, err)
	}
	if got := moduleVersion(info, Module); got != want {
		tb.Fatalf("the helm oracle %s is %s %q, kubedaemon links %q: bump tools/helm and run `make helm-oracle`", bin, Module, got, want)
	}
	return bin
}

// RequiredVersion is the version of module that the main go.mod (at
// repoRoot) requires.
// GOTCHA: a test binary's debug.ReadBuildInfo lists no dependencies, so the
// version comes from go.mod itself.
func RequiredVersion(tb testing.TB, repoRoot, module string) string {
	tb.Helper()
	goMod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(goMod), "\n") {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(fields) >= 2 && fields[0] == module {
			return fields[1]
		}
	}
	tb.Fatalf("go.mod does not require %s", module)
	return ""
}

// moduleVersion is the version of module in a binary's build info.
func moduleVersion(info *debug.BuildInfo, module string) string {
	if info.Main.Path == module {
		return info.Main.Version
	}
	for _, m := range info.Deps {
		if m.Path == module {
			if m.Replace != nil {
				return m.Replace.Version
			}
			return m.Version
		}
	}
	return ""
}

// Command runs bin (helm, or kubedaemon beside it) with a scratch HOME,
// Helm folders and kubeconfig under dir, so that neither the user's
// repositories and plugins nor a cluster can change what it prints.
func Command(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"HELM_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"HELM_DATA_HOME=" + filepath.Join(dir, "data"),
		"KUBECONFIG=" + filepath.Join(dir, "kubeconfig"),
	}
	return cmd
}
