package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
)

func TestAccNodesDataSource(t *testing.T) {
	testClusterKubeconfig(t)
	ctx := context.Background()
	// One extra node with labels and a taint of its own, so that the three
	// shared nodes stay as they are.
	const extra = "acc-nodes-gpu-0"
	taint := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	if err := testCluster.AddNodes(ctx, []string{extra}, map[string]string{"acc-nodes": "gpu", "env": "acc-prod"}, []corev1.Taint{taint}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), extra) })

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
data "kubedaemon_nodes" "all" {}

data "kubedaemon_nodes" "gpu" {
  selector = "acc-nodes=gpu,env in (acc-prod)"
}

data "kubedaemon_nodes" "gpu_names" {
  selector   = "acc-nodes=gpu"
  names_only = true
}

data "kubedaemon_nodes" "none" {
  selector = "acc-nodes=none"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.all", tfjsonpath.New("names"), knownvalue.ListSizeExact(4)),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("names"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(extra)})),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("id"), knownvalue.StringExact("acc-nodes=gpu,env in (acc-prod)")),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("labels").AtMapKey("env"),
					knownvalue.StringExact("acc-prod")),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("labels").AtMapKey("kubernetes.io/hostname"),
					knownvalue.StringExact(extra)),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("taints"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"key": knownvalue.StringExact("dedicated"), "value": knownvalue.StringExact("gpu"), "effect": knownvalue.StringExact("NoSchedule"),
					})})),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("ready"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("allocatable_cpu"), knownvalue.NotNull()),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.none", tfjsonpath.New("nodes"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu_names", tfjsonpath.New("names"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(extra)})),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.gpu_names", tfjsonpath.New("nodes"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.all", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("name"),
					knownvalue.StringExact(extra)),
			},
		}},
	})
}
