package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDaemonSetArg(t *testing.T) {
	tests := []struct {
		name, arg, want, wantErr string
	}{
		{name: "daemonset", arg: "daemonset/fluent-bit", want: "fluent-bit"},
		{name: "short name", arg: "ds/logd", want: "logd"},
		{name: "plural with group", arg: "DaemonSets.apps/logd", want: "logd"},
		{name: "no type", arg: "logd", wantErr: `argument "logd": want daemonset/NAME, e.g. daemonset/fluent-bit`},
		{name: "empty name", arg: "ds/", wantErr: `argument "ds/": want daemonset/NAME, e.g. daemonset/fluent-bit`},
		{name: "other kind", arg: "deployment/web", wantErr: `argument "deployment/web": wait supports DaemonSets only (daemonset, daemonsets, ds, daemonset.apps, daemonsets.apps); want daemonset/NAME`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDaemonSetArg(tt.arg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseDaemonSetArg() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestKubeconfigPaths(t *testing.T) {
	t.Setenv("KUBECONFIG", "/a/config"+string(os.PathListSeparator)+"/b/config")
	if diff := cmp.Diff([]string{"/flag/config"}, kubeconfigPaths("/flag/config")); diff != "" {
		t.Errorf("flag wins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/a/config", "/b/config"}, kubeconfigPaths("")); diff != "" {
		t.Errorf("$KUBECONFIG list (-want +got):\n%s", diff)
	}
	t.Setenv("KUBECONFIG", "")
	if diff := cmp.Diff([]string{"~/.kube/config"}, kubeconfigPaths("")); diff != "" {
		t.Errorf("default (-want +got):\n%s", diff)
	}
}

func TestWaitMissingKubeconfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	var out, errOut bytes.Buffer
	code := Execute(context.Background(), "test", []string{"wait", "daemonset/logd", "--kubeconfig", missing}, &out, &errOut)
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	want := "Error: kubeconfig " + missing + " cannot be read"
	if !strings.HasPrefix(errOut.String(), want) || !strings.Contains(errOut.String(), "point --kubeconfig or $KUBECONFIG") {
		t.Errorf("stderr = %q, want it to start %q and name the fix", errOut.String(), want)
	}
}
