package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
)

// newDaemonRelease is what one built-in preset installs: with its defaults,
// and with its testdata's escape-hatches.values.yaml, which sets every
// escape hatch of the preset at once.
type newDaemonRelease struct {
	preset, release, namespace string
	// daemonSet and image are the DaemonSet's name and the image of its
	// first container with the defaults; hatchDaemonSet and hatchImage with
	// the escape hatches.
	daemonSet, image           string
	hatchDaemonSet, hatchImage string
	// inventory and hatchInventory are the release's objects, kind/name in
	// install order (namespaced objects are in namespace).
	inventory, hatchInventory []string
	// serviceAccount and hatchServiceAccount are the pods' accounts, and
	// access the requests each must be allowed, e.g. "patch nodes/status".
	serviceAccount, hatchServiceAccount string
	access                              []string
}

// clusterScopedKinds are the kinds of the new presets without a namespace.
var clusterScopedKinds = map[string]bool{"ClusterRole": true, "ClusterRoleBinding": true}

// keys turns kind/name pairs into inventory keys, kind/namespace/name.
func (r newDaemonRelease) keys(objects []string) []knownvalue.Check {
	var out []knownvalue.Check
	for _, o := range objects {
		kind, name, _ := strings.Cut(o, "/")
		ns := r.namespace
		if clusterScopedKinds[kind] {
			ns = ""
		}
		out = append(out, knownvalue.StringExact(kind+"/"+ns+"/"+name))
	}
	return out
}

