package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// nodeMoveConfig is a node's labels and taint, written with hashicorp/kubernetes
// (kubedaemon false) or kubedaemon (true), with value as the label's value.
func nodeMoveConfig(node, value string, kubedaemon bool) string {
	if !kubedaemon {
		return fmt.Sprintf(`
resource "kubernetes_labels" "node" {
  api_version = "v1"
  kind        = "Node"
  metadata {
    name = %[1]q
  }
  labels = { "example.com/pool" = %[2]q }
  # Not the taint's field manager: two server-side applies to one node under
  # one manager remove each other's fields.
  field_manager = "terraform-labels"
}

resource "kubernetes_node_taint" "node" {
  metadata {
    name = %[1]q
  }
  # The node has another client's taint: hashicorp/kubernetes applies the
  # whole list of taints, so it needs force.
  force = true
  taint {
    key    = "dedicated"
    value  = "logging"
    effect = "NoSchedule"
  }
}
`, node, value)
	}
	return fmt.Sprintf(`
resource "kubedaemon_node_labels" "node" {
  node_name = %[1]q
  labels    = { "example.com/pool" = %[2]q }
}

resource "kubedaemon_node_taints" "node" {
  node_name = %[1]q
  taint {
    key    = "dedicated"
    value  = "logging"
    effect = "NoSchedule"
  }
}
`, node, value)
}

const movedNode = `
moved {
  from = kubernetes_labels.node
  to   = kubedaemon_node_labels.node
}

moved {
  from = kubernetes_node_taint.node
  to   = kubedaemon_node_taints.node
}
`

// TestAccNodeLabelsAndTaints_moveFromKubernetes labels and taints a node
// that carries other tools' labels with hashicorp/kubernetes; another tool
// taints it too; both move to kubedaemon with an empty plan, and a changed
// label then leaves the other tools' labels and taint as they were.
func TestAccNodeLabelsAndTaints_moveFromKubernetes(t *testing.T) {
	kubernetesProvider(t)
	node := "acc-move-0"
	addForeignLabelledNodes(t, []string{node}, nil)
	foreignTaint := corev1.Taint{Key: "example.com/maintenance", Effect: corev1.TaintEffectPreferNoSchedule}
	// Another tool taints the node once hashicorp/kubernetes has applied
	// (whose force takes the whole list of taints).
	taintByOthers := func() {
		clustertest.UpdateNode(t, testCluster, node, "kubectl-taint", func(n *corev1.Node) {
			n.Spec.Taints = append(n.Spec.Taints, foreignTaint)
		})
	}
	ours := corev1.Taint{Key: "dedicated", Value: "logging", Effect: corev1.TaintEffectNoSchedule}
	foreign := func(poolValue string, taints ...corev1.Taint) resource.TestCheckFunc {
		return resource.ComposeTestCheckFunc(
			checkNodeLabels(map[string]map[string]string{node: {"team": "infra", "owner": "ops", "example.com/pool": poolValue}}),
			checkNodeTaints(node, taints),
		)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: nodeMoveConfig(node, "logging", false), Check: foreign("logging", ours)},
			{
				PreConfig: taintByOthers,
				Config:    nodeMoveConfig(node, "logging", true) + movedNode,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("kubedaemon_node_labels.node", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("kubedaemon_node_taints.node", plancheck.ResourceActionNoop),
					plancheck.ExpectEmptyPlan(),
				}},
				Check: foreign("logging", ours, foreignTaint),
			},
			{Config: nodeMoveConfig(node, "logging", true), PlanOnly: true},
			{Config: nodeMoveConfig(node, "metrics", true), Check: foreign("metrics", ours, foreignTaint)},
		},
	})
}
