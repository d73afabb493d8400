package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/convert"
)

// TestAccConvert_movePlanEmpty applies the seeds' logd and node-exporter and
// a node's labels and taint with hashicorp/kubernetes, then plans what
// `kubedaemon convert` makes of that configuration: kubedaemon resources
// and moved blocks, with nothing to change.
func TestAccConvert_movePlanEmpty(t *testing.T) {
	kubernetesProvider(t)
	ns := testNamespace(t, "convert")
	node := "acc-move-1"
	addForeignLabelledNodes(t, []string{node}, nil)
	hashicorp := logdKubernetes(ns) + nodeExporterKubernetes(ns) + nodeMoveConfig(node, "logging", false)
	converted, warnings, err := convert.File([]byte(hashicorp), "hashicorp.tf")
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: hashicorp},
			{
				Config: string(converted),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kubedaemon_daemonset.logd", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("kubedaemon_daemonset.node_exporter", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("kubedaemon_node_labels.node", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("kubedaemon_node_taints.node", plancheck.ResourceActionNoop),
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
