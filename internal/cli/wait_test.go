package cli

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

func TestParseWaitTargets(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		selector string
		all      bool
		want     []string
		wantErr  string
	}{
		{name: "type/name", args: []string{"daemonset/fluent-bit"}, want: []string{"fluent-bit"}},
		{name: "type name", args: []string{"daemonset", "fluent-bit"}, want: []string{"fluent-bit"}},
		{name: "ds/name", args: []string{"ds/logd"}, want: []string{"logd"}},
		{name: "ds name", args: []string{"ds", "logd"}, want: []string{"logd"}},
		{name: "plural with group, any case", args: []string{"DaemonSets.apps/logd"}, want: []string{"logd"}},
		{name: "plural type name", args: []string{"daemonsets", "logd"}, want: []string{"logd"}},
		{name: "several type/name, duplicates once", args: []string{"ds/a", "daemonset/b", "ds/a"}, want: []string{"a", "b"}},
		{name: "type and several names", args: []string{"ds", "a", "b"}, want: []string{"a", "b"}},
		{name: "selector without type", selector: "app=logd", want: nil},
		{name: "selector with type", args: []string{"ds"}, selector: "app=logd", want: nil},
		{name: "all namespaces with selector", selector: "app in (a,b)", all: true, want: nil},
		{
			name:    "nothing",
			wantErr: "name the DaemonSet to wait for (daemonset/NAME or daemonset NAME), or select DaemonSets with -l SELECTOR\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "type alone",
			args:    []string{"ds"},
			wantErr: "name the DaemonSet to wait for (daemonset/NAME or daemonset NAME), or select DaemonSets with -l SELECTOR\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "bare name",
			args:    []string{"logd"},
			wantErr: `argument "logd": wait supports DaemonSets only (daemonset, daemonsets, ds, daemonset.apps, daemonsets.apps); want daemonset/NAME or daemonset NAME` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "other kind",
			args:    []string{"deployment/web"},
			wantErr: `argument "deployment/web": wait supports DaemonSets only (daemonset, daemonsets, ds, daemonset.apps, daemonsets.apps); want daemonset/NAME or daemonset NAME` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "empty name",
			args:    []string{"ds/"},
			wantErr: `argument "ds/": want daemonset/NAME, e.g. daemonset/fluent-bit` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "two slashes",
			args:    []string{"ds/a/b"},
			wantErr: `argument "ds/a/b": want daemonset/NAME, e.g. daemonset/fluent-bit` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "type/name then bare name",
			args:    []string{"ds/a", "b"},
			wantErr: `argument "b": after ds/a give TYPE/NAME too (daemonset/NAME), or write daemonset NAME...` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "type then type/name",
			args:    []string{"ds", "ds/a"},
			wantErr: `argument "ds/a": after the type ds give bare names, e.g. ds fluent-bit` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:     "names and selector",
			args:     []string{"ds/a"},
			selector: "app=a",
			wantErr:  `name the DaemonSets or select them with -l, not both (got ds/a and -l "app=a")` + "\nSee 'kubedaemon wait --help'.",
		},
		{
			name:    "all namespaces without selector",
			args:    []string{"ds/a"},
			all:     true,
			wantErr: "-A/--all-namespaces needs -l/--selector: name the DaemonSets to wait for by label, e.g. -A -l app=fluent-bit\nSee 'kubedaemon wait --help'.",
		},
		{
			name:     "bad selector",
			selector: "app=a b",
			wantErr:  `-l "app=a b" is not a label selector (found 'b', expected: ',' or 'end of string'): write it as kubectl does, e.g. app=fluent-bit,tier!=test` + "\nSee 'kubedaemon wait --help'.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWaitTargets(tt.args, tt.selector, tt.all)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v\nwant %q", err, tt.wantErr)
				}
				if ee, ok := err.(*exitError); !ok || ee.code != exitUsage {
					t.Errorf("err = %#v, want an *exitError with code 2", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if got.selector != tt.selector || got.allNamespaces != tt.all {
				t.Errorf("selector, all = %q, %v; want %q, %v", got.selector, got.allNamespaces, tt.selector, tt.all)
			}
		})
	}
}

