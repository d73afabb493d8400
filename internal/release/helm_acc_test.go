package release

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/helmoracle"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// A release that `helm install` installed is adopted in place: without
// AdoptHelm its objects are someone else's; with it, ApplyAll of the same
// render (but without the Service, which values turn off) keeps every UID,
// the DaemonSet's generation and its pods, leaves no field to Helm's
// manager, and ForgetHelmRelease deletes Helm's records and names the
// Service, which stays in the cluster.
func TestAccAdoptHelm(t *testing.T) {
	helm := helmoracle.Path(t, "../..")
	ctx := context.Background()
	const ns, name = "release-adopt-helm", "ne"
	values := []byte("port: 19151\nimage:\n  repository: quay.io/prometheus/node-exporter\n  tag: v1.9.1\n")
	valuesFile := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(valuesFile, values, 0o600); err != nil {
		t.Fatal(err)
	}
	install := exec.Command(helm, "install", name, "../../templates/node-exporter", "--namespace", ns, "--create-namespace",
		"--values", valuesFile, "--wait", "--timeout", "2m", "--kubeconfig", testCluster.Kubeconfig)
	install.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("helm install: %v\n%s", err, out)
	}
	cs := testCluster.Client()
	before := releaseState(t, ns, name)

	res, err := render.Render(render.Request{
		Preset: "node-exporter", Name: name, Namespace: ns,
		ValuesYAML: [][]byte{values, []byte("service:\n  enabled: false\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	for _, o := range res.Objects {
		entries = append(entries, Entry{Key: ObjectKey(o.Kind, o.Namespace, o.Name), YAML: string(o.YAML)})
	}
	rc, err := rollout.NewClient(testCluster.RESTConfig, "kubedaemon-test")
	if err != nil {
		t.Fatal(err)
	}
	inv := &Inventory{Client: rc, ID: ns + "/" + name}
	errs := inv.CheckOwnership(ctx, entries)
	if len(errs) != len(entries) {
		t.Fatalf("without AdoptHelm, %d ownership errors for %d objects of Helm's: %v", len(errs), len(entries), errs)
	}
	rel := HelmRelease{Namespace: ns, Name: name}
	adopted, err := inv.AdoptHelm(ctx, rel, entries)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ServiceAccount/" + ns + "/ne", "DaemonSet/" + ns + "/ne"}
	if diff := cmp.Diff(want, adopted); diff != "" {
		t.Errorf("adopted (-want +got):\n%s", diff)
	}
	if errs := inv.CheckOwnership(ctx, entries); len(errs) > 0 {
		t.Fatalf("ownership errors after AdoptHelm: %v", errs)
	}
	if _, err := inv.ApplyAll(ctx, entries); err != nil {
		t.Fatal(err)
	}
	leftOver, err := inv.ForgetHelmRelease(ctx, rel, entries)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Service/" + ns + "/ne"}, leftOver); diff != "" {
		t.Errorf("left over (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, releaseState(t, ns, name)); diff != "" {
		t.Errorf("the adoption changed the objects (-before +after):\n%s", diff)
	}
	ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ds.ManagedFields {
		if helmManager(f.Manager) {
			t.Errorf("field manager %s (%s) still owns fields of the DaemonSet", f.Manager, f.Operation)
		}
	}
	if _, ok := ds.Annotations[HelmReleaseNameAnnotation]; ok {
		t.Errorf("the DaemonSet keeps Helm's annotation %s", HelmReleaseNameAnnotation)
	}
	secrets, err := cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets.Items) > 0 {
		t.Errorf("Helm's record %s is still there", secrets.Items[0].Name)
	}
	// Without records, a second ForgetHelmRelease has nothing to do.
	if left, err := inv.ForgetHelmRelease(ctx, rel, entries); err != nil || len(left) > 0 {
		t.Errorf("ForgetHelmRelease again: %v, %v", left, err)
	}
	var owned *OwnedElsewhereError
	svc := Entry{Key: "Service/" + ns + "/ne", YAML: "apiVersion: v1\nkind: Service\nmetadata:\n  name: ne\n"}
	if errs := (&Inventory{Client: rc, ID: ns + "/" + name}).CheckOwnership(ctx, []Entry{svc}); len(errs) != 1 || !errors.As(errs[0], &owned) {
		t.Errorf("the left-over Service is not someone else's: %v", errs)
	}
}

// releaseState is what adopting must not change: the UIDs of the release's
// objects, the DaemonSet's generation and its pods' UIDs.
func releaseState(t *testing.T, ns, name string) map[string]string {
	t.Helper()
	ctx := context.Background()
	cs := testCluster.Client()
	out := map[string]string{}
	sa, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := cs.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + name})
	if err != nil {
		t.Fatal(err)
	}
	out["ServiceAccount"], out["Service"], out["DaemonSet"] = string(sa.UID), string(svc.UID), string(ds.UID)
	out["generation"] = strconv.FormatInt(ds.Generation, 10)
	var uids []string
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning {
			uids = append(uids, string(p.UID))
		}
	}
	slices.Sort(uids)
	out["pods"] = strings.Join(uids, ",")
	return out
}
