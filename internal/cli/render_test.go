package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// run executes the command line in-process.
func run(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), "test", args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRenderCommandMatchesLibrary(t *testing.T) {
	values := filepath.Join(t.TempDir(), "v.yaml")
	if err := os.WriteFile(values, []byte("output:\n  type: loki\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "render", "fluent-bit", "-f", values, "--set", "logLevel=debug",
		"--set-string", "image.tag=4.0.3", "--set-json", `podLabels={"team":"obs"}`,
		"--name", "logs", "--namespace", "ops", "--kube-version", "v1.32")
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, errOut)
	}
	want, err := render.Render(render.Request{
		Preset: "fluent-bit", Name: "logs", Namespace: "ops", KubeVersion: "v1.32",
		ValuesYAML: [][]byte{[]byte("output:\n  type: loki\n")},
		Set:        []string{"logLevel=debug"}, SetString: []string{"image.tag=4.0.3"},
		SetJSON: []string{`podLabels={"team":"obs"}`},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want.Manifest), out); diff != "" {
		t.Errorf("stdout mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []string{"name: logs", "namespace: ops", "Log_Level    debug", "Name                   loki", "team: obs"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

func TestRenderCommandErrors(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{
			name:       "unknown preset",
			args:       []string{"render", "nope"},
			wantStderr: "Error: render nope:\nunknown preset \"nope\": name a built-in preset (csi-node, fluent-bit, fluentd, node-exporter), a chart folder or a packaged chart (.tgz)\n",
		},
		{
			name:       "schema error names the set",
			args:       []string{"render", "node-exporter", "--set", "port=abc"},
			wantStderr: "Error: render node-exporter:\n--set[0]: port: got string, want integer\n",
		},
		{
			name:       "missing values file",
			args:       []string{"render", "node-exporter", "-f", "/nonexistent/v.yaml"},
			wantStderr: "Error: read values file (-f): open /nonexistent/v.yaml: no such file or directory\n",
		},
		{
			name:       "no preset",
			args:       []string{"render"},
			wantStderr: "Error: accepts 1 arg(s), received 0\n",
		},
		{
			name:       "values of an unknown preset",
			args:       []string{"values", "nope"},
			wantStderr: "Error: unknown preset \"nope\": name a built-in preset (csi-node, fluent-bit, fluentd, node-exporter), a chart folder or a packaged chart (.tgz)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if errOut != tt.wantStderr {
				t.Errorf("stderr\n got: %q\nwant: %q", errOut, tt.wantStderr)
			}
		})
	}
}

func TestRenderCommandOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := run(t, "render", "csi-node", "--output-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	wantFiles := []string{
		"00-serviceaccount-csi-node-node.yaml",
		"01-clusterrole-csi-node-node.yaml",
		"02-clusterrolebinding-csi-node-node.yaml",
		"03-daemonset-csi-node-node.yaml",
		"04-csidriver-csi.example.com.yaml",
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if lines := strings.Count(out, "\n"); lines != len(wantFiles) {
		t.Errorf("stdout lists %d paths, want %d:\n%s", lines, len(wantFiles), out)
	}
	ds, err := os.ReadFile(filepath.Join(dir, wantFiles[3]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(ds, []byte("# Source: csi-node/templates/daemonset.yaml\napiVersion: apps/v1\nkind: DaemonSet\n")) {
		t.Errorf("daemonset file starts with %q", ds[:80])
	}
}

func TestPresetsValuesSchemaCommands(t *testing.T) {
	code, out, _ := run(t, "presets")
	if code != 0 {
		t.Fatalf("presets exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("presets table:\n%s", out)
	}
	for i, name := range []string{"csi-node", "fluent-bit", "fluentd", "node-exporter"} {
		if f := strings.Fields(lines[i+1]); f[0] != name || f[1] != "0.2.0" {
			t.Errorf("row %d = %q, want %s 0.2.0 ...", i+1, lines[i+1], name)
		}
	}

	code, out, _ = run(t, "values", "node-exporter")
	want, _ := render.DefaultValues("node-exporter")
	if code != 0 || out != string(want) {
		t.Errorf("values: exit %d, output differs from the preset's values.yaml", code)
	}
	if !strings.Contains(out, "# ") {
		t.Error("values output has no comments")
	}

	code, out, _ = run(t, "schema", "csi-node")
	var schema map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &schema) != nil || schema["type"] != "object" {
		t.Errorf("schema: exit %d, not a JSON object schema:\n%.200s", code, out)
	}
}

// BenchmarkRenderCommand runs `render PRESET` end to end in-process:
// flags, values, templates, strict decoding and writing the manifest.
func BenchmarkRenderCommand(b *testing.B) {
	for _, p := range render.List() {
		b.Run(p.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code, _, errOut := run(b, "render", p.Name, "--set", "priorityClassName=system-node-critical"); code != 0 {
					b.Fatalf("exit %d: %s", code, errOut)
				}
			}
		})
	}
}
