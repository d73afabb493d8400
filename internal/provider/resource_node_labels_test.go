package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// The labels test's own nodes: the seeds' one prod and two dev nodes.
var labelNodes = []string{"acc-lbl-0", "acc-lbl-1", "acc-lbl-2"}

// foreignLabels are set on every test node beforehand by two other clients:
// an apply by another team's tool and a kubectl-label style update.
var foreignLabels = map[string]string{"team": "infra", "owner": "ops"}

func addForeignLabelledNodes(t *testing.T, names []string, extra map[string]string) {
	t.Helper()
	ctx := context.Background()
	if err := testCluster.AddNodes(ctx, names, extra, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), names...) })
	nodes := testCluster.Client().CoreV1().Nodes()
	for _, n := range names {
		if _, err := nodes.Apply(ctx, applycorev1.Node(n).WithLabels(map[string]string{"team": "infra"}),
			metav1.ApplyOptions{FieldManager: "other-team", Force: true}); err != nil {
			t.Fatal(err)
		}
		clustertest.UpdateNode(t, testCluster, n, "kubectl-label", func(node *corev1.Node) { node.Labels["owner"] = "ops" })
	}
}

// checkNodeLabels asserts the labels of each node: a value, or "" for absent.
func checkNodeLabels(want map[string]map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for node, labels := range want {
			n, err := testCluster.Client().CoreV1().Nodes().Get(context.Background(), node, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for k, v := range labels {
				got, ok := n.Labels[k]
				switch {
				case v == "" && ok:
					return fmt.Errorf("node %s: label %s=%s should be gone", node, k, got)
				case v != "" && got != v:
					return fmt.Errorf("node %s: label %s is %q (present %v), want %q", node, k, got, ok, v)
				}
			}
		}
		return nil
	}
}

// checkNoLabelsManager asserts that no kubedaemon_node_labels field manager
// is in the nodes' managedFields.
func checkNoLabelsManager(nodes ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, node := range nodes {
			n, err := testCluster.Client().CoreV1().Nodes().Get(context.Background(), node, metav1.GetOptions{})
			if err != nil {
				return err
			}
			for _, mf := range n.ManagedFields {
				if strings.HasPrefix(mf.Manager, k8s.LabelsFieldManagerPrefix) {
					return fmt.Errorf("node %s: field manager %s is left (%s)", node, mf.Manager, mf.FieldsV1)
				}
			}
		}
		return nil
	}
}

func withForeign(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range foreignLabels {
		out[k] = v
	}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// waitDaemonPods waits until the DaemonSet's pods run on exactly nodes and
// its status counts them.
func waitDaemonPods(namespace, name string, nodes ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		sort.Strings(nodes)
		var last []string
		var status appsv1.DaemonSetStatus
		err := wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, 90*time.Second, true, func(ctx context.Context) (bool, error) {
			ds, err := testCluster.Client().AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			status = ds.Status
			pods, err := testCluster.Client().CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=" + name})
			if err != nil {
				return false, err
			}
			last = last[:0]
			for _, p := range pods.Items {
				if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning {
					last = append(last, p.Spec.NodeName)
				} else {
					last = append(last, p.Spec.NodeName+"(leaving)")
				}
			}
			sort.Strings(last)
			return fmt.Sprint(last) == fmt.Sprint(nodes) &&
				int(status.DesiredNumberScheduled) == len(nodes) && int(status.NumberReady) == len(nodes) &&
				status.ObservedGeneration == ds.Generation, nil
		})
		if err != nil {
			return fmt.Errorf("daemonset %s/%s: pods on %v (desired %d, ready %d), want exactly %v: %w",
				namespace, name, last, status.DesiredNumberScheduled, status.NumberReady, nodes, err)
		}
		return nil
	}
}

