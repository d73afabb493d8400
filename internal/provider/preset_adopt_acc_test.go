package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/helmoracle"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
)

// The objects of a release that `helm install` installed move to a
// kubedaemon_preset with adopt_helm_release: the plan creates the Terraform
// resource and the apply neither deletes nor recreates an object (the same
// UIDs), leaves the DaemonSet's template and pods alone (the same
// generation and pod UIDs: the render equals what Helm installed), hands
// Helm's fields to kubedaemon (no "helm" field manager left, Helm's
// annotations gone) and deletes Helm's release records; the next plan is
// empty.
func TestAccPresetResource_adoptHelmRelease(t *testing.T) {
	helm := helmoracle.Path(t, "../..")
	ns := testNamespace(t, "adopt-helm")
	values := `port: 19141
image:
  repository: quay.io/prometheus/node-exporter
  tag: v1.9.1
`
	valuesFile := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(valuesFile, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	install := exec.Command(helm, "install", "ne", "../../templates/node-exporter", "--namespace", ns,
		"--values", valuesFile, "--wait", "--timeout", "2m", "--kubeconfig", testCluster.Kubeconfig)
	install.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("helm install: %v\n%s", err, out)
	}
	before := helmObjectIDs(t, ns)
	config := fmt.Sprintf(`
resource "kubedaemon_preset" "ne" {
  preset             = "node-exporter"
  name               = "ne"
  namespace          = %q
  adopt_helm_release = true
  values             = [%q]
}
`, ns, values)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("kubedaemon_preset.ne", plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkAdoptedFromHelm(ns, before),
					checkPresetPods(ns, "ne", "quay.io/prometheus/node-exporter:v1.9.1", 3),
				),
			},
			{Config: config, PlanOnly: true},
		},
	})
}

// helmObjectIDs is what must not change when kubedaemon adopts the release:
// the UIDs of its ServiceAccount, Service, DaemonSet and pods, and the
// DaemonSet's generation.
func helmObjectIDs(t *testing.T, ns string) map[string]string {
	t.Helper()
	ctx := context.Background()
	cs := testCluster.Client()
	out := map[string]string{}
	sa, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "ne", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["ServiceAccount"] = string(sa.UID)
	svc, err := cs.CoreV1().Services(ns).Get(ctx, "ne", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["Service"] = string(svc.UID)
	ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "ne", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["DaemonSet"] = string(ds.UID)
	out["generation"] = fmt.Sprint(ds.Generation)
	out["template"] = templateJSON(ds.Spec.Template)
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=ne"})
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, p := range pods.Items {
		uids = append(uids, string(p.UID))
	}
	slices.Sort(uids)
	out["pods"] = strings.Join(uids, ",")
	if len(uids) != 3 {
		t.Fatalf("helm install left %d pods, want 3", len(uids))
	}
	return out
}

func checkAdoptedFromHelm(ns string, before map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		var errs []string
		// helmObjectIDs fails through t; here the differences are collected.
		after := map[string]string{}
		if sa, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "ne", metav1.GetOptions{}); err == nil {
			after["ServiceAccount"] = string(sa.UID)
		}
		if svc, err := cs.CoreV1().Services(ns).Get(ctx, "ne", metav1.GetOptions{}); err == nil {
			after["Service"] = string(svc.UID)
		}
		ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, "ne", metav1.GetOptions{})
		if err != nil {
			return err
		}
		after["DaemonSet"], after["generation"] = string(ds.UID), fmt.Sprint(ds.Generation)
		after["template"] = templateJSON(ds.Spec.Template)
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=ne"})
		if err != nil {
			return err
		}
		var uids []string
		for _, p := range pods.Items {
			uids = append(uids, string(p.UID))
		}
		slices.Sort(uids)
		after["pods"] = strings.Join(uids, ",")
		for k, v := range before {
			if k == "template" && after[k] != v {
				errs = append(errs, "the pod template changed (-before +after):\n"+cmp.Diff(v, after[k]))
				continue
			}
			if after[k] != v {
				errs = append(errs, fmt.Sprintf("%s: %q before, %q after the adoption", k, v, after[k]))
			}
		}
		for _, f := range ds.ManagedFields {
			if f.Manager == "helm" {
				errs = append(errs, fmt.Sprintf("the DaemonSet still has fields of field manager helm (%s)", f.Operation))
			}
		}
		for _, a := range []string{release.HelmReleaseNameAnnotation, release.HelmReleaseNamespaceAnnotation} {
			if _, ok := ds.Annotations[a]; ok {
				errs = append(errs, "the DaemonSet still has Helm's annotation "+a)
			}
		}
		if ds.Annotations[presetInventoryAnnotation] != ns+"/ne" || ds.Labels[presetManagedByLabel] != presetManagedByValue {
			errs = append(errs, fmt.Sprintf("the DaemonSet lacks the inventory marks: %v %v", ds.Labels, ds.Annotations))
		}
		secrets, err := cs.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm,name=ne"})
		if err != nil {
			return err
		}
		if len(secrets.Items) > 0 {
			errs = append(errs, fmt.Sprintf("Helm's release record %s is still there", secrets.Items[0].Name))
		}
		if len(errs) > 0 {
			return fmt.Errorf("%s", strings.Join(errs, "\n"))
		}
		return nil
	}
}

// templateJSON is a pod template as indented JSON, for a readable diff.
func templateJSON(t corev1.PodTemplateSpec) string {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
