package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Versions of the components the local cluster runs. They must match the
// modules pinned in tools/kube, tools/etcd and tools/kwok.
const (
	// KubeVersion is the version of kube-apiserver, -controller-manager and -scheduler.
	KubeVersion = "v1.35.4"
	// EtcdVersion is the version of etcd.
	EtcdVersion = "v3.6.16"
	// KwokVersion is the version of kwok.
	KwokVersion = "v0.8.0"
)

// Environment variables that relocate the harness's inputs and outputs.
const (
	// EnvCacheDir overrides the cache root (default: $(os.UserCacheDir)/kubedaemon).
	// Binaries live in <root>/bin/<version key>/ and CLI clusters in <root>/clusters/<name>/.
	EnvCacheDir = "KUBEDAEMON_CLUSTER_CACHE"
	// EnvToolsDir overrides the repository's tools/ directory.
	EnvToolsDir = "KUBEDAEMON_TOOLS_DIR"
)

const mainModule = "github.com/kubedaemon/terraform-provider-kubedaemon"

// versionKey names the binary cache directory; a version bump builds afresh.
var versionKey = fmt.Sprintf("kube-%s_etcd-%s_kwok-%s", KubeVersion, EtcdVersion, KwokVersion)

// binaries holds the absolute paths of the built components.
type binaries struct {
	Etcd, APIServer, ControllerManager, Scheduler, Kwok string
}

// buildGroup is one `go build` run: a module under tools/ and its packages.
type buildGroup struct {
	module   string   // directory under tools/
	packages []string // import paths, built together
	outputs  []string // binary names, in package order
	ldflags  string
	about    string
}

var buildGroups = []buildGroup{
	{
		module:   "etcd",
		packages: []string{"."},
		outputs:  []string{"etcd"},
		about:    "etcd " + EtcdVersion,
	},
	{
		module: "kube",
		packages: []string{
			"k8s.io/kubernetes/cmd/kube-apiserver",
			"k8s.io/kubernetes/cmd/kube-controller-manager",
			"k8s.io/kubernetes/cmd/kube-scheduler",
		},
		outputs: []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler"},
		// A plain build reports v0.0.0-master; these make the version real.
		ldflags: kubeLDFlags(),
		about:   "kube-apiserver, kube-controller-manager, kube-scheduler " + KubeVersion,
	},
	{
		module:   "kwok",
		packages: []string{"sigs.k8s.io/kwok/cmd/kwok"},
		outputs:  []string{"kwok"},
		about:    "kwok " + KwokVersion,
	},
}

