package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

func TestRolloutUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rollout"}, "name one DaemonSet"},
		{[]string{"rollout", "ds/a", "ds/b"}, "name one DaemonSet"},
		{[]string{"rollout", "pod/a"}, "want daemonset/NAME"},
		{[]string{"rollout", "ds/a", "--on-failure", "retry"}, `--on-failure "retry": want rollback or halt`},
		{[]string{"rollout", "ds/a", "--soak", "2m"}, "--soak needs at least one --wave"},
		{[]string{"rollout", "ds/a", "--wave", "101%"}, "--wave[0]: wave \"101%\": a percent must be a whole number from 1% to 100%"},
		{[]string{"rollout", "ds/a", "--wave", "env=dev", "--wave", "tier=canary"}, `--wave[1] "tier=canary" overlaps --wave[0] "env=dev"`},
		{[]string{"rollout", "ds/a", "--wave", "env=dev", "--max-unavailable", "0"}, `--max-unavailable "0"`},
		{[]string{"rollout", "ds/a", "--wave", "env=dev", "--max-unavailable", "150%"}, `--max-unavailable "150%"`},
		{[]string{"rollout", "ds/a", "--max-restarts", "-1"}, "--max-restarts must be 0 or more"},
	} {
		code, _, errOut := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "kubedaemon rollout --help") {
			t.Errorf("%v: exit %d, stderr %q; want exit %d with %q", tc.args, code, errOut, exitUsage, tc.want)
		}
	}
}

// TestAccRolloutCommand rolls a new image out in waves from the command line,
// then rolls a crash-looping one back.
func TestAccRolloutCommand(t *testing.T) {
	ns := clustertest.Namespace(t, testCluster, "cli-rollout")
	ctx := context.Background()
	label := fmt.Sprintf("cli-rollout-%d", time.Now().UnixNano()%1_000_000)
	dev, prod := []string{label + "-a", label + "-b"}, []string{label + "-c", label + "-d", label + "-e"}
	if err := testCluster.AddNodes(ctx, dev, map[string]string{"cli-rollout": label, "env": "dev"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := testCluster.AddNodes(ctx, prod, map[string]string{"cli-rollout": label, "env": "prod"}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), append(dev, prod...)...) })
	cs := testCluster.Client()
	ds := clustertest.DaemonSet(ns, "agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"cli-rollout": label}
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "wait", "ds/agent", "-n", ns, "--kubeconfig", testCluster.Kubeconfig, "--timeout", "1m"); code != 0 {
		t.Fatalf("wait: exit %d\n%s", code, errOut)
	}
	setImage := func(image string) {
		t.Helper()
		clustertest.UpdateDaemonSet(t, testCluster, ns, "agent", "", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Containers[0].Image = image
		})
	}
	images := func() map[string]string {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=agent"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil {
				out[p.Spec.NodeName] = p.Spec.Containers[0].Image
			}
		}
		return out
	}
	args := []string{"rollout", "daemonset/agent", "-n", ns, "--kubeconfig", testCluster.Kubeconfig, "--timeout", "1m",
		"--wave", "env=dev", "--wave", "1", "--max-unavailable", "50%", "--stuck-grace", "1s"}

	setImage("agent:2")
	code, out, errOut := run(t, args...)
	if code != 0 {
		t.Fatalf("rollout: exit %d\n%s", code, errOut)
	}
	if want := "daemonset " + ns + "/agent rolled out: 3 wave(s), 5/5 nodes updated\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	for _, want := range []string{"wave 1/3 env=dev: 2/2 updated", "wave 2/3 1 node(s): 1/1 updated", "wave 3/3 remaining nodes: 2/2 updated"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	for n, img := range images() {
		if img != "agent:2" {
			t.Errorf("node %s runs %s, want agent:2", n, img)
		}
	}

	setImage("agent:crashloop")
	code, _, errOut = run(t, args...)
	if code != exitNotConverged {
		t.Fatalf("rollout of a crash loop: exit %d, want %d\n%s", code, exitNotConverged, errOut)
	}
	for _, want := range []string{"wave 1/3 (env=dev) failed on node(s) " + strings.Join(dev, ", "), "rolled back", "rolling back to revision"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	for n, img := range images() {
		if img != "agent:2" {
			t.Errorf("after the rollback node %s runs %s, want agent:2", n, img)
		}
	}
	live, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := live.Spec.Template.Spec.Containers[0].Image; img != "agent:2" {
		t.Errorf("template after the rollback runs %s, want agent:2", img)
	}

	// A RollingUpdate DaemonSet is refused with the fix.
	clustertest.UpdateDaemonSet(t, testCluster, ns, "agent", "", func(ds *appsv1.DaemonSet) {
		ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType}
	})
	code, _, errOut = run(t, args...)
	if code != exitUsage || !strings.Contains(errOut, "uses updateStrategy RollingUpdate") || !strings.Contains(errOut, "kubectl patch ds agent") {
		t.Errorf("RollingUpdate: exit %d, stderr %q", code, errOut)
	}
}