// config is the release with the defaults, or with the escape hatches.
func (r newDaemonRelease) config(t *testing.T, hatches bool) string {
	t.Helper()
	values := ""
	if hatches {
		file, err := filepath.Abs(filepath.Join("..", "..", "templates", r.preset, "testdata", "escape-hatches.values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		values = fmt.Sprintf("values = [file(%q)]", file)
	}
	return fmt.Sprintf(`
resource "kubedaemon_preset" "daemon" {
  preset           = %q
  name             = %q
  namespace        = %q
  create_namespace = true
  %s
}
`, r.preset, r.release, r.namespace, values)
}

// testNewDaemon installs the release with its defaults, imports it, moves it
// to the escape hatches on a cluster that serves the Prometheus Operator's
// kinds (so its ServiceMonitor and PodMonitor are applied too), and destroys
// it. Each apply must converge on the 3 nodes and leave an empty plan.
func testNewDaemon(t *testing.T, r newDaemonRelease) {
	const addr = "kubedaemon_preset.daemon"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNewDaemonGone(r),
		Steps: []resource.TestStep{
			{
				Config: r.config(t, false),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkDaemonPods(r.namespace, r.daemonSet, r.release, r.image, 3),
					checkAccess(r.namespace, r.serviceAccount, r.access),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inventory"), knownvalue.ListExact(r.keys(r.inventory))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("daemonsets"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(r.namespace + "/" + r.daemonSet)})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateId:           r.namespace + "/" + r.release,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"preset", "values", "set", "manifest", "create_namespace"},
			},
			{
				PreConfig: func() { installMonitoringCRDs(t) },
				Config:    r.config(t, true),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkDaemonPods(r.namespace, r.hatchDaemonSet, r.release, r.hatchImage, 3),
					checkAccess(r.namespace, r.hatchServiceAccount, r.access),
					checkMonitors(r),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("inventory"), knownvalue.ListExact(r.keys(r.hatchInventory))),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccPresetNewDaemons_nodeProblemDetector(t *testing.T) {
	testNewDaemon(t, newDaemonRelease{
		preset:    "node-problem-detector",
		release:   "acc-npd",
		namespace: "acc-preset-npd",
		daemonSet: "acc-npd",
		image:     "registry.k8s.io/node-problem-detector/node-problem-detector:v1.36.0",
		inventory: []string{"ServiceAccount/acc-npd", "ConfigMap/acc-npd-custom-config", "ClusterRole/acc-npd", "ClusterRoleBinding/acc-npd",
			"DaemonSet/acc-npd"},
		hatchDaemonSet: "node-health",
		hatchImage: "mirror.example.com/k8s/node-problem-detector@" +
			"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		hatchInventory: []string{"ServiceAccount/npd-reporter", "ClusterRole/node-health", "ClusterRoleBinding/node-health",
			"Service/node-health", "DaemonSet/node-health", "PodMonitor/node-health", "ServiceMonitor/node-health"},
		serviceAccount:      "acc-npd",
		hatchServiceAccount: "npd-reporter",
		access:              []string{"get nodes", "patch nodes/status", "create events", "patch events"},
	})
}

func TestAccPresetNewDaemons_otelCollectorAgent(t *testing.T) {
	testNewDaemon(t, newDaemonRelease{
		preset:    "otel-collector-agent",
		release:   "acc-otel",
		namespace: "acc-preset-otel",
		daemonSet: "acc-otel",
		image:     "docker.io/otel/opentelemetry-collector-k8s:0.159.0",
		inventory: []string{"ServiceAccount/acc-otel", "ConfigMap/acc-otel", "ClusterRole/acc-otel", "ClusterRoleBinding/acc-otel",
			"Service/acc-otel", "DaemonSet/acc-otel"},
		hatchDaemonSet: "telemetry",
		hatchImage: "mirror.example.com/otel/opentelemetry-collector-k8s@" +
			"sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		hatchInventory: []string{"ServiceAccount/telemetry-agent", "ConfigMap/telemetry", "ClusterRole/telemetry",
			"ClusterRoleBinding/telemetry", "Service/telemetry", "DaemonSet/telemetry", "PodMonitor/telemetry", "ServiceMonitor/telemetry"},
		serviceAccount:      "acc-otel",
		hatchServiceAccount: "telemetry-agent",
		access: []string{"get pods", "list pods", "watch pods", "list namespaces", "watch namespaces", "get nodes", "watch nodes",
			"get replicasets.apps", "list replicasets.apps", "watch replicasets.apps"},
	})
}

// TestAccPresetNewDaemons_moduleNodeProblemDetector applies the module
// examples/modules/node-problem-detector with a custom plugin monitor of its
// own and the metrics Service.
func TestAccPresetNewDaemons_moduleNodeProblemDetector(t *testing.T) {
	const ns = "acc-mod-npd"
	cfg := moduleTestConfig(t, "node-problem-detector", fmt.Sprintf(`
  namespace              = %q
  name                   = "npd"
  custom_plugin_monitors = ["/custom-config/always-ok.json"]
  custom_monitors = {
    "always-ok.json" = jsonencode({
      plugin       = "custom"
      pluginConfig = { invoke_interval = "60s", timeout = "5s" }
      source       = "always-ok"
      conditions   = []
      rules        = [{ type = "temporary", reason = "Never", path = "/bin/true" }]
    })
  }
  service      = true
  metrics_port = 20457
`, ns), "desired", "ready", "updated", "service", "daemonset", "objects")
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("desired", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("ready", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("updated", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("daemonset", knownvalue.StringExact(ns+"/npd")),
		statecheck.ExpectKnownOutputValue("service", knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact("npd"), "namespace": knownvalue.StringExact(ns),
			"port": knownvalue.Int64Exact(20457), "endpoint": knownvalue.StringExact("npd." + ns + ".svc:20457"),
		})),
		statecheck.ExpectKnownOutputValue("objects", knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact("ServiceAccount/" + ns + "/npd"),
			knownvalue.StringExact("ConfigMap/" + ns + "/npd-custom-config"),
			knownvalue.StringExact("ClusterRole//npd"),
			knownvalue.StringExact("ClusterRoleBinding//npd"),
			knownvalue.StringExact("Service/" + ns + "/npd"),
			knownvalue.StringExact("DaemonSet/" + ns + "/npd"),
		})),
		clusterCheck(checkPodNodes(ns, "npd", "kwok-node-0", "kwok-node-1", "kwok-node-2")),
	}, checkPresetGone(ns, "npd"))
}

