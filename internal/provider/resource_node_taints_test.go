package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

var (
	foreignTaint = corev1.Taint{Key: "team", Value: "infra", Effect: corev1.TaintEffectPreferNoSchedule}
	cordonTaint  = corev1.Taint{Key: "node.kubernetes.io/unschedulable", Effect: corev1.TaintEffectNoSchedule}
)

// checkNodeTaints asserts that each node has the wanted taints (with
// values) and lacks the unwanted ones (by key and effect).
func checkNodeTaints(node string, want []corev1.Taint, unwanted ...corev1.Taint) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n, err := testCluster.Client().CoreV1().Nodes().Get(context.Background(), node, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, w := range want {
			if !hasTaint(n.Spec.Taints, &w) {
				return fmt.Errorf("node %s: taint %s missing; taints are %v", node, k8s.TaintString(&w), n.Spec.Taints)
			}
		}
		for _, u := range unwanted {
			for _, t := range n.Spec.Taints {
				if t.Key == u.Key && t.Effect == u.Effect {
					return fmt.Errorf("node %s: taint %s should be gone", node, k8s.TaintString(&t))
				}
			}
		}
		return nil
	}
}

func taintsConfig(tolerate bool, extra string) string {
	toleration := ""
	if tolerate {
		toleration = `
  toleration {
    key      = "dedicated"
    operator = "Equal"
    value    = "gpu"
    effect   = "NoSchedule"
  }`
	}
	return fmt.Sprintf(`
resource "kubedaemon_node_taints" "gpu" {
  node_name = "acc-tnt-0"
  taint {
    key    = "dedicated"
    value  = "gpu"
    effect = "NoSchedule"
  }
}

data "kubedaemon_placement" "agent" {
  node_selector = { "acc-tnt" = "yes" }
%[1]s
  depends_on = [kubedaemon_node_taints.gpu]
}
%[2]s
`, toleration, extra)
}

