package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
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
			wantStderr: "Error: render nope:\nunknown preset \"nope\": name a built-in preset (csi-node, fluent-bit, fluentd, node-exporter, node-problem-detector, otel-collector-agent), a chart folder or a packaged chart (.tgz)\n",
		},
		{
			name:       "schema error names the set",
			args:       []string{"render", "node-exporter", "--set", "port=abc"},
			wantStderr: "Error: render node-exporter:\n--set port=abc: port: got string, want integer\n",
		},
		{
			name:       "missing values file",
			args:       []string{"render", "node-exporter", "-f", "/nonexistent/v.yaml"},
			wantStderr: "Error: read values file (-f /nonexistent/v.yaml): open /nonexistent/v.yaml: no such file or directory\n",
		},
		{
			name:       "no preset",
			args:       []string{"render"},
			wantStderr: "Error: accepts between 1 and 2 arg(s), received 0\n",
		},
		{
			name:       "release name that is not a DNS label",
			args:       []string{"render", "Node_Exporter", "node-exporter"},
			wantStderr: "Error: release name \"Node_Exporter\" (NAME or --name) is not valid: use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. node-exporter\n",
		},
		{
			name:       "namespace that is not a DNS label",
			args:       []string{"render", "node-exporter", "-n", "Ops"},
			wantStderr: "Error: --namespace \"Ops\" is not a namespace name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. monitoring\n",
		},
		{
			name:       "name given twice",
			args:       []string{"render", "a", "node-exporter", "--name", "b"},
			wantStderr: "Error: the release name is given twice: as NAME (\"a\") and --name (\"b\"); give one\n",
		},
		{
			name:       "show-only of a template the chart does not have",
			args:       []string{"render", "node-exporter", "-s", "templates/nope.yaml"},
			wantStderr: "Error: --show-only templates/nope.yaml: chart node-exporter renders no template by that name: give a path such as templates/daemonset.yaml, relative to the chart\n",
		},
		{
			name:       "unknown output format",
			args:       []string{"render", "node-exporter", "-o", "toml"},
			wantStderr: "Error: --output \"toml\" is not a format: use yaml or json\n",
		},
		{
			name:       "values of an unknown preset",
			args:       []string{"values", "nope"},
			wantStderr: "Error: unknown preset \"nope\": name a built-in preset (csi-node, fluent-bit, fluentd, node-exporter, node-problem-detector, otel-collector-agent), a chart folder or a packaged chart (.tgz)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			want := 1
			if strings.Contains(tt.wantStderr, "arg(s)") || strings.Contains(tt.wantStderr, "is not valid") ||
				strings.Contains(tt.wantStderr, "not a namespace name") || strings.Contains(tt.wantStderr, "given twice") ||
				strings.Contains(tt.wantStderr, "is not a format") {
				want = 2 // usage errors
			}
			if code != want {
				t.Errorf("exit code %d, want %d", code, want)
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
	// As helm template --output-dir: DIR/CHART/templates/FILE, the
	// documents of one template in one file.
	var got []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"csi-node/templates/csidriver.yaml", "csi-node/templates/daemonset.yaml",
		"csi-node/templates/rbac.yaml", "csi-node/templates/serviceaccount.yaml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if lines := strings.Count(out, "\n"); lines != len(want) {
		t.Errorf("stdout lists %d paths, want %d:\n%s", lines, len(want), out)
	}
	rbac, err := os.ReadFile(filepath.Join(dir, "csi-node", "templates", "rbac.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(rbac), "---\n# Source: csi-node/templates/rbac.yaml\n"); n != 2 {
		t.Errorf("rbac.yaml holds %d documents, want the ClusterRole and its binding", n)
	}
}

// TestRenderCommandHelmHabits: NAME before the chart, -n, -f - from
// standard input, --set-file, -s and -o json, as a Helm and kubectl user
// types them.
func TestRenderCommandHelmHabits(t *testing.T) {
	motd := filepath.Join(t.TempDir(), "annotation.txt")
	if err := os.WriteFile(motd, []byte("from a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	root := newRootCommand("test", streams{out: &out, errOut: &errOut})
	root.SetIn(strings.NewReader("image:\n  tag: v1.8.0\n"))
	root.SetArgs([]string{"render", "agent", "node-exporter", "-n", "ops", "-f", "-",
		"--set-file", "podAnnotations.motd=" + motd, "-s", "templates/daemonset.yaml", "-o", "json"})
	if err := root.Execute(); err != nil {
		t.Fatalf("render: %v\n%s", err, errOut.String())
	}
	var list struct {
		Kind  string `json:"kind"`
		Items []struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name, Namespace string
			} `json:"metadata"`
			Spec struct {
				Template struct {
					Metadata struct {
						Annotations map[string]string `json:"annotations"`
					} `json:"metadata"`
					Spec struct {
						Containers []struct{ Image string } `json:"containers"`
					} `json:"spec"`
				} `json:"template"`
			} `json:"spec"`
		} `json:"items"`
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil {
		t.Fatalf("-o json is not JSON: %v\n%s", err, out.String())
	}
	if list.Kind != "List" || len(list.Items) != 1 || list.Items[0].Kind != "DaemonSet" {
		t.Fatalf("-s templates/daemonset.yaml -o json gave %+v, want a List of the DaemonSet", list)
	}
	ds := list.Items[0]
	if ds.Metadata.Name != "agent" || ds.Metadata.Namespace != "ops" {
		t.Errorf("DaemonSet %s/%s, want ops/agent", ds.Metadata.Namespace, ds.Metadata.Name)
	}
	if got := ds.Spec.Template.Spec.Containers[0].Image; !strings.HasSuffix(got, ":v1.8.0") {
		t.Errorf("image %s, want the tag from standard input", got)
	}
	if got := ds.Spec.Template.Metadata.Annotations["motd"]; got != "from a file" {
		t.Errorf("annotation motd = %q, want the --set-file content", got)
	}
}

func TestPresetsValuesSchemaCommands(t *testing.T) {
	code, out, _ := run(t, "presets")
	if code != 0 {
		t.Fatalf("presets exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("presets table:\n%s", out)
	}
	for i, name := range []string{"csi-node", "fluent-bit", "fluentd", "node-exporter", "node-problem-detector", "otel-collector-agent"} {
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

// updateGolden rewrites testdata/*.golden.json: go test ./internal/cli -update.
var updateGolden = flag.Bool("update", false, "rewrite the golden outputs under testdata/")

// TestRenderJSONGolden: `render -o json` of a built-in preset, byte for byte.
func TestRenderJSONGolden(t *testing.T) {
	code, out, errOut := run(t, "render", "agent", "node-exporter", "-n", "monitoring", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden := filepath.Join("testdata", "render-node-exporter.golden.json")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./internal/cli -run TestRenderJSONGolden -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), out); diff != "" {
		t.Errorf("render -o json (-want +got):\n%s", diff)
	}
}