// TestAccPresetNewDaemons_moduleOtelAgent applies the module
// examples/modules/otel-agent sending to a gateway with a token from a
// Secret, on host ports of its own.
func TestAccPresetNewDaemons_moduleOtelAgent(t *testing.T) {
	const ns = "acc-mod-otel"
	cfg := moduleTestConfig(t, "otel-agent", fmt.Sprintf(`
  namespace         = %q
  otlp_endpoint     = "otel-gateway.observability.svc:4317"
  otlp_token_secret = "otlp-token"
  host_ports        = { grpc = 24317, http = 0 }
  pod_labels        = ["app.kubernetes.io/name"]
`, ns), "desired", "ready", "updated", "daemonset", "otlp_grpc_endpoint", "objects")
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("desired", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("ready", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("updated", knownvalue.Int64Exact(3)),
		statecheck.ExpectKnownOutputValue("daemonset", knownvalue.StringExact(ns+"/otel-agent")),
		statecheck.ExpectKnownOutputValue("otlp_grpc_endpoint", knownvalue.StringExact("otel-agent."+ns+".svc:4317")),
		statecheck.ExpectKnownOutputValue("objects", knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact("ServiceAccount/" + ns + "/otel-agent"),
			knownvalue.StringExact("ConfigMap/" + ns + "/otel-agent"),
			knownvalue.StringExact("ClusterRole//otel-agent"),
			knownvalue.StringExact("ClusterRoleBinding//otel-agent"),
			knownvalue.StringExact("Service/" + ns + "/otel-agent"),
			knownvalue.StringExact("DaemonSet/" + ns + "/otel-agent"),
		})),
		clusterCheck(checkPodNodes(ns, "otel-agent", "kwok-node-0", "kwok-node-1", "kwok-node-2")),
		clusterCheck(checkOtelAgentConfig(ns, "otel-agent")),
	}, checkPresetGone(ns, "otel-agent"))
}

// checkOtelAgentConfig wants the module's agent to send to the gateway with
// the token from its Secret, and its pods to listen on host port 24317 only.
func checkOtelAgentConfig(ns, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cfg := cm.Data["config.yaml"]
		for _, want := range []string{"endpoint: otel-gateway.observability.svc:4317", "authorization: Bearer ${env:OTLP_TOKEN}",
			"tag_name: k8s.pod.labels.app.kubernetes.io/name"} {
			if !strings.Contains(cfg, want) {
				return fmt.Errorf("ConfigMap %s/%s config.yaml lacks %q:\n%s", ns, name, want, cfg)
			}
		}
		ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		c := ds.Spec.Template.Spec.Containers[0]
		var hostPorts []int32
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				hostPorts = append(hostPorts, p.HostPort)
			}
		}
		if len(hostPorts) != 1 || hostPorts[0] != 24317 {
			return fmt.Errorf("host ports %v, want [24317]", hostPorts)
		}
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name != "otlp-token" {
			return fmt.Errorf("envFrom %+v, want the Secret otlp-token", c.EnvFrom)
		}
		return nil
	}
}

// checkAccess asks the API server whether service account ns/sa may do each
// request, "verb resource[/subresource]", cluster-wide: the preset's RBAC
// must grant what the daemon needs.
func checkAccess(ns, sa string, requests []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		user := "system:serviceaccount:" + ns + ":" + sa
		for _, req := range requests {
			verb, res, _ := strings.Cut(req, " ")
			res, sub, _ := strings.Cut(res, "/")
			group := ""
			if g, r, ok := strings.Cut(res, "."); ok {
				res, group = g, r
			}
			review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User:   user,
				Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns},
				ResourceAttributes: &authorizationv1.ResourceAttributes{
					Verb: verb, Group: group, Resource: res, Subresource: sub,
				},
			}}
			got, err := testCluster.Client().AuthorizationV1().SubjectAccessReviews().Create(context.Background(), review, metav1.CreateOptions{})
			if err != nil {
				return fmt.Errorf("access review %q for %s: %w", req, user, err)
			}
			if !got.Status.Allowed {
				return fmt.Errorf("%s may not %s (%s)", user, req, got.Status.Reason)
			}
		}
		return nil
	}
}

// Prometheus Operator kinds the presets render when the cluster serves them.
var (
	serviceMonitors = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "servicemonitors"}
	podMonitors     = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"}
	crdResource     = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// monitoringCRD is a CustomResourceDefinition of a Prometheus Operator kind