func TestAccNodeTaintsResource(t *testing.T) {
	testClusterKubeconfig(t)
	ctx := context.Background()
	cs := testCluster.Client()
	nodes := []string{"acc-tnt-0", "acc-tnt-1"}
	if err := testCluster.AddNodes(ctx, nodes, map[string]string{"acc-tnt": "yes"}, []corev1.Taint{foreignTaint}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), nodes...) })
	// Cordon acc-tnt-0: the node lifecycle controller adds its
	// node.kubernetes.io/unschedulable taint, which must survive, and
	// daemons still run there.
	clustertest.UpdateNode(t, testCluster, "acc-tnt-0", "kubectl-cordon", func(n *corev1.Node) { n.Spec.Unschedulable = true })
	if err := checkNodeTaintsEventually("acc-tnt-0", cordonTaint); err != nil {
		t.Fatal(err)
	}
	// The agent exists before the taint; a second DaemonSet created after
	// the taint shows that the taint keeps new daemons off.
	createTestDaemonSet(t, "acc-taints", "agent", corev1.PodSpec{NodeSelector: map[string]string{"acc-tnt": "yes"}})
	if err := waitDaemonPods("acc-taints", "agent", nodes...)(nil); err != nil {
		t.Fatal(err)
	}
	victim := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "victim", Namespace: "acc-taints"},
		Spec: corev1.PodSpec{
			NodeName:   "acc-tnt-1",
			Containers: []corev1.Container{{Name: "app", Image: "example.com/app:1"}},
		},
	}
	if _, err := cs.CoreV1().Pods("acc-taints").Create(ctx, victim, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	gpu := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	evict := corev1.Taint{Key: "evict", Value: "now", Effect: corev1.TaintEffectNoExecute}
	const evictTaint = `
resource "kubedaemon_node_taints" "evict" {
  node_name = "acc-tnt-1"
  taint {
    key    = "evict"
    value  = "now"
    effect = "NoExecute"
  }
}`
	var warned string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: taintsConfig(false, ""),
				Check: resource.ComposeTestCheckFunc(
					checkNodeTaints("acc-tnt-0", []corev1.Taint{gpu, foreignTaint, cordonTaint}),
					checkNodeTaints("acc-tnt-1", []corev1.Taint{foreignTaint}, gpu),
					resource.TestCheckResourceAttrWith("kubedaemon_node_taints.gpu", "id", func(id string) error {
						n, err := cs.CoreV1().Nodes().Get(ctx, "acc-tnt-0", metav1.GetOptions{})
						if err != nil {
							return err
						}
						if got := n.Annotations[k8s.TaintOwnerAnnotation(id)]; got != `["dedicated:NoSchedule"]` {
							return fmt.Errorf("owner annotation is %q", got)
						}
						return nil
					}),
					// Desired drops to 1: a fresh DaemonSet gets no pod on the
					// tainted node (the old one keeps its running pod, as the
					// DaemonSet controller lets tolerated-NoExecute pods stay).
					func(*terraform.State) error {
						createTestDaemonSetInNamespace(t, "acc-taints", "late-agent", corev1.PodSpec{NodeSelector: map[string]string{"acc-tnt": "yes"}})
						return waitDaemonPods("acc-taints", "late-agent", "acc-tnt-1")(nil)
					},
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("nodes"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("acc-tnt-1")})),
					// Sorted by node: acc-tnt-0 first, then the shared nodes,
					// which lack the acc-tnt label.
					statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("excluded"),
						knownvalue.ListPartial(map[int]knownvalue.Check{
							0: knownvalue.ObjectExact(map[string]knownvalue.Check{
								"node":   knownvalue.StringExact("acc-tnt-0"),
								"reason": knownvalue.StringExact("untolerated taint dedicated=gpu:NoSchedule"),
								"kind":   knownvalue.StringExact("taint"),
							}),
							1: knownvalue.ObjectPartial(map[string]knownvalue.Check{
								"node":   knownvalue.StringExact("kwok-node-0"),
								"reason": knownvalue.StringExact("label acc-tnt=yes not matched (node has no acc-tnt label)"),
							}),
						})),
				},
			},
			{
				// Import finds the instance that owns the taint by its annotation.
				ResourceName:      "kubedaemon_node_taints.gpu",
				ImportState:       true,
				ImportStateId:     "acc-tnt-0:dedicated:NoSchedule",
				ImportStateVerify: true,
			},
			{
				// The toleration brings the daemon back to the tainted node.
				PreConfig: func() { addGPUToleration(t, "acc-taints", "late-agent") },
				Config:    taintsConfig(true, ""),
				Check:     waitDaemonPods("acc-taints", "late-agent", nodes...),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("nodes"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("acc-tnt-0"), knownvalue.StringExact("acc-tnt-1")})),
					statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("excluded"),
						knownvalue.ListPartial(map[int]knownvalue.Check{
							0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"node": knownvalue.StringExact("kwok-node-0")}),
						})),
				},
			},
			{
				// A taint another client put there is a conflict.
				Config: taintsConfig(true, `
resource "kubedaemon_node_taints" "team" {
  node_name = "acc-tnt-1"
  taint {
    key    = "team"
    value  = "platform"
    effect = "PreferNoSchedule"
  }
}`),
				ExpectError: regexp.MustCompile(`(?s)Taint Conflict.*acc-tnt-1\s+already\s+has\s+the\s+taint\s+team:PreferNoSchedule\s+with\s+value\s+"infra"`),
			},
			{
				// NoExecute: the real `terraform plan` names the pods it
				// evicts, and they go.
				PreConfig: func() {
					for _, d := range terraformPlan(t, evictTaint) {
						if d.Severity == "warning" && d.Address == "kubedaemon_node_taints.evict" {
							warned += d.Summary + ": " + d.Detail
						}
					}
				},
				Config: taintsConfig(true, evictTaint),
				Check: resource.ComposeTestCheckFunc(
					func(*terraform.State) error {
						for _, want := range []string{"NoExecute Taint Evicts Pods", "acc-taints/victim", "(DaemonSet agent)", "(DaemonSet late-agent)"} {
							if !strings.Contains(warned, want) {
								return fmt.Errorf("plan warning %q does not name %q", warned, want)
							}
						}
						return nil
					},
					waitPodGone("acc-taints", "victim"),
					waitDaemonPods("acc-taints", "late-agent", "acc-tnt-0"),
					checkNodeTaints("acc-tnt-1", []corev1.Taint{evict, foreignTaint}),
				),
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkNodeTaints("acc-tnt-0", []corev1.Taint{foreignTaint, cordonTaint}, gpu),
			checkNodeTaints("acc-tnt-1", []corev1.Taint{foreignTaint}, evict),
			func(*terraform.State) error {
				n, err := cs.CoreV1().Nodes().Get(ctx, "acc-tnt-0", metav1.GetOptions{})
				if err != nil {
					return err
				}
				for k := range n.Annotations {
					if strings.HasPrefix(k, k8s.TaintOwnerAnnotationPrefix) {
						return fmt.Errorf("owner annotation %s left behind", k)
					}
				}
				return nil
			},
		),
	})
}

