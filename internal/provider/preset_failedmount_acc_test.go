package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccPresetCSINodeWrongKubeletDir: the csi-node preset with a kubeletDir
// that does not exist on the nodes. Its registration folder is a hostPath of
// type Directory, so the kubelet cannot mount it and its pods wait in
// ContainerCreating with a FailedMount event; the apply fails once the
// grace period has passed, with the event's message on each node, instead
// of running to its timeout. The local cluster's KWOK stage
// pod-mount-failure writes the event as the kubelet would (see
// internal/cluster/doc.go); the test creates none itself.
func TestAccPresetCSINodeWrongKubeletDir(t *testing.T) {
	const ns = "acc-csi-kubeletdir"
	want := `(?s)DaemonSet Did Not Converge.*` + ns + `/` + ns + `-node cannot converge.*` +
		`FailedMount: MountVolume.SetUp failed for volume "registration-dir" : hostPath type check failed: ` +
		`/nonexistent/kubelet/plugins_registry is not a directory`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkCatalogGone(ns, ns+"-node"),
		Steps: []resource.TestStep{{
			Config: `
resource "kubedaemon_preset" "p" {
  preset           = "csi-node"
  name             = "` + ns + `"
  namespace        = "` + ns + `"
  create_namespace = true
  values           = [yamlencode({ kubeletDir = "/nonexistent/kubelet" })]
  stuck_grace      = "2s"
}
`,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(want, " ", `\s+`)),
		}},
	})
}
