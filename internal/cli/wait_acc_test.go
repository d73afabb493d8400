package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// accNamespace creates a namespace of its own for t and deletes it after.
func accNamespace(t *testing.T) string {
	t.Helper()
	return clustertest.Namespace(t, testCluster, "cli-wait")
}

// createPauseDaemonSet creates a DaemonSet of the pause image with the
// labels group=group and app=name.
func createPauseDaemonSet(t *testing.T, namespace, name, group string) {
	t.Helper()
	createDaemonSet(t, namespace, name, group, "registry.k8s.io/pause:3.10")
}

// createDaemonSet creates a DaemonSet of image with the labels group=group
// and app=name.
func createDaemonSet(t *testing.T, namespace, name, group, image string) {
	t.Helper()
	ds := clustertest.DaemonSet(namespace, name, image)
	ds.Labels = map[string]string{"app": name, "group": group}
	if _, err := testCluster.Client().AppsV1().DaemonSets(namespace).Create(context.Background(), ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestAccWaitSelector waits for two DaemonSets selected by a common label,
// as text and as JSON.
func TestAccWaitSelector(t *testing.T) {
	ns := accNamespace(t)
	createPauseDaemonSet(t, ns, "logd", "node-agents")
	createPauseDaemonSet(t, ns, "metricsd", "node-agents")
	createPauseDaemonSet(t, ns, "other", "elsewhere")

	code, out, errOut := run(t, "wait", "ds", "-l", "group=node-agents", "-n", ns, "--kubeconfig", testCluster.Kubeconfig, "--timeout", "1m")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	want := "daemonset " + ns + "/logd converged: generation 1 on 3 node(s)\n" +
		"daemonset " + ns + "/metricsd converged: generation 1 on 3 node(s)\n"
	if out != want {
		t.Errorf("stdout\n got: %q\nwant: %q", out, want)
	}
	if !strings.Contains(errOut, ns+"/logd: generation 1, 3/3 updated, 3/3 ready, 3/3 available\n") {
		t.Errorf("stderr lacks the progress of logd:\n%s", errOut)
	}

	// Completion lists the namespace's DaemonSets from the cluster.
	for _, tt := range []struct{ args, want []string }{
		{[]string{"__complete", "wait", "-n", ns, "--kubeconfig", testCluster.Kubeconfig, ""},
			[]string{"daemonset/logd", "daemonset/metricsd", "daemonset/other"}},
		{[]string{"__complete", "wait", "ds", "-n", ns, "--kubeconfig", testCluster.Kubeconfig, "me"}, []string{"metricsd"}},
		{[]string{"__complete", "wait", "-n", ns, "--kubeconfig", testCluster.Kubeconfig, "ds/l"}, []string{"ds/logd"}},
	} {
		_, out, _ := run(t, tt.args...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if got := lines[:len(lines)-1]; strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%v completes %q, want %q", tt.args[len(tt.args)-1:], got, tt.want)
		}
	}

	code, out, errOut = run(t, "wait", "-A", "-l", "group=node-agents,app=logd", "-o", "json", "--kubeconfig", testCluster.Kubeconfig, "--timeout", "1m")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	var report waitReport
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	if len(report.DaemonSets) != 1 || report.DaemonSets[0].Namespace != ns || report.DaemonSets[0].Name != "logd" ||
		!report.DaemonSets[0].Converged || report.DaemonSets[0].Status == nil || report.DaemonSets[0].Status.NumberReady != 3 {
		t.Errorf("report = %+v, want logd converged with 3 ready", report)
	}

	code, out, errOut = run(t, "wait", "ds", "-l", "group=nobody", "-n", ns, "--kubeconfig", testCluster.Kubeconfig)
	if wantErr := "Error: no DaemonSet in namespace \"" + ns + "\" matches -l group=nobody\n"; code != 1 || out != "" || errOut != wantErr {
		t.Errorf("no match: exit %d, stdout %q, stderr %q; want 1, nothing, %q", code, out, errOut, wantErr)
	}
}

// TestAccWaitUnreachable points a copy of the cluster's kubeconfig at a
// port nothing listens on: exit code 3 before any wait.
func TestAccWaitUnreachable(t *testing.T) {
	cfg, err := clientcmd.LoadFromFile(testCluster.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cfg.Clusters {
		c.Server = "https://127.0.0.1:1"
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, out, errOut := run(t, "wait", "ds/logd", "--kubeconfig", path, "--timeout", "1m")
	if code != 3 {
		t.Errorf("exit code %d, want 3; stderr:\n%s", code, errOut)
	}
	if out != "" || !strings.HasPrefix(errOut, "Error: cannot reach the cluster at https://127.0.0.1:1: ") {
		t.Errorf("stdout %q, stderr %q; want nothing and the unreachable cluster", out, errOut)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s: an unreachable cluster must end the command before the wait", d)
	}
}

// TestAccWaitOne runs `wait daemonset/NAME` as a user would, once on a
// DaemonSet that converges and once on one whose image cannot be pulled.
func TestAccWaitOne(t *testing.T) {
	ns := accNamespace(t)
	wait := func(args ...string) (int, string, string) {
		return run(t, append(args, "--kubeconfig", testCluster.Kubeconfig, "-n", ns)...)
	}

	createDaemonSet(t, ns, "logd", "one", "alpine:3.20")
	code, out, errOut := wait("wait", "daemonset/logd", "--timeout", "1m")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	// Progress goes to stderr, the final status to stdout.
	if want := ns + "/logd: generation 1, 3/3 updated, 3/3 ready, 3/3 available\n"; !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	if want := "daemonset " + ns + "/logd converged: generation 1 on 3 node(s)\n"; !strings.Contains(out, want) {
		t.Errorf("stdout lacks %q:\n%s", want, out)
	}

	createDaemonSet(t, ns, "broken", "one", "registry.invalid/unpullable:1")
	code, _, errOut = wait("wait", "ds/broken", "--timeout", "1m", "--stuck-grace", "1s")
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{"Error: daemonset " + ns + "/broken cannot converge", "kwok-node-0: pod broken-", "ErrImagePull"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
