package convert

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestFile converts testdata/hashicorp.tf (the seed's node-exporter, node
// labels and taints, a ConfigMap's labels, and a DaemonSet that spells out
// defaults) and compares with testdata/hashicorp.golden.tf.
func TestFile(t *testing.T) {
	src, err := os.ReadFile("testdata/hashicorp.tf")
	if err != nil {
		t.Fatal(err)
	}
	got, warnings, err := File(src, "hashicorp.tf")
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/hashicorp.golden.tf"
	if *update {
		if err := os.WriteFile(golden, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("File (-want +got):\n%s", diff)
	}
	wantWarnings := []string{
		"kubernetes_labels.cm: labels something else than a Node: left out (kubedaemon_node_labels labels nodes)",
		"kubernetes_daemon_set_v1.agent: spec.termination_grace_period_seconds is an expression: check that it is not spec's default, and that a mode is a number",
	}
	if diff := cmp.Diff(wantWarnings, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestFileErrors(t *testing.T) {
	if _, _, err := File([]byte("resource \"kubernetes_labels\" {"), "bad.tf"); err == nil {
		t.Error("a file that does not parse: no error")
	}
}

func TestDefaultPullPolicy(t *testing.T) {
	for image, want := range map[string]string{
		"alpine": "Always", "alpine:latest": "Always", "alpine:3.20": "IfNotPresent",
		"localhost:5000/agent": "Always", "localhost:5000/agent:v1": "IfNotPresent",
		"alpine@sha256:0123": "IfNotPresent",
	} {
		if got := DefaultPullPolicy(image); got != want {
			t.Errorf("DefaultPullPolicy(%q) = %q, want %q", image, got, want)
		}
	}
}
