package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// presetWords is what completing a chart argument offers for the built-in
// presets whose names start with prefix.
func presetWords(prefix string) []string {
	var out []string
	for _, p := range render.List() {
		if strings.HasPrefix(p.Name, prefix) {
			out = append(out, p.Name+"\t"+p.Description)
		}
	}
	return out
}

// TestComplete runs cobra's hidden __complete command, as the completion
// scripts do, in a folder with a chart folder, a packaged chart and a file
// that is neither.
func TestComplete(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "my-chart"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"my-chart/Chart.yaml", "my-agent-0.1.0.tgz", "my-notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "my-folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	charts := []string{"my-agent-0.1.0.tgz\tpackaged chart", "my-chart\tchart folder"}
	const (
		noFiles   = ":4"  // cobra.ShellCompDirectiveNoFileComp
		chartFile = ":8"  // cobra.ShellCompDirectiveFilterFileExt
		tgzOnly   = "tgz" // the extension the shell completes
	)
	tests := []struct {
		name string
		args []string
		want []string // stdout lines
	}{
		{name: "render lists presets and charts", args: []string{"render", ""}, want: append(append(presetWords(""), charts...), noFiles)},
		{name: "render prefix of presets", args: []string{"render", "flu"}, want: append(presetWords("flu"), noFiles)},
		{name: "render prefix of charts", args: []string{"render", "my-"}, want: append(charts, noFiles)},
		{name: "render path left to the shell", args: []string{"render", "./"}, want: []string{tgzOnly, chartFile}},
		{name: "render no match left to the shell", args: []string{"render", "zzz"}, want: []string{tgzOnly, chartFile}},
		{name: "render chart after NAME", args: []string{"render", "logs", "fluent"}, want: append(presetWords("fluent"), noFiles)},
		{name: "render nothing after the chart", args: []string{"render", "fluent-bit", ""}, want: []string{noFiles}},
		{name: "render output formats", args: []string{"render", "fluent-bit", "-o", ""}, want: []string{"yaml", "json", noFiles}},
		{name: "values", args: []string{"values", "node"}, want: append(presetWords("node"), noFiles)},
		{name: "schema", args: []string{"schema", "csi"}, want: append(presetWords("csi"), noFiles)},
		{name: "readme", args: []string{"readme", "f"}, want: append(presetWords("f"), noFiles)},
		{name: "readme takes one chart", args: []string{"readme", "fluentd", ""}, want: []string{noFiles}},
		{name: "presets output formats", args: []string{"presets", "-o", ""}, want: []string{"table", "json", "yaml", noFiles}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, append([]string{"__complete"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, stderr)
			}
			got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("completions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
