package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/helmoracle"
)

// monitoringAPIVersions are what a cluster with the Prometheus Operator's
// CRDs serves, as .Capabilities.APIVersions lists them.
var monitoringAPIVersions = []string{
	"monitoring.coreos.com/v1",
	"monitoring.coreos.com/v1/ServiceMonitor",
	"monitoring.coreos.com/v1/PodMonitor",
}

// presetAPISets are the clusters each golden case is rendered for when it
// is compared with Helm: Helm's defaults, and one that serves the Prometheus
// Operator's kinds, so that the opt-in monitors are compared too.
var presetAPISets = []struct {
	suffix   string
	versions []string
}{
	{"", nil},
	{"+monitoring", monitoringAPIVersions},
}

// TestPresetsMatchHelm renders every golden case of every built-in preset
// with the helm oracle (`helm template` of the chart folder) and with
// kubedaemon, and compares the two object by object, as TestRenderMatchesHelm
// does for the test charts. The golden files pin what the presets render;
// this test proves that Helm renders the same.
func TestPresetsMatchHelm(t *testing.T) {
	helm := helmoracle.Path(t, "../..")
	const release, namespace = "agent", "nodes"
	for _, c := range goldenCases(t) {
		for _, apis := range presetAPISets {
			t.Run(c.preset+"/"+c.name+apis.suffix, func(t *testing.T) {
				chart, err := filepath.Abs(filepath.Join(presetsDir, c.preset))
				if err != nil {
					t.Fatal(err)
				}
				valuesFile, err := filepath.Abs(c.valuesPath)
				if err != nil {
					t.Fatal(err)
				}
				values, err := os.ReadFile(valuesFile)
				if err != nil {
					t.Fatal(err)
				}
				args := []string{"template", release, chart, "--namespace", namespace,
					"--kube-version", compatKubeVersion, "--values", valuesFile}
				args = appendFlags(args, "--api-versions", apis.versions)
				stdout, stderr, err := helmCommand(helm, t.TempDir(), args)
				if err != nil {
					t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
				}
				res, err := Render(Request{Preset: c.preset, Name: release, Namespace: namespace,
					ValuesYAML: [][]byte{values}, KubeVersion: compatKubeVersion, APIVersions: apis.versions})
				if err != nil {
					t.Fatalf("helm renders this case, kubedaemon fails: %v", err)
				}
				helmDocs := parseHelmStream(t, "helm", stdout)
				kubedaemonNormalisations(helmDocs, namespace)
				compareHelmStreams(t, helmDocs, parseHelmStream(t, "kubedaemon", res.Manifest))
				compareHelmObjects(t, "Objects", templateStreamDocs(helmDocs), res.Objects)
			})
		}
	}
}

// TestPresetMonitorsOnlyWhereServed: a preset's opt-in ServiceMonitor and
// PodMonitor render only for a cluster that serves their kinds, so that the
// same values install on a cluster without the Prometheus Operator.
func TestPresetMonitorsOnlyWhereServed(t *testing.T) {
	for _, tt := range []struct {
		preset, values string
		// want are the monitors' keys, kind/name, when the kinds are served.
		want []string
	}{
		{"node-problem-detector", "escape-hatches", []string{"ServiceMonitor/node-health", "PodMonitor/node-health"}},
		{"otel-collector-agent", "escape-hatches", []string{"ServiceMonitor/telemetry", "PodMonitor/telemetry"}},
	} {
		t.Run(tt.preset, func(t *testing.T) {
			values, err := os.ReadFile(filepath.Join(presetsDir, tt.preset, "testdata", tt.values+".values.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			monitors := func(apis []string) []string {
				res, err := Render(Request{Preset: tt.preset, ValuesYAML: [][]byte{values}, APIVersions: apis})
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, o := range res.Objects {
					if o.APIVersion == "monitoring.coreos.com/v1" {
						out = append(out, o.Kind+"/"+o.Name)
					}
				}
				slices.Sort(out)
				return out
			}
			if got := monitors(nil); len(got) != 0 {
				t.Errorf("without the monitoring kinds the render has %v, want none", got)
			}
			want := slices.Sorted(slices.Values(tt.want))
			if got := monitors(monitoringAPIVersions); !slices.Equal(got, want) {
				t.Errorf("with the monitoring kinds the render has %v, want %v", got, want)
			}
		})
	}
}