// createTestDaemonSet creates a DaemonSet with client-go, as another tool
// would, in its own namespace that the test deletes afterwards.
func createTestDaemonSet(t *testing.T, namespace, name string, spec corev1.PodSpec) {
	t.Helper()
	ctx := context.Background()
	cs := testCluster.Client()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), namespace, metav1.DeleteOptions{}) })
	if len(spec.Containers) == 0 {
		spec.Containers = []corev1.Container{{Name: "agent", Image: "example.com/agent:1"}}
	}
	ds := daemonSetObject(name, map[string]string{"app": name}, spec)
	if _, err := cs.AppsV1().DaemonSets(namespace).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func daemonSetObject(name string, labels map[string]string, spec corev1.PodSpec) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}
}

// labelsConfig labels prod and dev nodes as in the seeds; dev "" leaves the
// dev resource out. The dev resource depends on the prod one, so that moving
// env from one node to the other releases it before claiming it.
func labelsConfig(prod, dev string, extra string) string {
	devResource, devRef := "", ""
	if dev != "" {
		devResource = fmt.Sprintf(`
resource "kubedaemon_node_labels" "dev" {
  node_name  = %q
  labels     = { env = "dev" }
  depends_on = [kubedaemon_node_labels.prod]
}
`, dev)
		devRef = ", kubedaemon_node_labels.dev"
	}
	return fmt.Sprintf(`
resource "kubedaemon_node_labels" "prod" {
  node_name = %[1]q
  labels = {
    env  = "prod"
    host = "high-cpu"
  }
}
%[2]s
resource "kubedaemon_node_labels" "dev_b" {
  node_name = "acc-lbl-2"
  labels    = { env = "dev" }
}

data "kubedaemon_placement" "prod" {
  node_selector = { env = "prod", "acc-lbl" = "yes" }
  depends_on    = [kubedaemon_node_labels.prod%[3]s, kubedaemon_node_labels.dev_b]
}
%[4]s
`, prod, devResource, devRef, extra)
}