func TestValidateWaitFlags(t *testing.T) {
	ok := waitOptions{timeout: time.Minute, stuckGrace: time.Second, output: "text"}
	tests := []struct {
		name    string
		edit    func(*waitOptions)
		wantErr string
	}{
		{name: "defaults", edit: func(*waitOptions) {}},
		{name: "json", edit: func(o *waitOptions) { o.output = "json" }},
		{name: "zero timeout", edit: func(o *waitOptions) { o.timeout = 0 },
			wantErr: "--timeout must be longer than 0, e.g. 5m (got 0s)\nSee 'kubedaemon wait --help'."},
		{name: "negative timeout", edit: func(o *waitOptions) { o.timeout = -5 * time.Second },
			wantErr: "--timeout must be longer than 0, e.g. 5m (got -5s)\nSee 'kubedaemon wait --help'."},
		{name: "negative stuck grace", edit: func(o *waitOptions) { o.stuckGrace = -time.Second },
			wantErr: "--stuck-grace must be longer than 0, e.g. 30s (got -1s)\nSee 'kubedaemon wait --help'."},
		{name: "unknown output", edit: func(o *waitOptions) { o.output = "yaml" },
			wantErr: "-o \"yaml\" is not a format: use text or json\nSee 'kubedaemon wait --help'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			err := validateWaitFlags(o)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("err = %v\nwant %q", err, tt.wantErr)
			}
		})
	}
}

// writeTestKubeconfig writes a kubeconfig whose contexts "a" (current) and
// "b" point at server.
func writeTestKubeconfig(t *testing.T, server string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	data := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ` + server + `
    insecure-skip-tls-verify: true
users:
- name: u
  user:
    token: secret
contexts:
- name: a
  context: {cluster: c, user: u}
- name: b
  context: {cluster: c, user: u, namespace: ops}
current-context: a
`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWaitExitCodes runs the command line for the errors found before any
// wait starts and checks the exit code and the whole of standard error.
func TestWaitExitCodes(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "") // never in-cluster here
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	unreachable := writeTestKubeconfig(t, "https://127.0.0.1:1")
	help := "\nSee 'kubedaemon wait --help'.\n"
	tests := []struct {
		name       string
		args       []string
		kubeconfig string // $KUBECONFIG
		wantCode   int
		wantStderr string // whole, or its start when wantPrefix
		wantPrefix bool
	}{
		{name: "no argument", args: []string{"wait"}, wantCode: 2,
			wantStderr: "Error: name the DaemonSet to wait for (daemonset/NAME or daemonset NAME), or select DaemonSets with -l SELECTOR" + help},
		{name: "negative timeout", args: []string{"wait", "ds/a", "--timeout", "-5s"}, wantCode: 2,
			wantStderr: "Error: --timeout must be longer than 0, e.g. 5m (got -5s)" + help},
		{name: "zero timeout", args: []string{"wait", "ds", "a", "--timeout", "0s"}, wantCode: 2,
			wantStderr: "Error: --timeout must be longer than 0, e.g. 5m (got 0s)" + help},
		{name: "timeout that is no duration", args: []string{"wait", "ds/a", "--timeout", "soon"}, wantCode: 2,
			wantStderr: `Error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"` + help},
		{name: "unknown flag", args: []string{"wait", "ds/a", "--bogus"}, wantCode: 2,
			wantStderr: "Error: unknown flag: --bogus" + help},
		{name: "all namespaces without selector", args: []string{"wait", "ds/a", "-A"}, wantCode: 2,
			wantStderr: "Error: -A/--all-namespaces needs -l/--selector: name the DaemonSets to wait for by label, e.g. -A -l app=fluent-bit" + help},
		{name: "bad selector", args: []string{"wait", "ds", "-l", "app in a"}, wantCode: 2,
			wantStderr: `Error: -l "app in a" is not a label selector (unable to parse requirement: found 'a' expected: '('): write it as kubectl does, e.g. app=fluent-bit,tier!=test` + help},
		{name: "missing --kubeconfig", args: []string{"wait", "ds/a", "--kubeconfig", missing}, wantCode: 2,
			wantStderr: "Error: --kubeconfig " + missing + " cannot be read (stat " + missing + ": no such file or directory): point --kubeconfig or $KUBECONFIG at your cluster's kubeconfig\n"},
		{name: "no file in $KUBECONFIG", args: []string{"wait", "ds/a"}, kubeconfig: missing, wantCode: 2,
			wantStderr: "Error: no kubeconfig found: no file listed in $KUBECONFIG (" + missing + ") exists, and this is not a pod with a service account; point --kubeconfig or $KUBECONFIG at your cluster's kubeconfig\n"},
		{name: "unknown context", args: []string{"wait", "ds/a", "--context", "prod"}, kubeconfig: unreachable, wantCode: 2,
			wantStderr: `Error: --context "prod" is not in the kubeconfig ($KUBECONFIG (` + unreachable + `)): use one of "a", "b"` + "\n"},
		{name: "unreachable cluster", args: []string{"wait", "ds/a", "--kubeconfig", unreachable, "--timeout", "10s"}, wantCode: 3,
			wantStderr: "Error: cannot reach the cluster at https://127.0.0.1:1: Get \"https://127.0.0.1:1/version?timeout=10s\": dial tcp 127.0.0.1:1: connect: connection refused", wantPrefix: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.kubeconfig)
			code, out, errOut := run(t, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if tt.wantPrefix && !strings.HasPrefix(errOut, tt.wantStderr) || !tt.wantPrefix && errOut != tt.wantStderr {
				t.Errorf("stderr\n got: %q\nwant: %q", errOut, tt.wantStderr)
			}
		})
	}
}

