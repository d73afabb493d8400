package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// presetWavesConfig is node-exporter on the fleet's nodes, rolled out in
// waves: env=dev, then half of the rest, then the rest.
func presetWavesConfig(ns, label, tag, extra string) string {
	return fmt.Sprintf(`
resource "kubedaemon_preset" "ne" {
  preset           = "node-exporter"
  name             = "ne"
  namespace        = %[1]q
  create_namespace = true
  values = [yamlencode({
    port         = 19131
    image        = { repository = "node-exporter", tag = %[3]q }
    nodeSelector = { "rollout-fleet" = %[2]q }
  })]
  rollout {
    wave {
      selector        = "env=dev"
      max_unavailable = "3"
    }
    wave {
      percent = 50
    }
    max_unavailable = "2"
    %[4]s
  }
}
`, ns, label, tag, extra)
}

// presetFleetImages checks that every node of the fleet runs image, or, for
// the nodes in except, exceptImage.
func presetFleetImages(ns, image string, nodes, except []string, exceptImage string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pods, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=ne"})
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && p.Spec.NodeName != "" {
				got[p.Spec.NodeName] = p.Spec.Containers[0].Image
			}
		}
		for _, n := range nodes {
			want := image
			if slices.Contains(except, n) {
				want = exceptImage
			}
			if got[n] != want {
				return fmt.Errorf("node %s runs %q, want %q (all: %v)", n, got[n], want, got)
			}
		}
		return nil
	}
}

// TestAccPresetResource_rolloutWaves: the rollout block of kubedaemon_preset
// rolls the preset's DaemonSet out in waves, rolls a crash-looping image
// back with the prior objects, halts on request, and resumes.
func TestAccPresetResource_rolloutWaves(t *testing.T) {
	ns := uniqueName("preset-waves")
	label, dev, prod := rolloutFleet(t)
	all := append(append([]string{}, dev...), prod...)
	addr := "kubedaemon_preset.ne"
	statusIs := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(addr, tfjsonpath.New("rollout_status"),
			knownvalue.MapExact(map[string]knownvalue.Check{ns + "/ne": knownvalue.StringExact(want)}))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{
			{
				Config:            presetWavesConfig(ns, label, "v1", ""),
				ConfigStateChecks: []statecheck.StateCheck{statusIs("complete")},
				Check: resource.ComposeTestCheckFunc(
					presetFleetImages(ns, "node-exporter:v1", all, nil, ""),
					func(*terraform.State) error {
						ds, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), "ne", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if ds.Spec.UpdateStrategy.Type != "OnDelete" {
							return fmt.Errorf("update strategy %q, want OnDelete", ds.Spec.UpdateStrategy.Type)
						}
						return nil
					},
				),
			},
			{Config: presetWavesConfig(ns, label, "v1", ""), PlanOnly: true},
			{
				Config:            presetWavesConfig(ns, label, "v2", ""),
				ConfigStateChecks: []statecheck.StateCheck{statusIs("complete")},
				Check:             presetFleetImages(ns, "node-exporter:v2", all, nil, ""),
			},
			{
				Config:      presetWavesConfig(ns, label, "crashloop", ""),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Rollout Rolled Back.*wave 1/3 \(env=dev\) failed`),
			},
			{
				PreConfig: func() {
					if err := eventually(presetFleetImages(ns, "node-exporter:v2", all, nil, "")); err != nil {
						t.Fatalf("after the rollback: %v", err)
					}
				},
				Config:             presetWavesConfig(ns, label, "crashloop", ""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      presetWavesConfig(ns, label, "crashloop", `on_failure = "halt"`),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Rollout Halted.*wave 1/3 \(env=dev\) failed`),
			},
			{
				PreConfig: func() {
					// The apply returns as the wave fails: a node of the wave
					// whose pod was just deleted may get its new one a moment
					// later from the DaemonSet controller.
					if err := eventually(presetFleetImages(ns, "node-exporter:v2", all, dev, "node-exporter:crashloop")); err != nil {
						t.Fatalf("after the halt: %v", err)
					}
				},
				// Halted: the plan of the same configuration resumes.
				Config:             presetWavesConfig(ns, label, "crashloop", `on_failure = "halt"`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:            presetWavesConfig(ns, label, "v3", `on_failure = "halt"`),
				ConfigStateChecks: []statecheck.StateCheck{statusIs("complete")},
				Check:             presetFleetImages(ns, "node-exporter:v3", all, nil, ""),
			},
			{Config: presetWavesConfig(ns, label, "v3", `on_failure = "halt"`), PlanOnly: true},
		},
	})
}