func TestAccNodeLabelsResource(t *testing.T) {
	testClusterKubeconfig(t)
	addForeignLabelledNodes(t, labelNodes, map[string]string{"acc-lbl": "yes"})
	createTestDaemonSet(t, "acc-labels", "prod-agent", corev1.PodSpec{NodeSelector: map[string]string{"env": "prod", "acc-lbl": "yes"}})

	placementNodes := func(nodes ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(nodes))
		for i, n := range nodes {
			checks[i] = knownvalue.StringExact(n)
		}
		return statecheck.ExpectKnownValue("data.kubedaemon_placement.prod", tfjsonpath.New("nodes"), knownvalue.ListExact(checks))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Seeds: one prod node with host=high-cpu, two dev nodes.
				Config: labelsConfig("acc-lbl-0", "acc-lbl-1", ""),
				Check: resource.ComposeTestCheckFunc(
					checkNodeLabels(map[string]map[string]string{
						"acc-lbl-0": withForeign(map[string]string{"env": "prod", "host": "high-cpu", "kubernetes.io/hostname": "acc-lbl-0"}),
						"acc-lbl-1": withForeign(map[string]string{"env": "dev", "host": ""}),
						"acc-lbl-2": withForeign(map[string]string{"env": "dev"}),
					}),
					waitDaemonPods("acc-labels", "prod-agent", "acc-lbl-0"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_node_labels.prod", tfjsonpath.New("nodes"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("acc-lbl-0")})),
					statecheck.ExpectKnownValue("kubedaemon_node_labels.prod", tfjsonpath.New("field_manager"),
						knownvalue.StringRegexp(regexp.MustCompile(`^kubedaemon-labels-[0-9a-f]{16}$`))),
					placementNodes("acc-lbl-0"),
					statecheck.ExpectKnownValue("data.kubedaemon_placement.prod", tfjsonpath.New("excluded").AtSliceIndex(0),
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"reason": knownvalue.StringExact("label env=prod not matched (node has env=dev)"),
							"kind":   knownvalue.StringExact("node-selector"),
						})),
				},
			},
			{
				ResourceName:      "kubedaemon_node_labels.prod",
				ImportState:       true,
				ImportStateId:     "acc-lbl-0:env,host",
				ImportStateVerify: true,
			},
			{
				// NOTE: env moves between two resources here. Swapping it in
				// one apply would race (each claims the key while the other
				// still owns it) and fail with a conflict, as it should: the
				// dev resource goes first, then prod moves, then dev comes back.
				Config: labelsConfig("acc-lbl-0", "", ""),
				Check: checkNodeLabels(map[string]map[string]string{
					"acc-lbl-0": withForeign(map[string]string{"env": "prod", "host": "high-cpu"}),
					"acc-lbl-1": withForeign(map[string]string{"env": "", "host": ""}),
				}),
			},
			{
				// Relabel: prod moves to acc-lbl-1, and the daemon with it.
				Config: labelsConfig("acc-lbl-1", "acc-lbl-0", ""),
				Check: resource.ComposeTestCheckFunc(
					checkNodeLabels(map[string]map[string]string{
						"acc-lbl-0": withForeign(map[string]string{"env": "dev", "host": ""}),
						"acc-lbl-1": withForeign(map[string]string{"env": "prod", "host": "high-cpu"}),
					}),
					waitDaemonPods("acc-labels", "prod-agent", "acc-lbl-1"),
				),
				ConfigStateChecks: []statecheck.StateCheck{placementNodes("acc-lbl-1")},
			},
			{
				// A second instance on the same node with a disjoint key.
				Config: labelsConfig("acc-lbl-1", "acc-lbl-0", `
resource "kubedaemon_node_labels" "zone" {
  node_name = "acc-lbl-1"
  labels    = { "example.com/zone" = "a" }
}
`),
				Check: checkNodeLabels(map[string]map[string]string{
					"acc-lbl-1": withForeign(map[string]string{"env": "prod", "host": "high-cpu", "example.com/zone": "a"}),
				}),
			},
			{
				// Removing the second instance removes only its key.
				Config: labelsConfig("acc-lbl-1", "acc-lbl-0", ""),
				Check: checkNodeLabels(map[string]map[string]string{
					"acc-lbl-1": withForeign(map[string]string{"env": "prod", "host": "high-cpu", "example.com/zone": ""}),
				}),
			},
			{
				// A key another manager owns with another value.
				Config: labelsConfig("acc-lbl-1", "acc-lbl-0", `
resource "kubedaemon_node_labels" "takeover" {
  node_name = "acc-lbl-2"
  labels    = { team = "platform" }
}
`),
				ExpectError: regexp.MustCompile(`(?s)Label Conflict.*"team"\s+on\s+node\s+acc-lbl-2\s+is\s+"infra"\s+and\s+owned\s+by\s+other-team`),
			},
			{
				Config: labelsConfig("acc-lbl-1", "acc-lbl-0", `
resource "kubedaemon_node_labels" "takeover" {
  node_name       = "acc-lbl-2"
  labels          = { team = "platform" }
  force_conflicts = true
}
`),
				Check: checkNodeLabels(map[string]map[string]string{
					"acc-lbl-2": {"team": "platform", "owner": "ops", "env": "dev"},
				}),
			},
			{
				// Drift: a value changed behind Terraform's back shows in the plan.
				PreConfig: func() {
					clustertest.UpdateNode(t, testCluster, "acc-lbl-2", "someone", func(n *corev1.Node) { n.Labels["env"] = "staging" })
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check:              resource.TestCheckResourceAttr("kubedaemon_node_labels.dev_b", "labels.env", "staging"),
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(
			checkNodeLabels(map[string]map[string]string{
				"acc-lbl-0": {"env": "", "host": "", "team": "infra", "owner": "ops", "kubernetes.io/hostname": "acc-lbl-0", "acc-lbl": "yes"},
				"acc-lbl-1": {"env": "", "host": "", "team": "infra", "owner": "ops"},
				// The forced takeover moved team to the resource, so destroy removed it;
				// env is owned by "someone" since the drift step, so it stays.
				"acc-lbl-2": {"team": "", "owner": "ops", "env": "staging"},
			}),
			// Whether released by merge patch (keys no one else owns) or by
			// apply (shared keys), no resource's field manager is left.
			checkNoLabelsManager("acc-lbl-0", "acc-lbl-1", "acc-lbl-2"),
		),
	})
}

