package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// exactCase is a command line and everything it must print.
type exactCase struct {
	name       string
	args       []string
	wantCode   int
	wantStdout string
	wantStderr string
}

// runExact runs each case in-process and compares the exit code and both
// streams exactly.
func runExact(t *testing.T, tests []exactCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStdout, stdout); diff != "" {
				t.Errorf("stdout mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStderr, stderr); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPresetsCommand(t *testing.T) {
	presets := render.List()
	wantJSON, err := json.MarshalIndent(presets, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	wantYAML, err := yaml.Marshal(presets)
	if err != nil {
		t.Fatal(err)
	}
	tests := []exactCase{
		{name: "json", args: []string{"presets", "-o", "json"}, wantStdout: string(wantJSON) + "\n"},
		{name: "yaml", args: []string{"presets", "--output", "yaml"}, wantStdout: string(wantYAML)},
		{
			name: "unknown format", args: []string{"presets", "-o", "wide"}, wantCode: 2,
			wantStderr: "Error: --output \"wide\" is not a format: use table, json, yaml\n",
		},
		{
			name: "no arguments", args: []string{"presets", "fluent-bit"}, wantCode: 2,
			wantStderr: "Error: unknown command \"fluent-bit\" for \"kubedaemon presets\"\n",
		},
	}
	runExact(t, tests)
}

// TestPresetsTable keeps the default output a table with a header and one
// row per preset.
func TestPresetsTable(t *testing.T) {
	code, stdout, stderr := run(t, "presets")
	if code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != len(render.List())+1 || !strings.HasPrefix(lines[0], "NAME ") {
		t.Fatalf("want a header and %d rows:\n%s", len(render.List()), stdout)
	}
	for i, p := range render.List() {
		if !strings.HasPrefix(lines[i+1], p.Name+" ") || !strings.Contains(lines[i+1], p.Namespace) {
			t.Errorf("row %d is not preset %s in %s: %q", i+1, p.Name, p.Namespace, lines[i+1])
		}
	}
}

func TestReadmeCommand(t *testing.T) {
	noReadme := filepath.Join(t.TempDir(), "agent")
	if err := os.MkdirAll(filepath.Join(noReadme, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(noReadme, "Chart.yaml"), []byte("apiVersion: v2\nname: agent\nversion: 0.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withReadme := filepath.Join(t.TempDir(), "agent")
	if err := os.MkdirAll(withReadme, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: agent\nversion: 0.1.0\n",
		"README.md":  "# agent\n\nRuns on every node.\n",
	} {
		if err := os.WriteFile(filepath.Join(withReadme, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []exactCase{
		{name: "chart folder", args: []string{"readme", withReadme}, wantStdout: "# agent\n\nRuns on every node.\n"},
		{
			name: "chart without README.md", args: []string{"readme", noReadme}, wantCode: 1,
			wantStderr: "Error: chart agent has no README.md\n",
		},
		{
			name: "unknown preset", args: []string{"readme", "fluent-bitt"}, wantCode: 1,
			wantStderr: "Error: unknown preset \"fluent-bitt\": name a built-in preset (csi-node, fluent-bit, fluentd, node-exporter, node-problem-detector, otel-collector-agent), " +
				"a chart folder or a packaged chart (.tgz)\n",
		},
		{
			name: "no argument", args: []string{"readme"}, wantCode: 2,
			wantStderr: "Error: accepts 1 arg(s), received 0\n",
		},
	}
	for _, p := range render.List() {
		readme, err := os.ReadFile(filepath.Join("..", "..", "templates", p.Name, "README.md"))
		if err != nil {
			t.Fatalf("built-in preset %s: %v", p.Name, err)
		}
		tests = append(tests, struct {
			name       string
			args       []string
			wantCode   int
			wantStdout string
			wantStderr string
		}{name: "preset " + p.Name, args: []string{"readme", p.Name}, wantStdout: string(readme)})
	}
	runExact(t, tests)
}
