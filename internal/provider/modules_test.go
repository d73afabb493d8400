package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// moduleTestConfig writes a configuration that calls the module
// examples/modules/<module> with the given arguments (HCL) and exposes the
// listed outputs of the module, and returns it as a step's ConfigFile.
//
// GOTCHA: terraform-plugin-testing runs `terraform init` with a step's
// ConfigFile or ConfigDirectory (which installs local modules) only when the
// step has its own provider factories, never with a Config string; and it
// adds its own terraform block (the provider's source), so the file has none.
func moduleTestConfig(t *testing.T, module, args string, outputs ...string) config.TestStepConfigFunc {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "modules", module))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module \"m\" {\n  source = %q\n  %s\n}\n", dir, args)
	for _, o := range outputs {
		fmt.Fprintf(&b, "output %q {\n  value = module.m.%s\n}\n", o, o)
	}
	file := filepath.Join(t.TempDir(), "main.tf")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return config.StaticFile(file)
}

// moduleTest applies the configuration as the registry address
// kubedaemon/kubedaemon that the modules require (terraform-plugin-testing
// serves the in-process provider under TF_ACC_PROVIDER_NAMESPACE), runs the
// checks, destroys, and then wants gone() to hold.
//
// GOTCHA: terraform-plugin-testing's legacy state (what Check and
// CheckDestroy receive, and what its final destroy reads) does not support
// child modules: so the checks are state checks, a Destroy step empties the
// state before the end of the test, and the destroy is verified afterwards.
func moduleTest(t *testing.T, cfg config.TestStepConfigFunc, checks []statecheck.StateCheck, gone func(*terraform.State) error) {
	t.Helper()
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "kubedaemon")
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{
			{ConfigFile: cfg, ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, ConfigStateChecks: checks},
			{ConfigFile: cfg, ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Destroy: true},
		},
	})
	if err := gone(nil); err != nil {
		t.Errorf("after destroy: %v", err)
	}
}

// clusterCheck runs a check of the cluster as a state check.
type clusterCheck resource.TestCheckFunc

func (c clusterCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c(nil)
}

// addTestNodes adds Ready nodes with labels for one test and deletes them
// when it ends, leaving the shared nodes alone.
func addTestNodes(t *testing.T, labels map[string]string, names ...string) {
	t.Helper()
	ctx := context.Background()
	if err := testCluster.AddNodes(ctx, names, labels, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := testCluster.DeleteNodes(context.Background(), names...); err != nil {
			t.Errorf("delete test nodes: %v", err)
		}
	})
}

// checkPodNodes wants the pods of a release to run on exactly these nodes.
func checkPodNodes(ns, instance string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pods, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(),
			metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + instance})
		if err != nil {
			return err
		}
		var got []string
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil {
				got = append(got, p.Spec.NodeName)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return fmt.Errorf("%s/%s pods run on %v, want %v", ns, instance, got, want)
		}
		return nil
	}
}

func TestAccModuleNodeMonitoring(t *testing.T) {
	const ns = "acc-mod-monitoring"
	cfg := moduleTestConfig(t, "node-monitoring", fmt.Sprintf(`
  namespace  = %q
  port       = 19121
  extra_args = ["--collector.systemd"]
`, ns), "desired", "ready", "updated", "service", "daemonset")
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("desired", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("ready", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("updated", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("daemonset", knownvalue.StringExact(ns+"/node-exporter")),
		statecheck.ExpectKnownOutputValue("service", knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact("node-exporter"), "namespace": knownvalue.StringExact(ns),
			"port": knownvalue.Int64Exact(19121), "endpoint": knownvalue.StringExact("node-exporter." + ns + ".svc:19121"),
		})),
		clusterCheck(checkPodNodes(ns, "node-exporter", "kwok-node-0", "kwok-node-1", "kwok-node-2")),
	}, checkPresetGone(ns, "node-exporter"))
}