func TestNodeLabelsValidation(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
resource "kubedaemon_node_labels" "bad" {
  node_name = "n1"
  labels    = { "bad key!" = "x" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Label Key.*"bad key!" is not a valid label key`),
			},
			{
				Config: `
resource "kubedaemon_node_labels" "bad" {
  node_name = "n1"
  labels    = { env = "not a value" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Label Value`),
			},
			{
				Config: `
resource "kubedaemon_node_labels" "bad" {
  labels = { env = "prod" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*node_name.*node_selector`),
			},
			{
				Config: `
resource "kubedaemon_node_labels" "bad" {
  node_name     = "n1"
  node_selector = { a = "b" }
  labels        = { env = "prod" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
		},
	})
}

// checkNodesLabelled asserts that each node carries label key=value (or
// lacks key, for value "") and still has the foreign labels.
func checkNodesLabelled(nodes []string, key, value string) resource.TestCheckFunc {
	want := map[string]map[string]string{}
	for _, n := range nodes {
		want[n] = withForeign(map[string]string{key: value})
	}
	return checkNodeLabels(want)
}

func nodeList(nodes ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(nodes))
	for i, n := range nodes {
		checks[i] = knownvalue.StringExact(n)
	}
	return knownvalue.ListExact(checks)
}

func TestAccNodeLabelsResourceNodeSelector(t *testing.T) {
	testClusterKubeconfig(t)
	pool := map[string]string{"acc-lsel": "yes"}
	addForeignLabelledNodes(t, []string{"acc-lsel-0", "acc-lsel-1"}, pool)
	all := []string{"acc-lsel-0", "acc-lsel-1", "acc-lsel-2"}
	const config = `
resource "kubedaemon_node_labels" "pool" {
  node_selector = { "acc-lsel" = "yes" }
  labels        = { "example.com/pool" = "batch" }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					checkNodesLabelled(all[:2], "example.com/pool", "batch"),
					checkNodeLabels(map[string]map[string]string{"kwok-node-0": {"example.com/pool": ""}}),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_node_labels.pool", tfjsonpath.New("nodes"), nodeList(all[:2]...)),
				},
			},
			{
				// A node that joins and matches is a change in the next plan.
				PreConfig:          func() { addForeignLabelledNodes(t, all[2:], pool) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_node_labels.pool", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("kubedaemon_node_labels.pool", tfjsonpath.New("nodes"), nodeList(all...)),
					},
				},
				Check: checkNodesLabelled(all, "example.com/pool", "batch"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_node_labels.pool", tfjsonpath.New("nodes"), nodeList(all...)),
				},
			},
			{
				// Converged: nothing left to do.
				Config:   config,
				PlanOnly: true,
			},
		},
		// Destroy removes only this resource's label, from every node.
		CheckDestroy: checkNodesLabelled(all, "example.com/pool", ""),
	})
}

func TestAccNodeLabelsResourceErrors(t *testing.T) {
	testClusterKubeconfig(t)
	addForeignLabelledNodes(t, []string{"acc-lerr-0"}, nil)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
resource "kubedaemon_node_labels" "missing" {
  node_name = "acc-no-such-node"
  labels    = { env = "prod" }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Node Not Found.*The cluster has no node "acc-no-such-node"\.\s+Check\s+the\s+name`),
			},
			{
				Config: `
resource "kubedaemon_node_labels" "env" {
  node_name = "acc-lerr-0"
  labels    = { env = "dev" }
}`,
			},
			{
				// Another instance names the owner and does not suggest
				// kubectl, which would strip the first instance's label.
				Config: `
resource "kubedaemon_node_labels" "env" {
  node_name = "acc-lerr-0"
  labels    = { env = "dev" }
}

resource "kubedaemon_node_labels" "other" {
  node_name = "acc-lerr-0"
  labels    = { env = "prod" }
}`,
				ExpectError: regexp.MustCompile(`(?s)Label Conflict.*Label "env" on node acc-lerr-0 is "dev" and owned by the\s+` +
					`kubedaemon_node_labels\s+instance\s+"[0-9a-f]{16}".*Remove\s+the\s+key\s+from\s+labels,\s+remove\s+it\s+from\s+the\s+` +
					`labels\s+of\s+the\s+other\s+kubedaemon_node_labels\s+instance.*or\s+set\s+force_conflicts`),
			},
			{
				ResourceName:  "kubedaemon_node_labels.env",
				ImportState:   true,
				ImportStateId: "acc-no-such-node:env",
				ExpectError:   regexp.MustCompile(`(?s)Node Not Found.*no node "acc-no-such-node".*Check\s+the\s+node\s+name\s+in\s+the\s+import\s+ID`),
			},
			{
				ResourceName:  "kubedaemon_node_labels.env",
				ImportState:   true,
				ImportStateId: "acc-lerr-0:env,example.com/absent",
				ExpectError: regexp.MustCompile(`(?s)Label Not Found.*Node acc-lerr-0 has no label "example.com/absent".*` +
					`Remove\s+"example.com/absent"\s+from\s+the\s+import\s+ID`),
			},
			{
				ResourceName:  "kubedaemon_node_labels.env",
				ImportState:   true,
				ImportStateId: "acc-lerr-0",
				ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*"acc-lerr-0" is not NODE:KEY1,KEY2`),
			},
		},
		CheckDestroy: checkNodeLabels(map[string]map[string]string{"acc-lerr-0": withForeign(map[string]string{"env": ""})}),
	})
}

// TestLabelConflictMessage: a key another kubedaemon_node_labels instance
// owns names that instance and never suggests `kubectl label KEY-`, which
// would strip that instance's label too.
func TestLabelConflictMessage(t *testing.T) {
	tests := []struct {
		name      string
		conflicts []k8s.Conflict
		want      string
	}{
		{
			name:      "kubectl owns the key",
			conflicts: []k8s.Conflict{{Key: "team", Value: "infra", Wanted: "platform", Owners: []string{"kubectl-label"}}},
			want: `Label "team" on node n1 is "infra" and owned by kubectl-label, so this resource cannot set it to ` +
				`"platform". Remove the key from labels, have the owner release it (e.g. ` + "`kubectl label node n1 team-`" +
				` for kubectl), or set force_conflicts = true to take it over.`,
		},
		{
			name:      "another instance owns the key",
			conflicts: []k8s.Conflict{{Key: "env", Value: "dev", Wanted: "prod", Owners: []string{"kubedaemon-labels-0123456789abcdef"}}},
			want: `Label "env" on node n1 is "dev" and owned by the kubedaemon_node_labels instance "0123456789abcdef", ` +
				`so this resource cannot set it to "prod". Remove the key from labels, remove it from the labels of the ` +
				`other kubedaemon_node_labels instance (two instances cannot hold one key with different values on one ` +
				`node), or set force_conflicts = true to take it over.`,
		},
		{
			name: "both on one node",
			conflicts: []k8s.Conflict{
				{Key: "env", Value: "dev", Wanted: "prod", Owners: []string{"kubectl-label", "kubedaemon-labels-abc"}},
				{Key: "team", Value: "infra", Wanted: "platform", Owners: []string{"other-team"}},
			},
			want: `Label "env" on node n1 is "dev" and owned by kubectl-label, the kubedaemon_node_labels instance "abc", ` +
				`so this resource cannot set it to "prod". Label "team" on node n1 is "infra" and owned by other-team, so ` +
				`this resource cannot set it to "platform". Remove the key from labels, remove it from the labels of the ` +
				`other kubedaemon_node_labels instance (two instances cannot hold one key with different values on one ` +
				"node), have the owner release it (e.g. `kubectl label node n1 team-` for kubectl), or set " +
				`force_conflicts = true to take it over.`,
		},
	}
	r := &nodeLabelsResource{nodeTarget: labelsTarget}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var diags diag.Diagnostics
			r.addLabelError(&diags, "n1", &k8s.ConflictError{Object: k8s.NodeObject("n1"), What: k8s.WhatLabel, Conflicts: tt.conflicts})
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want one per node: %v", len(diags), diags)
			}
			got, _, _ := strings.Cut(diags[0].Detail(), "\n\nOriginal Error: ")
			if got != tt.want {
				t.Errorf("detail\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// TestAccNodeLabelsResourcePartialFailure: a key that another manager owns
// on one node fails a create there, and the create takes its labels off the
// other nodes again; an update that fails on an old node keeps it in the
// state, one that fails on a new node leaves it out; the next apply and the
// destroy finish the job, so nothing is left behind.
func TestAccNodeLabelsResourcePartialFailure(t *testing.T) {
	testClusterKubeconfig(t)
	ctx := context.Background()
	nodes := []string{"acc-lpart-0", "acc-lpart-1", "acc-lpart-2", "acc-lpart-3"}
	pool := map[string]string{"acc-lpart": "yes"}
	if err := testCluster.AddNodes(ctx, nodes[:3], pool, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), nodes...) })
	// holdTier makes "other-team" own example.com/tier=gold on node, or
	// release it.
	holdTier := func(node string, hold bool) {
		cfg := applycorev1.Node(node)
		if hold {
			cfg.WithLabels(map[string]string{"example.com/tier": "gold"})
		}
		if _, err := testCluster.Client().CoreV1().Nodes().Apply(ctx, cfg, metav1.ApplyOptions{FieldManager: "other-team", Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	holdTier(nodes[1], true)
	config := func(labels string) string {
		return `
resource "kubedaemon_node_labels" "pool" {
  node_selector = { "acc-lpart" = "yes" }
  labels        = {` + labels + `}
}
`
	}
	const zone, both = `"example.com/zone" = "a"`, `"example.com/zone" = "a", "example.com/tier" = "silver"`
	conflictOn := func(node string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)Label Conflict.*Label\s+"example.com/tier"\s+on\s+node\s+` + node +
			`\s+is\s+"gold"\s+and\s+owned\s+by\s+other-team`)
	}
	labelled := func(want map[string]string, names ...string) resource.TestCheckFunc {
		all := map[string]map[string]string{}
		for _, n := range names {
			all[n] = want
		}
		return checkNodeLabels(all)
	}
	mustCheck := func(check resource.TestCheckFunc) {
		if err := check(nil); err != nil {
			t.Fatal(err)
		}
	}
	silver := map[string]string{"example.com/zone": "a", "example.com/tier": "silver"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(`"example.com/tier" = "silver"`), ExpectError: conflictOn(nodes[1])},
			{
				// The failed create left nothing on the other nodes.
				PreConfig: func() { mustCheck(labelled(map[string]string{"example.com/tier": ""}, nodes[0], nodes[2])) },
				Config:    config(zone),
				Check:     labelled(map[string]string{"example.com/zone": "a"}, nodes[:3]...),
			},
			{Config: config(both), ExpectError: conflictOn(nodes[1])},
			{
				// The update applied where it could and kept the failed node;
				// a node that joins holding the key fails and stays out.
				PreConfig: func() {
					mustCheck(labelled(silver, nodes[0], nodes[2]))
					mustCheck(labelled(map[string]string{"example.com/zone": "a", "example.com/tier": "gold"}, nodes[1]))
					holdTier(nodes[1], false)
					if err := testCluster.AddNodes(ctx, nodes[3:], pool, nil); err != nil {
						t.Fatal(err)
					}
					holdTier(nodes[3], true)
				},
				Config:      config(both),
				ExpectError: conflictOn(nodes[3]),
			},
			{
				PreConfig: func() {
					mustCheck(labelled(silver, nodes[:3]...))
					holdTier(nodes[3], false)
				},
				Config: config(both),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue("kubedaemon_node_labels.pool", tfjsonpath.New("nodes"), nodeList(nodes...)),
					},
				},
				Check: labelled(silver, nodes...),
			},
		},
		CheckDestroy: labelled(map[string]string{"example.com/zone": "", "example.com/tier": ""}, nodes...),
	})
}
