package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
)

// writeChart writes a chart folder of files (paths relative to the chart)
// and returns its path.
func writeChart(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "chart")
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// widgetChart is a chart with a CRD in crds/, a custom resource of it, an
// optional ConfigMap and a DaemonSet.
var widgetChart = map[string]string{
	"Chart.yaml":  "apiVersion: v2\nname: widgets\nversion: 0.1.0\nappVersion: \"3.10\"\n",
	"values.yaml": "size: 1\nconfig: true\n",
	"crds/widget.yaml": `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.acc.kubedaemon.dev
spec:
  group: acc.kubedaemon.dev
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
`,
	"templates/widget.yaml": "apiVersion: acc.kubedaemon.dev/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  size: {{ .Values.size }}\n",
	"templates/configmap.yaml": "{{- if .Values.config }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n" +
		"data:\n  size: {{ .Values.size | quote }}\n{{- end }}\n",
	"templates/daemonset.yaml": `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app.kubernetes.io/instance: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
    spec:
      containers:
        - name: pause
          image: "registry.k8s.io/pause:{{ .Chart.AppVersion }}"
`,
}

// TestAccPresetResourceChart applies a chart with a CRD and a custom
// resource, waits on its DaemonSet, shows a values change on the object it
// changes, prunes an object the chart stops rendering, and leaves the CRD
// when destroyed, as Helm does.
func TestAccPresetResourceChart(t *testing.T) {
	const ns = "acc-preset-chart"
	dir := writeChart(t, widgetChart)
	config := func(size int, cm bool) string {
		return fmt.Sprintf(`
resource "kubedaemon_preset" "w" {
  preset           = %q
  name             = "w"
  namespace        = %q
  create_namespace = true
  values           = [yamlencode({ size = %d, config = %t })]
}
`, dir, ns, size, cm)
	}
	widgets := schema.GroupVersionResource{Group: "acc.kubedaemon.dev", Version: "v1", Resource: "widgets"}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	dyn := func() dynamic.Interface {
		d, err := dynamic.NewForConfig(testCluster.RESTConfig)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	widgetSize := func(want int64) resource.TestCheckFunc {
		return func(*terraform.State) error {
			w, err := dyn().Resource(widgets).Namespace(ns).Get(context.Background(), "w", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if got, _, _ := unstructuredInt(w.Object, "spec", "size"); got != want {
				return fmt.Errorf("widget size %d, want %d", got, want)
			}
			if w.GetAnnotations()[release.InventoryAnnotation] != ns+"/w" {
				return fmt.Errorf("widget lacks the inventory annotation: %v", w.GetAnnotations())
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			ctx := context.Background()
			if _, err := dyn().Resource(crds).Get(ctx, "widgets.acc.kubedaemon.dev", metav1.GetOptions{}); err != nil {
				return fmt.Errorf("the CRD is gone after destroy, want it kept as Helm keeps it: %w", err)
			}
			if _, err := dyn().Resource(widgets).Namespace(ns).Get(ctx, "w", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return fmt.Errorf("the widget is still there after destroy (get: %v)", err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(1, true),
				Check:  resource.ComposeAggregateTestCheckFunc(widgetSize(1), checkPresetPods(ns, "w", "registry.k8s.io/pause:3.10", 3)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_preset.w", tfjsonpath.New("crds"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("widgets.acc.kubedaemon.dev")})),
					statecheck.ExpectKnownValue("kubedaemon_preset.w", tfjsonpath.New("inventory"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ConfigMap/" + ns + "/w"),
						knownvalue.StringExact("DaemonSet/" + ns + "/w"),
						knownvalue.StringExact("Widget/" + ns + "/w"),
					})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// The plan shows the change on the two objects it touches.
				Config: config(2, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_preset.w", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("kubedaemon_preset.w", tfjsonpath.New("objects").AtMapKey("Widget/"+ns+"/w"),
							knownvalue.StringRegexp(regexp.MustCompile(`size: 2\n`))),
						plancheck.ExpectKnownValue("kubedaemon_preset.w", tfjsonpath.New("objects").AtMapKey("ConfigMap/"+ns+"/w"),
							knownvalue.StringRegexp(regexp.MustCompile(`size: "2"\n`))),
					},
				},
				Check: widgetSize(2),
			},
			{
				// The chart stops rendering the ConfigMap: apply deletes it.
				Config: config(2, false),
				Check: func(*terraform.State) error {
					_, err := testCluster.Client().CoreV1().ConfigMaps(ns).Get(context.Background(), "w", metav1.GetOptions{})
					if !apierrors.IsNotFound(err) {
						return fmt.Errorf("the dropped ConfigMap is still there (get: %v)", err)
					}
					return nil
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_preset.w", tfjsonpath.New("inventory"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("DaemonSet/" + ns + "/w"),
						knownvalue.StringExact("Widget/" + ns + "/w"),
					})),
				},
			},
		},
	})
}