// that accepts any spec: the test needs the kind served, not validated.
func monitoringCRD(kind, plural string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": plural + ".monitoring.coreos.com"},
		"spec": map[string]any{
			"group": "monitoring.coreos.com",
			"scope": "Namespaced",
			"names": map[string]any{
				"kind": kind, "listKind": kind + "List", "plural": plural, "singular": strings.ToLower(kind),
			},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
}

func testDynamic(t *testing.T) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(testCluster.RESTConfig)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// installMonitoringCRDs makes the cluster serve ServiceMonitor and PodMonitor
// until the test ends, and waits until discovery lists both, since the
// provider reads .Capabilities from discovery.
func installMonitoringCRDs(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	dyn := testDynamic(t)
	for _, crd := range []*unstructured.Unstructured{monitoringCRD("ServiceMonitor", "servicemonitors"), monitoringCRD("PodMonitor", "podmonitors")} {
		_, err := dyn.Resource(crdResource).Apply(ctx, crd.GetName(), crd, metav1.ApplyOptions{FieldManager: "kubedaemon-acc-test"})
		if err != nil {
			t.Fatalf("install CRD %s: %v", crd.GetName(), err)
		}
		name := crd.GetName()
		t.Cleanup(func() {
			err := testDynamic(t).Resource(crdResource).Delete(context.Background(), name, metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("delete CRD %s: %v", name, err)
			}
		})
	}
	served := func(ctx context.Context) (bool, error) {
		list, err := testCluster.Client().Discovery().ServerResourcesForGroupVersion("monitoring.coreos.com/v1")
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		kinds := map[string]bool{}
		for _, r := range list.APIResources {
			kinds[r.Kind] = true
		}
		return kinds["ServiceMonitor"] && kinds["PodMonitor"], nil
	}
	// NOTE: discovery has no watch; the CRDs are served within a second or
	// two of being created.
	if err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, time.Minute, true, served); err != nil {
		t.Fatalf("the monitoring CRDs are not served: %v", err)
	}
}

// checkMonitors wants the release's ServiceMonitor and PodMonitor in the
// cluster, marked with its inventory.
func checkMonitors(r newDaemonRelease) resource.TestCheckFunc {
	return func(*terraform.State) error {
		dyn, err := dynamic.NewForConfig(testCluster.RESTConfig)
		if err != nil {
			return err
		}
		for _, gvr := range []schema.GroupVersionResource{serviceMonitors, podMonitors} {
			m, err := dyn.Resource(gvr).Namespace(r.namespace).Get(context.Background(), r.hatchDaemonSet, metav1.GetOptions{})
			if err != nil {
				return fmt.Errorf("%s %s/%s: %w", gvr.Resource, r.namespace, r.hatchDaemonSet, err)
			}
			if got := m.GetAnnotations()[presetInventoryAnnotation]; got != r.namespace+"/"+r.release {
				return fmt.Errorf("%s %s/%s: inventory annotation %q", gvr.Resource, r.namespace, r.hatchDaemonSet, got)
			}
		}
		return nil
	}
}

// checkNewDaemonGone wants the DaemonSets of both renders, their pods and
// the cluster-wide RBAC objects gone after destroy.
func checkNewDaemonGone(r newDaemonRelease) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		var left []string
		for _, name := range []string{r.daemonSet, r.hatchDaemonSet} {
			if _, err := cs.AppsV1().DaemonSets(r.namespace).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				left = append(left, fmt.Sprintf("DaemonSet %s (get: %v)", name, err))
			}
		}
		for _, o := range append(append([]string(nil), r.inventory...), r.hatchInventory...) {
			kind, name, _ := strings.Cut(o, "/")
			var err error
			switch kind {
			case "ClusterRole":
				_, err = cs.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{})
			case "ClusterRoleBinding":
				_, err = cs.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{})
			case "ServiceAccount":
				_, err = cs.CoreV1().ServiceAccounts(r.namespace).Get(ctx, name, metav1.GetOptions{})
			default:
				continue
			}
			if !apierrors.IsNotFound(err) {
				left = append(left, fmt.Sprintf("%s %s (get: %v)", kind, name, err))
			}
		}
		pods, err := cs.CoreV1().Pods(r.namespace).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + r.release})
		if err != nil {
			return err
		}
		if len(pods.Items) > 0 {
			left = append(left, fmt.Sprintf("%d pods", len(pods.Items)))
		}
		if len(left) > 0 {
			return fmt.Errorf("destroy left in %s: %s", r.namespace, strings.Join(left, ", "))
		}
		return nil
	}
}