func kubeLDFlags() string {
	major, minor, _ := strings.Cut(strings.TrimPrefix(KubeVersion, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	pkg := "k8s.io/component-base/version"
	return fmt.Sprintf("-X %[1]s.gitVersion=%[2]s -X %[1]s.gitMajor=%[3]s -X %[1]s.gitMinor=%[4]s -X %[1]s.gitTreeState=clean",
		pkg, KubeVersion, major, minor)
}

// CacheDir returns the root of the harness's cache: built binaries and the
// state of clusters started by the CLI.
func CacheDir() (string, error) {
	if dir := os.Getenv(EnvCacheDir); dir != "" {
		return filepath.Abs(dir)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find cache dir (set %s): %w", EnvCacheDir, err)
	}
	return filepath.Join(dir, "kubedaemon"), nil
}

// BinDir returns the directory that holds the binaries of this version set.
func BinDir() (string, error) {
	root, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "bin", versionKey), nil
}

func binaryPaths() (binaries, error) {
	dir, err := BinDir()
	if err != nil {
		return binaries{}, err
	}
	return binaries{
		Etcd:              filepath.Join(dir, "etcd"),
		APIServer:         filepath.Join(dir, "kube-apiserver"),
		ControllerManager: filepath.Join(dir, "kube-controller-manager"),
		Scheduler:         filepath.Join(dir, "kube-scheduler"),
		Kwok:              filepath.Join(dir, "kwok"),
	}, nil
}

// ToolsDir finds the repository's tools/ directory: $KUBEDAEMON_TOOLS_DIR, or
// the first directory up from the working directory whose go.mod is the main
// module's and which has tools/kube/go.mod beside it.
func ToolsDir() (string, error) {
	if dir := os.Getenv(EnvToolsDir); dir != "" {
		return filepath.Abs(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if isMainModule(filepath.Join(dir, "go.mod")) {
			if _, err := os.Stat(filepath.Join(dir, "tools", "kube", "go.mod")); err == nil {
				return filepath.Join(dir, "tools"), nil
			}
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no %s checkout with tools/kube/go.mod above %s (set %s)", mainModule, wd, EnvToolsDir)
		}
	}
}

func isMainModule(goMod string) bool {
	f, err := os.Open(goMod)
	if err != nil {
		return false
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) == 2 && fields[0] == "module" {
			return strings.Trim(fields[1], `"`) == mainModule
		}
	}
	return false
}

// EnsureBinaries builds the components that are missing from BinDir. Each
// binary is built under a temporary name and renamed into place, and a file
// lock keeps two processes from building at once, so an interrupted or
// concurrent build never leaves a half-written binary behind.
func EnsureBinaries(ctx context.Context, log io.Writer) error {
	if log == nil {
		log = io.Discard
	}
	dir, err := BinDir()
	if err != nil {
		return err
	}
	if missingGroups(dir) == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	unlock, err := lockFile(ctx, dir+".lock", log)
	if err != nil {
		return err
	}
	defer unlock()

	// Another process may have built them while we waited for the lock.
	missing := missingGroups(dir)
	if missing == nil {
		return nil
	}
	tools, err := ToolsDir()
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "building local cluster binaries into %s\n", dir)
	fmt.Fprintf(log, "NOTE: the first build takes several minutes (about 10 on 2 cores); later runs reuse the cache\n")
	for _, g := range missing {
		if err := buildGroupInto(ctx, g, tools, dir, log); err != nil {
			return err
		}
	}
	return nil
}

func missingGroups(dir string) []buildGroup {
	var missing []buildGroup
	for _, g := range buildGroups {
		for _, out := range g.outputs {
			if _, err := os.Stat(filepath.Join(dir, out)); err != nil {
				missing = append(missing, g)
				break
			}
		}
	}
	return missing
}

func buildGroupInto(ctx context.Context, g buildGroup, tools, dir string, log io.Writer) error {
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	args := []string{"build", "-buildvcs=false", "-o", tmp + string(filepath.Separator)}
	if g.ldflags != "" {
		args = append(args, "-ldflags", g.ldflags)
	}
	args = append(args, g.packages...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = filepath.Join(tools, g.module)
	// GOWORK=off: a go.work in a parent directory must not pull these modules in.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out

	start := time.Now()
	fmt.Fprintf(log, "building %s (go %s in %s)\n", g.about, strings.Join(args, " "), cmd.Dir)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w\n%s", g.about, err, out.String())
	}
	for _, name := range g.outputs {
		built := filepath.Join(tmp, name)
		if len(g.packages) == 1 {
			// With one package, -o DIR/ names the binary after the package
			// directory ("." gives the module's directory name).
			entries, err := os.ReadDir(tmp)
			if err != nil || len(entries) != 1 {
				return fmt.Errorf("build %s: expected one binary in %s", g.about, tmp)
			}
			built = filepath.Join(tmp, entries[0].Name())
		}
		if err := os.Rename(built, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("install %s: %w", name, err)
		}
	}
	fmt.Fprintf(log, "built %s in %s\n", g.about, time.Since(start).Round(time.Second))
	return nil
}

// lockFile takes an exclusive flock on path, waiting (and saying so) while
// another process holds it.
func lockFile(ctx context.Context, path string, log io.Writer) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !told {
			fmt.Fprintf(log, "waiting for another process that is building the binaries (lock %s)\n", path)
			told = true
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
