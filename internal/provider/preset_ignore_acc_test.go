package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Another tool rewrites a label of a preset's DaemonSet and an annotation of
// its pod template that the preset's values set: with ignore_labels and
// ignore_annotations matching them, the plan is empty; without, both are
// drift.
func TestAccPresetResource_ignoreMetadata(t *testing.T) {
	const ns = "acc-preset-ignore"
	preset := fmt.Sprintf(`
resource "kubedaemon_preset" "ne" {
  preset           = "node-exporter"
  name             = "ne"
  namespace        = %q
  create_namespace = true
  values = [yamlencode({
    port           = 19131
    image          = { repository = "quay.io/prometheus/node-exporter", tag = "v1.9.1" }
    commonLabels   = { "example.com/revision" = "1" }
    podAnnotations = { "example.com/stamp" = "a" }
  })]
}
`, ns)
	withIgnore := `
provider "kubedaemon" {
  ignore_labels      = ["^example\\.com/"]
  ignore_annotations = ["^example\\.com/stamp$"]
}
` + preset
	stamp := func() {
		patch := `{"metadata":{"labels":{"example.com/revision":"2"}},` +
			`"spec":{"template":{"metadata":{"annotations":{"example.com/stamp":"b"}}}}}`
		_, err := testCluster.Client().AppsV1().DaemonSets(ns).Patch(context.Background(), "ne",
			types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "policy-engine"})
		if err != nil {
			t.Fatal(err)
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{
			{Config: withIgnore},
			{PreConfig: stamp, Config: withIgnore, PlanOnly: true},
			{Config: preset, PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