// unstructuredInt reads an integer field of an unstructured object.
func unstructuredInt(obj map[string]any, fields ...string) (int64, bool, error) {
	var v any = obj
	for _, f := range fields {
		m, ok := v.(map[string]any)
		if !ok {
			return 0, false, nil
		}
		v = m[f]
	}
	switch x := v.(type) {
	case int64:
		return x, true, nil
	case float64:
		return int64(x), true, nil
	}
	return 0, false, nil
}

// secretChart renders a Secret and a ConfigMap that both carry secrets.
var secretChart = map[string]string{
	"Chart.yaml":  "apiVersion: v2\nname: secrets\nversion: 0.1.0\n",
	"values.yaml": "password: \"\"\ntoken: \"\"\n",
	"templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\n" +
		"stringData:\n  password: {{ .Values.password | quote }}\ndata:\n  token: {{ .Values.token | b64enc | quote }}\n",
	"templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n" +
		"data:\n  url: \"https://agent:{{ .Values.password }}@logs.example.com\"\n",
}

// TestAccPresetResourceSecrets: set_sensitive and sensitive_values reach the
// cluster, and neither they nor any Secret's data reach the plan, the state
// or the objects' applied annotation; a changed secret still plans an update.
func TestAccPresetResourceSecrets(t *testing.T) {
	const ns = "acc-preset-secrets"
	const password, token = "hunter2-acc-password", "tok-acc-very-secret"
	dir := writeChart(t, secretChart)
	config := func(pw string) string {
		return fmt.Sprintf(`
resource "kubedaemon_preset" "s" {
  preset           = %q
  name             = "s"
  namespace        = %q
  create_namespace = true
  set_sensitive {
    name  = "password"
    value = %q
  }
  sensitive_values = [yamlencode({ token = %q })]
}
`, dir, ns, pw, token)
	}
	secrets := []string{password, token, base64.StdEncoding.EncodeToString([]byte(token)),
		base64.StdEncoding.EncodeToString([]byte(password)), "hunter3-acc-password"}
	inCluster := func(pw string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			ctx := context.Background()
			s, err := testCluster.Client().CoreV1().Secrets(ns).Get(ctx, "s", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if string(s.Data["password"]) != pw || string(s.Data["token"]) != token {
				return fmt.Errorf("the Secret holds %q, %q; want the sensitive values", s.Data["password"], s.Data["token"])
			}
			cm, err := testCluster.Client().CoreV1().ConfigMaps(ns).Get(ctx, "s", metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !strings.Contains(cm.Data["url"], pw) {
				return fmt.Errorf("the ConfigMap holds %q, want the password in it", cm.Data["url"])
			}
			for _, ann := range []string{s.Annotations[release.AppliedAnnotation], cm.Annotations[release.AppliedAnnotation]} {
				if leaked := leakedSecret(ann, secrets); leaked != "" {
					return fmt.Errorf("an applied annotation holds the secret %q:\n%s", leaked, ann)
				}
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(password),
				Check:  inCluster(password),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{planHoldsNo(secrets)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), planHoldsNo(secrets)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateHoldsNo(secrets),
					statecheck.ExpectKnownValue("kubedaemon_preset.s", tfjsonpath.New("objects").AtMapKey("Secret/"+ns+"/s"),
						knownvalue.StringRegexp(regexp.MustCompile(`password: \(sensitive value sha256:[0-9a-f]+\)`))),
				},
			},
			{
				// Another password: the digests change, so the plan updates.
				Config: config("hunter3-acc-password"),
				Check:  inCluster("hunter3-acc-password"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_preset.s", plancheck.ResourceActionUpdate),
						planHoldsNo(secrets),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateHoldsNo(secrets)},
			},
			{
				// A secret changed in the cluster is drift: the plan puts it
				// back and says so without showing either value.
				PreConfig: func() {
					patch := `{"data":{"url":"https://agent:stolen-acc-value@logs.example.com"}}`
					_, err := testCluster.Client().CoreV1().ConfigMaps(ns).Patch(context.Background(), "s",
						types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config("hunter3-acc-password"),
				Check:  inCluster("hunter3-acc-password"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_preset.s", plancheck.ResourceActionUpdate),
						planHoldsNo(append(secrets, "stolen-acc-value")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{stateHoldsNo(append(secrets, "stolen-acc-value"))},
			},
		},
	})
}

// leakedSecret returns the first of secrets that s holds, or "".
func leakedSecret(s string, secrets []string) string {
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			return sec
		}
	}
	return ""
}

// planHoldsNo fails when the plan, as terraform show -json prints it,
// holds any of secrets.
func planHoldsNo(secrets []string) plancheck.PlanCheck { return noSecretsInPlan{secrets} }

type noSecretsInPlan struct{ secrets []string }

// CheckPlan reads what the provider decides: the planned values, the
// resource changes and the prior state. (The plan's configuration section
// repeats the literals of the test's own configuration.)
func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	p := req.Plan
	resp.Error = noSecretsIn("plan", []any{p.PlannedValues, p.ResourceChanges, p.PriorState, p.ResourceDrift, p.OutputChanges}, c.secrets)
}