func checkNodeTaintsEventually(node string, want ...corev1.Taint) error {
	return eventually(checkNodeTaints(node, want))
}

func createTestDaemonSetInNamespace(t *testing.T, namespace, name string, spec corev1.PodSpec) {
	t.Helper()
	spec.Containers = []corev1.Container{{Name: "agent", Image: "example.com/agent:1"}}
	labels := map[string]string{"app": name}
	_, err := testCluster.Client().AppsV1().DaemonSets(namespace).Create(context.Background(), daemonSetObject(name, labels, spec), metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func addGPUToleration(t *testing.T, namespace, name string) {
	t.Helper()
	clustertest.UpdateDaemonSet(t, testCluster, namespace, name, "", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{
			Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "gpu", Effect: corev1.TaintEffectNoSchedule,
		}}
	})
}

func waitPodGone(namespace, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		return wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := testCluster.Client().CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return true, nil
			}
			return false, err
		})
	}
}

func TestNodeTaintsValidation(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
resource "kubedaemon_node_taints" "bad" {
  node_name = "n1"
  taint {
    key    = "node.kubernetes.io/not-ready"
    effect = "NoSchedule"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)System Taint Key.*node\s+lifecycle\s+controller`),
			},
			{
				Config: `
resource "kubedaemon_node_taints" "bad" {
  node_name = "n1"
  taint {
    key    = "dedicated"
    effect = "NoEvict"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)taint\[0\]\.effect value must be one of:\s+\["NoSchedule"\s+"PreferNoSchedule"\s+"NoExecute"\]`),
			},
			{
				Config: `
resource "kubedaemon_node_taints" "bad" {
  node_name = "n1"
  taint {
    key    = "dedicated"
    value  = "a"
    effect = "NoSchedule"
  }
  taint {
    key    = "dedicated"
    value  = "b"
    effect = "NoSchedule"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Duplicate Taint`),
			},
		},
	})
}

func TestAccNodeTaintsResourceNodeSelector(t *testing.T) {
	testClusterKubeconfig(t)
	ctx := context.Background()
	pool := map[string]string{"acc-tsel": "yes"}
	all := []string{"acc-tsel-0", "acc-tsel-1", "acc-tsel-2"}
	addNodes := func(names ...string) {
		if err := testCluster.AddNodes(ctx, names, pool, []corev1.Taint{foreignTaint}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), names...) })
	}
	addNodes(all[:2]...)
	batch := corev1.Taint{Key: "example.com/pool", Value: "batch", Effect: corev1.TaintEffectNoSchedule}
	checkAll := func(nodes []string, want []corev1.Taint, unwanted ...corev1.Taint) resource.TestCheckFunc {
		var checks []resource.TestCheckFunc
		for _, n := range nodes {
			checks = append(checks, checkNodeTaints(n, want, unwanted...))
		}
		return resource.ComposeTestCheckFunc(checks...)
	}
	const config = `
resource "kubedaemon_node_taints" "pool" {
  node_selector = { "acc-tsel" = "yes" }
  taint {
    key    = "example.com/pool"
    value  = "batch"
    effect = "NoSchedule"
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					checkAll(all[:2], []corev1.Taint{batch, foreignTaint}),
					checkNodeTaints("kwok-node-0", nil, batch),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_node_taints.pool", tfjsonpath.New("nodes"), nodeList(all[:2]...)),
				},
			},
			{
				// A node that joins and matches is a change in the next plan.
				PreConfig:          func() { addNodes(all[2]) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_node_taints.pool", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("kubedaemon_node_taints.pool", tfjsonpath.New("nodes"), nodeList(all...)),
					},
				},
				Check: checkAll(all, []corev1.Taint{batch, foreignTaint}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_node_taints.pool", tfjsonpath.New("nodes"), nodeList(all...)),
				},
			},
			{
				Config:   config,
				PlanOnly: true,
			},
		},
		// Destroy removes only this resource's taint, and its owner
		// annotation, from every node.
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkAll(all, []corev1.Taint{foreignTaint}, batch),
			func(*terraform.State) error {
				for _, name := range all {
					n, err := testCluster.Client().CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
					if err != nil {
						return err
					}
					for k := range n.Annotations {
						if strings.HasPrefix(k, k8s.TaintOwnerAnnotationPrefix) {
							return fmt.Errorf("node %s: owner annotation %s left behind", name, k)
						}
					}
				}
				return nil
			},
		),
	})
}

