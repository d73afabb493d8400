package cli

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestServesProvider(t *testing.T) {
	tests := []struct {
		name   string
		cookie string
		args   []string
		want   bool
	}{
		{name: "Terraform starts the provider", cookie: magicCookieValue, want: true},
		{name: "Terraform's cookie wins over arguments", cookie: magicCookieValue, args: []string{"render"}, want: true},
		{name: "debug mode", args: []string{"-debug"}, want: true},
		{name: "debug mode, two dashes", args: []string{"--debug=true"}, want: true},
		{name: "no arguments", want: false},
		{name: "a subcommand", args: []string{"render", "fluent-bit"}, want: false},
		{name: "a mistyped subcommand", args: []string{"rendr"}, want: false},
		{name: "version flag", args: []string{"--version"}, want: false},
		{name: "shell completion", args: []string{"__complete", "render", ""}, want: false},
		{name: "debug is not the only argument", args: []string{"-debug", "render"}, want: false},
		{name: "another plugin's cookie", cookie: "not-terraform", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(key string) string {
				if key == magicCookieKey {
					return tt.cookie
				}
				return ""
			}
			if got := ServesProvider(getenv, tt.args); got != tt.want {
				t.Errorf("ServesProvider(%v) = %t, want %t", tt.args, got, tt.want)
			}
		})
	}
}

// buildBinary builds the terraform-provider-kubedaemon binary from the
// repository root into a temporary folder.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "kubedaemon")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBinary runs the built binary as a person and as Terraform does.
func TestBinary(t *testing.T) {
	bin := buildBinary(t)

	t.Run("command line", func(t *testing.T) {
		tests := []struct {
			name       string
			args       []string
			wantCode   int
			wantStdout string
			wantStderr string
		}{
			{name: "no arguments prints help", wantStdout: "Usage:\n  kubedaemon [command]"},
			{name: "mistyped subcommand", args: []string{"rendr"}, wantCode: 2, wantStderr: "Did you mean this?\n\trender\n"},
			{name: "version", args: []string{"--version"}, wantStdout: "Kubernetes client:  k8s.io/client-go v"},
			{name: "completion", args: []string{"__complete", "render", ""}, wantStdout: "node-exporter\t"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cmd := exec.Command(bin, tt.args...)
				cmd.Env = withoutCookie(os.Environ())
				var stdout, stderr strings.Builder
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if code := cmd.ProcessState.ExitCode(); code != tt.wantCode {
					t.Errorf("exit code %d (%v), want %d; stderr:\n%s", code, err, tt.wantCode, stderr.String())
				}
				if !strings.Contains(stdout.String(), tt.wantStdout) {
					t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, stdout.String())
				}
				if !strings.Contains(stderr.String(), tt.wantStderr) {
					t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr.String())
				}
			})
		}
	})

	// With Terraform's cookie the binary is a plugin server whatever the
	// arguments: its first line of output is go-plugin's handshake
	// (CORE-PROTOCOL|APP-PROTOCOL|NETWORK|ADDRESS|grpc|), after which it
	// waits for Terraform to connect.
	t.Run("plugin", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "render")
		// TMPDIR holds the plugin's socket, removed with the test's folder.
		cmd.Env = append(withoutCookie(os.Environ()), magicCookieKey+"="+magicCookieValue, "TMPDIR="+t.TempDir())
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}()
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatalf("no handshake line (%v), got %q", err, line)
		}
		handshake := regexp.MustCompile(`^1\|6\|(unix|tcp)\|[^|]+\|grpc\|`)
		if !handshake.MatchString(line) {
			t.Errorf("first line %q is not a go-plugin handshake for protocol 6 matching %s", line, handshake)
		}
	})
}

// withoutCookie is env without Terraform's plugin cookie, in case the test
// itself runs under Terraform.
func withoutCookie(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, magicCookieKey+"=") {
			out = append(out, kv)
		}
	}
	return out
}