func TestLoadClusterConfig(t *testing.T) {
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	path := writeTestKubeconfig(t, "https://203.0.113.7:6443")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	noCurrent := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(noCurrent, []byte(strings.Replace(string(data), "current-context: a\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, flag, env, context string
		wantNamespace, wantErr   string
	}{
		{name: "flag, current context", flag: path, wantNamespace: "default"},
		{name: "flag, context with a namespace", flag: path, context: "b", wantNamespace: "ops"},
		{name: "$KUBECONFIG list skips missing files", env: "/nonexistent/config" + string(os.PathListSeparator) + path, context: "b", wantNamespace: "ops"},
		{name: "flag wins over $KUBECONFIG", flag: path, env: "/nonexistent/config", wantNamespace: "default"},
		{
			name: "no current context", flag: noCurrent,
			wantErr: "the kubeconfig (--kubeconfig " + noCurrent + `) has no current context: pass --context, one of "a", "b"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBECONFIG", tt.env)
			cc, err := loadClusterConfig(tt.flag, tt.context)
			if tt.wantErr != "" {
				var ee *exitError
				if !errors.As(err, &ee) || ee.code != exitUsage || ee.msg != tt.wantErr {
					t.Fatalf("err = %#v\nwant exit 2 with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cc.namespace != tt.wantNamespace || cc.rest.Host != "https://203.0.113.7:6443" {
				t.Errorf("namespace, host = %q, %q; want %q, https://203.0.113.7:6443", cc.namespace, cc.rest.Host, tt.wantNamespace)
			}
		})
	}
}

func TestIsUnreachable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "connection refused", err: &url.Error{Op: "Get", URL: "https://127.0.0.1:1/version", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, want: true},
		{name: "DNS", err: fmt.Errorf("list: %w", &net.DNSError{Err: "no such host", Name: "k8s.invalid"}), want: true},
		{name: "server timeout", err: apierrors.NewServerTimeout(schema.GroupResource{Resource: "daemonsets"}, "list", 1), want: true},
		{name: "forbidden", err: apierrors.NewForbidden(schema.GroupResource{Resource: "daemonsets"}, "logd", errors.New("no")), want: false},
		{name: "not converged", err: &rollout.NotConvergedError{Cause: "timeout"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isUnreachable(tt.err); got != tt.want {
				t.Errorf("isUnreachable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