func TestAccNodeTaintsResourceNodeNotFound(t *testing.T) {
	testClusterKubeconfig(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
resource "kubedaemon_node_taints" "missing" {
  node_name = "acc-no-such-node"
  taint {
    key    = "dedicated"
    effect = "NoSchedule"
  }
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Node Not Found.*The cluster has no node "acc-no-such-node"\.\s+Check\s+the\s+name`),
		}},
	})
}

// TestAccNodeTaints_dynamicBlockUnknownAtPlan: taint blocks written by a
// dynamic block whose for_each is known only at apply time (here from
// terraform_data) plan, apply and destroy like literal blocks.
func TestAccNodeTaints_dynamicBlockUnknownAtPlan(t *testing.T) {
	ctx := context.Background()
	const node = "acc-tnt-dyn"
	if err := testCluster.AddNodes(ctx, []string{node}, nil, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), node) })
	dedicated := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodeTaints(node, nil, dedicated),
		Steps: []resource.TestStep{{
			Config: `
resource "terraform_data" "taints" {
  input = { dedicated = "gpu" }
}

resource "kubedaemon_node_taints" "dyn" {
  node_name = "` + node + `"
  dynamic "taint" {
    for_each = terraform_data.taints.output
    content {
      key    = taint.key
      value  = taint.value
      effect = "NoSchedule"
    }
  }
}
`,
			Check: checkNodeTaints(node, []corev1.Taint{dedicated}),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("kubedaemon_node_taints.dyn", tfjsonpath.New("taint"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"key": knownvalue.StringExact("dedicated"), "value": knownvalue.StringExact("gpu"), "effect": knownvalue.StringExact("NoSchedule"),
					}),
				})),
			},
		}},
	})
}

func TestParseTaintsImportID(t *testing.T) {
	tests := []struct {
		id       string
		wantNode string
		want     []k8s.TaintID
	}{
		{id: "worker-0:dedicated:NoSchedule", wantNode: "worker-0", want: []k8s.TaintID{{Key: "dedicated", Effect: "NoSchedule"}}},
		{
			id: "worker-0:example.com/pool:NoExecute,dedicated:PreferNoSchedule", wantNode: "worker-0",
			want: []k8s.TaintID{{Key: "example.com/pool", Effect: "NoExecute"}, {Key: "dedicated", Effect: "PreferNoSchedule"}},
		},
		{id: "worker-0"},
		{id: "worker-0:dedicated"},
		{id: "worker-0:dedicated:NoEvict"},
		{id: ":dedicated:NoSchedule"},
		{id: "worker-0:dedicated:NoSchedule,"},
		{id: "worker-0::NoSchedule"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			node, ids, ok := parseTaintsImportID(tt.id)
			if ok != (tt.wantNode != "") {
				t.Fatalf("ok = %v", ok)
			}
			if node != tt.wantNode {
				t.Errorf("node = %q, want %q", node, tt.wantNode)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("taints (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTaintsImportOwner(t *testing.T) {
	node := func(annotations map[string]string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Annotations: annotations}}
	}
	ids := []k8s.TaintID{{Key: "dedicated", Effect: "NoSchedule"}, {Key: "gpu", Effect: "NoExecute"}}
	tests := []struct {
		name    string
		node    *corev1.Node
		want    string
		wantErr string
	}{
		{name: "no instance claims them: adopt", node: node(nil)},
		{
			name: "one instance claims them all: a lost state",
			node: node(map[string]string{"kubedaemon.dev/taints.abc": `["dedicated:NoSchedule","gpu:NoExecute","x:NoSchedule"]`}),
			want: "abc",
		},
		{
			name:    "another instance claims one",
			node:    node(map[string]string{"kubedaemon.dev/taints.abc": `["gpu:NoExecute"]`}),
			wantErr: `The taint gpu:NoExecute on node n1 belongs to the kubedaemon_node_taints instance "abc", and a taint has one owner.`,
		},
	}
	r := &nodeTaintsResource{nodeTarget: taintsTarget}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			if got := r.importOwner(tt.node, ids, &diags); got != tt.want {
				t.Errorf("owner = %q, want %q", got, tt.want)
			}
			var got string
			if diags.HasError() {
				got = diags[0].Detail()
			}
			if !strings.HasPrefix(got, tt.wantErr) || (tt.wantErr == "") != (got == "") {
				t.Errorf("error\n got: %s\nwant: %s...", got, tt.wantErr)
			}
		})
	}
}

// noOwnerAnnotation checks that no kubedaemon taint owner annotation is left
// on node.
func noOwnerAnnotation(node string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n, err := testCluster.Client().CoreV1().Nodes().Get(context.Background(), node, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for k := range n.Annotations {
			if strings.HasPrefix(k, k8s.TaintOwnerAnnotationPrefix) {
				return fmt.Errorf("node %s: owner annotation %s left behind", node, k)
			}
		}
		return nil
	}
}

// TestAccNodeTaintsResourceImport: import adopts a taint that kubectl put
// on a node; a second instance that wants it then conflicts with the first
// by name; destroy removes the adopted taint.
func TestAccNodeTaintsResourceImport(t *testing.T) {
	testClusterKubeconfig(t)
	const node = "acc-timp-0"
	if err := testCluster.AddNodes(context.Background(), []string{node}, nil, []corev1.Taint{foreignTaint}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), node) })
	const adopt = `
resource "kubedaemon_node_taints" "team" {
  node_name = "acc-timp-0"
  taint {
    key    = "team"
    value  = "infra"
    effect = "PreferNoSchedule"
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:        adopt,
				ResourceName:  "kubedaemon_node_taints.team",
				ImportState:   true,
				ImportStateId: "acc-timp-0:team:NoSchedule",
				ExpectError: regexp.MustCompile(`(?s)Taint Not Found.*Node acc-timp-0 has no taint team:NoSchedule.*` +
					`Remove\s+it\s+from\s+the\s+import\s+ID`),
			},
			{
				Config:        adopt,
				ResourceName:  "kubedaemon_node_taints.team",
				ImportState:   true,
				ImportStateId: "acc-timp-0:team",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*"acc-timp-0:team" is not NODE:KEY:EFFECT,KEY:EFFECT`),
			},
			{
				Config:             adopt,
				ResourceName:       "kubedaemon_node_taints.team",
				ImportState:        true,
				ImportStateId:      "acc-timp-0:team:PreferNoSchedule",
				ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(states[0].ID) {
						return fmt.Errorf("imported %v, want one instance with a new id", states)
					}
					n, err := testCluster.Client().CoreV1().Nodes().Get(context.Background(), node, metav1.GetOptions{})
					if err != nil {
						return err
					}
					if got := n.Annotations[k8s.TaintOwnerAnnotation(states[0].ID)]; got != `["team:PreferNoSchedule"]` {
						return fmt.Errorf("owner annotation is %q", got)
					}
					return nil
				},
			},
			{
				// The imported state is the configuration: nothing to do.
				Config:   adopt,
				PlanOnly: true,
			},
			{
				// Another instance names the owner and does not suggest
				// kubectl, which would remove the first instance's taint.
				Config: adopt + `
resource "kubedaemon_node_taints" "thief" {
  node_name = "acc-timp-0"
  taint {
    key    = "team"
    value  = "platform"
    effect = "PreferNoSchedule"
  }
}
`,
				ExpectError: regexp.MustCompile(`(?s)Taint Conflict.*put\s+there\s+by\s+the\s+kubedaemon_node_taints\s+instance\s+"[0-9a-f]{16}".*` +
					`Remove\s+it\s+from\s+this\s+resource,\s+remove\s+it\s+from\s+the\s+other\s+kubedaemon_node_taints\s+instance\s+\(one\s+taint\s+has\s+one\s+owner\),\s+or\s+set`),
			},
		},
		// Adopted, so destroy removes it.
		CheckDestroy: resource.ComposeTestCheckFunc(checkNodeTaints(node, nil, foreignTaint), noOwnerAnnotation(node)),
	})
}

// TestAccNodeTaintsResourcePartialFailure: a taint that another client put
// on one of three nodes fails the create there, and the create takes its
// taint off the other two again; an update that fails on that node keeps it
// in the state, so the next apply and the destroy finish the job.
func TestAccNodeTaintsResourcePartialFailure(t *testing.T) {
	testClusterKubeconfig(t)
	ctx := context.Background()
	nodes := []string{"acc-tpart-0", "acc-tpart-1", "acc-tpart-2"}
	if err := testCluster.AddNodes(ctx, nodes, map[string]string{"acc-tpart": "yes"}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), nodes...) })
	blocker := corev1.Taint{Key: "example.com/tier", Value: "gold", Effect: corev1.TaintEffectNoSchedule}
	setBlocker := func(on bool) {
		clustertest.UpdateNode(t, testCluster, nodes[1], "", func(n *corev1.Node) {
			n.Spec.Taints = slices.DeleteFunc(n.Spec.Taints, func(t corev1.Taint) bool { return t.Key == blocker.Key })
			if on {
				n.Spec.Taints = append(n.Spec.Taints, blocker)
			}
		})
	}
	setBlocker(true)
	tier := corev1.Taint{Key: "example.com/tier", Value: "silver", Effect: corev1.TaintEffectNoSchedule}
	zone := corev1.Taint{Key: "example.com/zone", Value: "a", Effect: corev1.TaintEffectPreferNoSchedule}
	config := func(taints ...corev1.Taint) string {
		blocks := ""
		for _, t := range taints {
			blocks += fmt.Sprintf("  taint {\n    key    = %q\n    value  = %q\n    effect = %q\n  }\n", t.Key, t.Value, t.Effect)
		}
		return "resource \"kubedaemon_node_taints\" \"pool\" {\n  node_selector = { \"acc-tpart\" = \"yes\" }\n" + blocks + "}\n"
	}
	conflict := regexp.MustCompile(`(?s)Taint Conflict.*Node\s+acc-tpart-1\s+already\s+has\s+the\s+taint\s+example.com/tier:NoSchedule`)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(tier), ExpectError: conflict},
			{
				// The failed create left nothing on the other nodes.
				PreConfig: func() {
					for _, n := range []string{nodes[0], nodes[2]} {
						if err := checkNodeTaints(n, nil, tier)(nil); err != nil {
							t.Fatal(err)
						}
						if err := noOwnerAnnotation(n)(nil); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: config(zone),
				Check: resource.ComposeTestCheckFunc(
					checkNodeTaints(nodes[0], []corev1.Taint{zone}), checkNodeTaints(nodes[1], []corev1.Taint{zone, blocker}),
					checkNodeTaints(nodes[2], []corev1.Taint{zone})),
			},
			{Config: config(zone, tier), ExpectError: conflict},
			{
				// The update applied where it could; once the other client's
				// taint is gone, the next apply finishes it.
				PreConfig: func() {
					for _, n := range []string{nodes[0], nodes[2]} {
						if err := checkNodeTaints(n, []corev1.Taint{zone, tier})(nil); err != nil {
							t.Fatal(err)
						}
					}
					setBlocker(false)
				},
				Config: config(zone, tier),
				Check: resource.ComposeTestCheckFunc(
					checkNodeTaints(nodes[0], []corev1.Taint{zone, tier}), checkNodeTaints(nodes[1], []corev1.Taint{zone, tier}),
					checkNodeTaints(nodes[2], []corev1.Taint{zone, tier})),
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkNodeTaints(nodes[0], nil, zone, tier), checkNodeTaints(nodes[1], nil, zone, tier),
			checkNodeTaints(nodes[2], nil, zone, tier),
			noOwnerAnnotation(nodes[0]), noOwnerAnnotation(nodes[1]), noOwnerAnnotation(nodes[2])),
	})
}

// TestListPodsOn: a few nodes are one pod listing each (by spec.nodeName),
// more are one paged listing of every pod.
func TestListPodsOn(t *testing.T) {
	for _, tt := range []struct {
		nodes, wantLists int
	}{
		{nodes: 1, wantLists: 1},
		{nodes: maxPodLists, wantLists: maxPodLists},
		{nodes: maxPodLists + 1, wantLists: 1},
		{nodes: 5000, wantLists: 1},
	} {
		t.Run(fmt.Sprint(tt.nodes), func(t *testing.T) {
			on := map[string][]int{}
			for i := range tt.nodes {
				on[fmt.Sprintf("n%d", i)] = []int{0}
			}
			cs := fake.NewClientset(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "a"}, Spec: corev1.PodSpec{NodeName: "n0"}})
			if err := listPodsOn(context.Background(), cs, on, func(*corev1.Pod) error { return nil }); err != nil {
				t.Fatal(err)
			}
			lists := 0
			for _, a := range cs.Actions() {
				if a.GetVerb() == "list" {
					lists++
				}
				if sel := a.(k8stesting.ListAction).GetListRestrictions().Fields.String(); !strings.Contains(sel, "status.phase!=Succeeded") {
					t.Errorf("field selector %q does not leave finished pods out", sel)
				}
			}
			if lists != tt.wantLists {
				t.Errorf("%d pod listings, want %d", lists, tt.wantLists)
			}
		})
	}
}

func TestAddEvictionWarnings(t *testing.T) {
	byNode := map[string][]string{}
	for i := range 13 {
		byNode[fmt.Sprintf("n%02d", i)] = []string{"ns/b", "ns/a"}
	}
	var diags diag.Diagnostics
	taint := corev1.Taint{Key: "evict", Value: "now", Effect: corev1.TaintEffectNoExecute}
	addEvictionWarnings(&diags, 0, &taint, byNode)
	if len(diags) != maxNodeDiagnostics+1 {
		t.Fatalf("%d warnings, want %d", len(diags), maxNodeDiagnostics+1)
	}
	if got, want := diags[0].Detail(), "The taint evict=now:NoExecute on node n00 evicts these running pods, which do not tolerate it: ns/a, ns/b."; !strings.HasPrefix(got, want) {
		t.Errorf("first warning\n got: %s\nwant: %s ...", got, want)
	}
	if got, want := diags[maxNodeDiagnostics].Detail(), "And on 3 more nodes (n10, ...), the taint evict=now:NoExecute evicts 6 more running pods that do not tolerate it."; got != want {
		t.Errorf("last warning\n got: %s\nwant: %s", got, want)
	}
}
