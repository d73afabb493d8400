package rollout_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cli"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// TestAccCLIWait runs `wait daemonset/NAME` as a user would, once on a
// DaemonSet that converges and once on one whose image cannot be pulled.
func TestAccCLIWait(t *testing.T) {
	kubeconfig := rollout.ClusterKubeconfigForTests()
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	ns := fmt.Sprintf("cli-%d", time.Now().UnixNano()%1_000_000_000)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	create := func(name, image string) {
		labels := map[string]string{"app": name}
		ds := &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: appsv1.DaemonSetSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: image}}},
				},
			},
		}
		if _, err := cs.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Execute(ctx, "test", append(args, "--kubeconfig", kubeconfig, "-n", ns), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	create("logd", "alpine:3.20")
	code, out, errOut := run("wait", "daemonset/logd", "--timeout", "1m")
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

	create("broken", "registry.invalid/unpullable:1")
	code, _, errOut = run("wait", "ds/broken", "--timeout", "1m", "--stuck-grace", "1s")
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, want := range []string{"Error: daemonset " + ns + "/broken cannot converge", "kwok-node-0: pod broken-", "ErrImagePull"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
