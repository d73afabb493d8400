package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// TestAccDaemonSet_skipNotReadyNodes: a DaemonSet that tolerates every taint
// wants a pod on a NotReady node too, where it never starts. Without
// skip_not_ready_nodes the apply waits for that node and its error names
// the node and the attribute; with it, the apply converges on the Ready
// nodes and warns about the NotReady one.
func TestAccDaemonSet_skipNotReadyNodes(t *testing.T) {
	ns := testNamespace(t, "notready")
	node := clustertest.NotReadyNode(t, testCluster, "acc-notready")
	config := func(skip bool) string {
		return strings.NewReplacer(
			"host_port      = 6666", "",
			`resource "kubedaemon_daemonset" "logd" {`, fmt.Sprintf(`resource "kubedaemon_daemonset" "logd" {
  skip_not_ready_nodes = %t
  timeouts {
    create = "15s"
  }`, skip),
			"        container {", "        toleration {\n          operator = \"Exists\"\n        }\n        container {",
		).Replace(logdConfig(ns, "alpine:3.20"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(false),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Did Not Roll Out.*NotReady nodes holding up the rollout: ` + node +
					`.*set\s+skip_not_ready_nodes\s+=\s+true`),
			},
			{
				// The failed create left a tainted DaemonSet: this step replaces it.
				Config: config(true),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("kubedaemon_daemonset.logd", "skip_not_ready_nodes", "true"),
					resource.TestCheckResourceAttr("kubedaemon_daemonset.logd", "status.ready", "3"),
				),
			},
		},
	})
}