func TestAccModuleNodeLogging(t *testing.T) {
	const ns = "acc-mod-logging"
	addTestNodes(t, map[string]string{"logging.kubedaemon.dev/collect": "true"}, "acc-logging-0", "acc-logging-1")
	cfg := moduleTestConfig(t, "node-logging", fmt.Sprintf(`
  namespace = %q
  output    = { type = "forward", host = "aggregator.logging.svc", port = 24224 }
`, ns), "desired", "ready", "node_selector")
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("desired", knownvalue.Int64Exact(2)),
		statecheck.ExpectKnownOutputValue("ready", knownvalue.Int64Exact(2)),
		statecheck.ExpectKnownOutputValue("node_selector", knownvalue.MapExact(map[string]knownvalue.Check{
			"logging.kubedaemon.dev/collect": knownvalue.StringExact("true"),
		})),
		clusterCheck(checkPodNodes(ns, "fluent-bit", "acc-logging-0", "acc-logging-1")),
	}, checkPresetGone(ns, "fluent-bit"))
}

func TestAccModuleCSINodeDriver(t *testing.T) {
	const ns = "acc-mod-csi"
	const driver = "acc.csi.kubedaemon.dev"
	cfg := moduleTestConfig(t, "csi-node-driver", fmt.Sprintf(`
  namespace    = %q
  driver_name  = %q
  driver_image = { repository = "registry.example/acc-csi-plugin", tag = "v1.2.3" }
  health_port  = 29691
`, ns, driver), "desired", "ready", "driver_name")
	csiDriver := func(*terraform.State) error {
		d, err := testCluster.Client().StorageV1().CSIDrivers().Get(context.Background(), driver, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("CSIDriver %s: %w", driver, err)
		}
		if d.Annotations[presetInventoryAnnotation] != ns+"/csi-node" {
			return fmt.Errorf("CSIDriver %s has inventory annotation %q", driver, d.Annotations[presetInventoryAnnotation])
		}
		return nil
	}
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("desired", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("ready", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("driver_name", knownvalue.StringExact(driver)),
		clusterCheck(csiDriver),
	}, func(*terraform.State) error {
		_, err := testCluster.Client().StorageV1().CSIDrivers().Get(context.Background(), driver, metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("CSIDriver %s still exists (get: %v)", driver, err)
		}
		return nil
	})
}

func TestAccModuleEnvironments(t *testing.T) {
	const ns = "acc-mod-environments"
	nodes := []string{"acc-env-0", "acc-env-1", "acc-env-2"}
	addTestNodes(t, nil, nodes...)
	cfg := moduleTestConfig(t, "environments", fmt.Sprintf(`
  namespace      = %q
  prod_nodes     = ["acc-env-0", "acc-env-1"]
  dev_nodes      = ["acc-env-2"]
  high_cpu_nodes = ["acc-env-1"]
`, ns), "log_compressor", "namenode", "labelled_nodes")
	labelsGone := func(*terraform.State) error {
		for _, n := range nodes {
			node, err := testCluster.Client().CoreV1().Nodes().Get(context.Background(), n, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, key := range []string{"env", "host"} {
				if v, ok := node.Labels[key]; ok {
					return fmt.Errorf("node %s keeps %s=%s after destroy", n, key, v)
				}
			}
		}
		return nil
	}
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("log_compressor", knownvalue.ObjectExact(map[string]knownvalue.Check{
			"daemonset": knownvalue.StringExact(ns + "/log-compressor"),
			"desired":   knownvalue.Int64Exact(2), "ready": knownvalue.Int64Exact(2),
		})),
		statecheck.ExpectKnownOutputValue("namenode", knownvalue.ObjectExact(map[string]knownvalue.Check{
			"daemonset": knownvalue.StringExact(ns + "/hdfs-namenode"),
			"desired":   knownvalue.Int64Exact(1), "ready": knownvalue.Int64Exact(1),
		})),
		statecheck.ExpectKnownOutputValue("labelled_nodes", knownvalue.MapExact(map[string]knownvalue.Check{
			"acc-env-0": knownvalue.StringExact("prod"), "acc-env-1": knownvalue.StringExact("prod"),
			"acc-env-2": knownvalue.StringExact("dev"),
		})),
		clusterCheck(checkPodNodes(ns, "log-compressor", "acc-env-0", "acc-env-1")),
		clusterCheck(checkPodNodes(ns, "hdfs-namenode", "acc-env-1")),
	}, resource.ComposeAggregateTestCheckFunc(
		checkPresetGone(ns, "log-compressor"), checkPresetGone(ns, "hdfs-namenode"), labelsGone,
	))
}
