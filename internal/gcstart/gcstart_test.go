package gcstart

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// TestRestore: init set GCPercent (unless GOGC did), Restore puts back the
// setting the process started with.
func TestRestore(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: init leaves the collector alone")
	}
	if got := debug.SetGCPercent(GCPercent); got != GCPercent {
		t.Errorf("GCPercent after init = %d, want %d", got, GCPercent)
	}
	Restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GCPercent after Restore = %d, want Go's default 100", got)
	}
}

// TestInitialisedFirst: in the kubedaemon binary, this package's init runs
// before the heavy package initialisations and before the heap reaches
// Go's first collection goal (4 MB), read from GODEBUG=inittrace=1.
func TestInitialisedFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "kubedaemon")
	build := exec.Command("go", "build", "-o", bin, "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "help")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubedaemon help: %v\n%s", err, stderr.Bytes())
	}
	const self = "github.com/kubedaemon/terraform-provider-kubedaemon/internal/gcstart"
	heavy := []string{"github.com/santhosh-tekuri/jsonschema/v6", "k8s.io/client-go/kubernetes/scheme", "helm.sh/helm/v3/pkg/chartutil"}
	seen, before := false, 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init PKG @T ms, C ms clock, B bytes, N allocs
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		if f[1] == self {
			seen = true
			continue
		}
		for _, h := range heavy {
			if f[1] == h && !seen {
				t.Errorf("%s is initialised before %s", h, self)
			}
		}
		if !seen {
			n, err := strconv.Atoi(f[7])
			if err != nil {
				t.Fatalf("inittrace line %q: %v", sc.Text(), err)
			}
			before += n
		}
	}
	if !seen {
		t.Fatalf("no init line for %s in:\n%s", self, stderr.Bytes())
	}
	if before >= 4<<20 {
		t.Errorf("packages initialised before %s allocate %d bytes, past Go's first collection goal", self, before)
	}
}
