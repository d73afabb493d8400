package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The preset catalog tests apply each built-in preset with kubedaemon_preset,
// once with its defaults and once with the testdata values file that uses
// every escape hatch, and want the apply to return with the DaemonSet
// converged on every node. One apply per preset and values file keeps them
// short. The local cluster serves no Prometheus Operator kinds, so the
// ServiceMonitor and PodMonitor the escape hatches ask for must stay out of
// the release rather than fail the plan.

// catalogCase is one release of a built-in preset.
type catalogCase struct {
	preset, values string
	// daemonSet is the DaemonSet the release runs when the values name it;
	// otherwise it is the release's name (the namespace's) and suffix.
	daemonSet, suffix string
	// before prepares what the values reference but cannot create.
	before func(t *testing.T, ns string)
}

// catalogValuesFile is the path of a values file of a preset's testdata.
func catalogValuesFile(t *testing.T, preset, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "templates", preset, "testdata", name+".values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testCatalogRelease applies one release named as its namespace, so that
// its cluster-wide objects are its own too, and checks that it converged and
// that destroy removed its DaemonSet.
func testCatalogRelease(t *testing.T, c catalogCase) {
	ns := "acc-cat-" + c.preset
	values := ""
	if c.values != "" {
		ns += "-" + c.values
		values = fmt.Sprintf("values = [file(%q)]", catalogValuesFile(t, c.preset, c.values))
	}
	name := ns
	createNamespace := true
	if c.before != nil {
		c.before(t, ns)
		createNamespace = false
	}
	daemonSet := c.daemonSet
	if daemonSet == "" {
		daemonSet = name + c.suffix
	}
	config := fmt.Sprintf(`
resource "kubedaemon_preset" "p" {
  preset           = %q
  name             = %q
  namespace        = %q
  create_namespace = %t
  %s
}
`, c.preset, name, ns, createNamespace, values)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkCatalogGone(ns, daemonSet),
		Steps: []resource.TestStep{{
			Config: config,
			Check:  resource.ComposeAggregateTestCheckFunc(checkCatalogConverged(ns, daemonSet), checkNoMonitors),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("kubedaemon_preset.p", tfjsonpath.New("daemonsets"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(ns + "/" + daemonSet)})),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// checkCatalogConverged wants the DaemonSet's every pod updated, ready and
// available on every node it should run on, and at least one such node.
func checkCatalogConverged(ns, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ds, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		st := ds.Status
		if st.DesiredNumberScheduled == 0 || st.ObservedGeneration != ds.Generation ||
			st.UpdatedNumberScheduled != st.DesiredNumberScheduled || st.NumberReady != st.DesiredNumberScheduled ||
			st.NumberAvailable != st.DesiredNumberScheduled {
			return fmt.Errorf("daemonset %s/%s did not converge before apply returned: %+v", ns, name, st)
		}
		return nil
	}
}

// checkNoMonitors wants no Prometheus Operator object in the release's
// inventory, on a cluster that does not serve their kinds.
func checkNoMonitors(st *terraform.State) error {
	_, lists, err := testCluster.Client().Discovery().ServerGroupsAndResources()
	if err != nil {
		return err
	}
	for _, l := range lists {
		if strings.HasPrefix(l.GroupVersion, "monitoring.coreos.com/") {
			return fmt.Errorf("the test cluster serves %s: the catalog tests want a cluster without the Prometheus Operator", l.GroupVersion)
		}
	}
	rs, ok := st.RootModule().Resources["kubedaemon_preset.p"]
	if !ok {
		return fmt.Errorf("no kubedaemon_preset.p in the state")
	}
	for k, v := range rs.Primary.Attributes {
		if strings.HasPrefix(k, "inventory.") && (strings.HasPrefix(v, "ServiceMonitor/") || strings.HasPrefix(v, "PodMonitor/")) {
			return fmt.Errorf("the release applied %s on a cluster that does not serve its kind", v)
		}
	}
	return nil
}

// checkCatalogGone wants the release's DaemonSet and its pods gone.
func checkCatalogGone(ns, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		if _, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("DaemonSet %s/%s still exists after destroy (get: %v)", ns, name, err)
		}
		return nil
	}
}

// withServiceAccount creates the namespace and a ServiceAccount the values
// name without creating (the hwameistor chart's hwameistor-admin), and
// deletes the namespace when the test ends.
func withServiceAccount(account string) func(t *testing.T, ns string) {
	return func(t *testing.T, ns string) {
		t.Helper()
		ctx := context.Background()
		cs := testCluster.Client()
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("delete namespace %s: %v", ns, err)
			}
		})
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: account, Namespace: ns}}
		if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAccPresetCatalogNodeExporter(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "node-exporter"})
}

func TestAccPresetCatalogNodeExporterEscapeHatches(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "node-exporter", values: "escape-hatches"})
}

func TestAccPresetCatalogFluentBit(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "fluent-bit"})
}

func TestAccPresetCatalogFluentBitEscapeHatches(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "fluent-bit", values: "escape-hatches", daemonSet: "shipper"})
}

func TestAccPresetCatalogFluentd(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "fluentd"})
}

func TestAccPresetCatalogFluentdEscapeHatches(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "fluentd", values: "escape-hatches", daemonSet: "collector"})
}

func TestAccPresetCatalogCSINode(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "csi-node", suffix: "-node"})
}

func TestAccPresetCatalogCSINodeEscapeHatches(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "csi-node", values: "escape-hatches", daemonSet: "acc-csi-node"})
}

// TestAccPresetCatalogCSINodeHwameistor applies the seed's hwameistor node
// driver, expressed with values alone, with the service account its own
// chart would have created.
func TestAccPresetCatalogCSINodeHwameistor(t *testing.T) {
	testCatalogRelease(t, catalogCase{preset: "csi-node", values: "hwameistor", suffix: "-node",
		before: withServiceAccount("hwameistor-admin")})
}