// stateHoldsNo fails when the state, as terraform show -json prints it,
// holds any of secrets.
func stateHoldsNo(secrets []string) statecheck.StateCheck { return noSecretsInState{secrets} }

type noSecretsInState struct{ secrets []string }

func (c noSecretsInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = noSecretsIn("state", req.State, c.secrets)
}

func noSecretsIn(what string, v any, secrets []string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if leaked := leakedSecret(string(b), secrets); leaked != "" {
		return fmt.Errorf("the %s holds the secret %q", what, leaked)
	}
	return nil
}

// TestPresetResourceHookPlanError: a chart hook other than a test fails the
// plan, on preset, naming the hook; a test hook is left out.
func TestPresetResourceHookPlanError(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: hooked\nversion: 0.1.0\n",
		"templates/job.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: migrate\n  annotations:\n" +
			"    helm.sh/hook: pre-install\n",
		"templates/test.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n" +
			"spec:\n  containers: [{name: c, image: busybox}]\n",
	})
	resource.UnitTest(t, chartPlanError(dir, `(?s)Chart Has Helm Hooks.*ConfigMap migrate from\s+hooked/templates/job.yaml.*pre-install`))
}

// chartPlanError is a test case that plans a kubedaemon_preset of the chart
// in dir and wants the plan to fail with an error matching want.
func chartPlanError(dir, want string) resource.TestCase {
	return resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("resource \"kubedaemon_preset\" \"p\" {\n  preset = %q\n}\n", dir),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}},
	}
}

// TestAccPresetResourceKindNotServed: a custom resource whose definition the
// cluster does not serve, and the chart does not carry, fails the plan,
// naming the template and what to install.
func TestAccPresetResourceKindNotServed(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: monitored\nversion: 0.1.0\n",
		"templates/servicemonitor.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: m\n" +
			"spec:\n  selector: {}\n  endpoints: [{port: metrics}]\n",
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("resource \"kubedaemon_preset\" \"m\" {\n  preset = %q\n}\n", dir),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Cannot Render Preset.*monitored/templates/servicemonitor.yaml: ServiceMonitor m:\s+kind\s+ServiceMonitor\s+\(apiVersion\s+monitoring.coreos.com/v1\)\s+is\s+not\s+served\s+by\s+the\s+cluster:\s+install\s+the\s+CustomResourceDefinition`),
		}},
	})
}

// TestAccPresetResourceUnstableChart: a chart whose output changes from one
// render to the next (a random default password) fails the plan, naming the
// object, instead of failing apply with an inconsistent result.
func TestAccPresetResourceUnstableChart(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml": "apiVersion: v2\nname: random\nversion: 0.1.0\n",
		"templates/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pw\n" +
			"data:\n  password: {{ randAlphaNum 16 | b64enc | quote }}\n",
	})
	resource.Test(t, chartPlanError(dir, `(?s)Chart Renders Differently Each Time.*Secret/default/pw.*randAlphaNum`))
}

// TestPresetStrictPlanError: with strict, a template that reads a
// value nobody set fails the plan, as helm lint --strict; without, it
// renders empty.
func TestPresetStrictPlanError(t *testing.T) {
	dir := writeChart(t, map[string]string{
		"Chart.yaml":        "apiVersion: v2\nname: strict\nversion: 0.1.0\n",
		"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  x: \"{{ .Values.missing }}\"\n",
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("data \"kubedaemon_preset\" \"s\" {\n  preset = %q\n  strict = true\n}\n", dir),
			ExpectError: regexp.MustCompile(`(?s)Cannot Render Preset.*strict/templates/cm.yaml:6:\d+: map has no entry for key\s+"missing"`),
		}},
	})
}
