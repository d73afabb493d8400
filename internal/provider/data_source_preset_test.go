package provider

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cli"
)

// TestPresetDataSourceManifestIsTheCLIs renders the same inputs with the data
// source and with `kubedaemon render` and wants the same bytes.
func TestPresetDataSourceManifestIsTheCLIs(t *testing.T) {
	valuesFile := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(valuesFile, []byte("image:\n  tag: v1.8.0\nservice:\n  annotations: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cliManifest := func(s *terraform.State) error {
		var out, errOut bytes.Buffer
		args := []string{"render", "node-exporter", "--name", "ne", "--namespace", "obs", "-f", valuesFile,
			"--set", "port=9200", "--set-string", "podAnnotations.team=01", "--set-json", `extraArgs=["--collector.systemd"]`}
		if code := cli.Execute(context.Background(), "test", args, &out, &errOut); code != 0 {
			return fmt.Errorf("kubedaemon render exited %d: %s", code, errOut.String())
		}
		got := s.RootModule().Resources["data.kubedaemon_preset.ne"].Primary.Attributes["manifest"]
		if got != out.String() {
			return fmt.Errorf("the data source's manifest differs from the CLI's:\n--- data source\n%s\n--- cli\n%s", got, out.String())
		}
		return nil
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
data "kubedaemon_preset" "ne" {
  preset    = "node-exporter"
  name      = "ne"
  namespace = "obs"
  values    = [yamlencode({ image = { tag = "v1.8.0" }, service = { annotations = {} } })]
  set {
    name  = "port"
    value = "9200"
  }
  set {
    name  = "podAnnotations.team"
    value = "01"
    type  = "string"
  }
  set {
    name  = "extraArgs"
    value = jsonencode(["--collector.systemd"])
    type  = "json"
  }
}
`,
			Check: cliManifest,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.kubedaemon_preset.ne", tfjsonpath.New("id"), knownvalue.StringExact("obs/ne")),
				statecheck.ExpectKnownValue("data.kubedaemon_preset.ne", tfjsonpath.New("daemonsets"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("obs/ne")})),
				statecheck.ExpectKnownValue("data.kubedaemon_preset.ne", tfjsonpath.New("objects"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("ServiceAccount/obs/ne")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{"key": knownvalue.StringExact("Service/obs/ne")}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"key": knownvalue.StringExact("DaemonSet/obs/ne"), "api_version": knownvalue.StringExact("apps/v1"),
						"yaml": knownvalue.StringRegexp(regexp.MustCompile(`(?s)team: "01".*image: "quay.io/prometheus/node-exporter:v1.8.0".*--collector.systemd.*containerPort: 9200`)),
					}),
				})),
			},
		}},
	})
}

// TestPresetDataSourceValuesErrors wants each values error on the input
// that caused it, naming the values path.
func TestPresetDataSourceValuesErrors(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
data "kubedaemon_preset" "bad" {
  preset = "node-exporter"
  set {
    name  = "port"
    value = "9100"
  }
  set {
    name  = "port"
    value = "70000"
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Preset Value.*with data.kubedaemon_preset.bad,.*The set block 1 \(name "port"\) makes the value at "port".*invalid`),
			},
			{
				Config: `
data "kubedaemon_preset" "bad" {
  preset = "node-exporter"
  values = [yamlencode({ image = { tag = "v1" } }), yamlencode({ image = { pullPolicy = "Sometimes" } })]
}
`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Preset Value.*values\[1\]: the value at "image.pullPolicy" is\s+invalid`),
			},
			{
				Config: `
data "kubedaemon_preset" "bad" {
  preset = "no-such-preset"
}
`,
				ExpectError: regexp.MustCompile(`(?s)Cannot Render Preset.*unknown preset "no-such-preset"`),
			},
		},
	})
}
