package cli

import (
	"regexp"
	"strings"
	"testing"
)

func TestRootCommand(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string // substrings
		wantStderr []string // substrings
	}{
		{
			name:       "no arguments prints help",
			wantStdout: []string{"Usage:\n  kubedaemon [command]", "Available Commands:", "render", "completion"},
		},
		{
			name:       "help flag",
			args:       []string{"--help"},
			wantStdout: []string{"Usage:\n  kubedaemon [command]", "      --version   print what the version command prints"},
		},
		{
			name:       "help of a subcommand",
			args:       []string{"help", "readme"},
			wantStdout: []string{"kubedaemon readme PRESET|CHART_DIR|CHART.tgz"},
		},
		{
			name:       "mistyped subcommand suggests the right one",
			args:       []string{"rendr"},
			wantCode:   2,
			wantStderr: []string{"Error: unknown command \"rendr\" for \"kubedaemon\"\n\nDid you mean this?\n\trender\n"},
		},
		{
			name:       "unknown flag",
			args:       []string{"--nope"},
			wantCode:   2,
			wantStderr: []string{"Error: unknown flag: --nope"},
		},
		{
			name:       "version flag",
			args:       []string{"--version"},
			wantStdout: []string{"Version:            test\n", "Commit:             unknown\n"},
		},
		{
			name:       "version command",
			args:       []string{"version"},
			wantStdout: []string{"Version:            test\n", "Helm library:       helm.sh/helm/v3 v"},
		},
		{
			name:       "version takes no arguments",
			args:       []string{"version", "extra"},
			wantCode:   2,
			wantStderr: []string{`Error: unknown command "extra" for "kubedaemon version"`},
		},
		{
			name:       "completion script",
			args:       []string{"completion", "bash"},
			wantStdout: []string{"# bash completion V2 for kubedaemon"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if tt.wantStderr == nil && stderr != "" {
				t.Errorf("stderr is not empty:\n%s", stderr)
			}
		})
	}
}

func TestVersionText(t *testing.T) {
	got := versionText(Build{Version: "v1.2.3", Commit: "0123abc"})
	want := regexp.MustCompile(`^Version:            v1\.2\.3
Commit:             0123abc
Go:                 go\S+ \S+/\S+
Kubernetes client:  k8s\.io/client-go (v\S+|unknown)
Helm library:       helm\.sh/helm/v3 v\S+
$`)
	if !want.MatchString(got) {
		t.Errorf("version text does not match %s:\n%s", want, got)
	}
	if code, out, _ := run(t, "--version"); code != 0 || out != versionText(Build{Version: "test"}) {
		t.Errorf("--version printed (exit %d):\n%s\nwant what the version command prints", code, out)
	}
}
