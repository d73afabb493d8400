package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// rolloutFleet adds 10 nodes for one test: 3 env=dev, 7 env=prod, all
// labelled rollout-fleet=<label>, and returns the label and the node names.
func rolloutFleet(t *testing.T) (string, []string, []string) {
	t.Helper()
	label := fmt.Sprintf("fleet-%d", time.Now().UnixNano()%1_000_000)
	var dev, prod []string
	for i := range 10 {
		n := fmt.Sprintf("%s-%02d", label, i)
		if i < 3 {
			dev = append(dev, n)
		} else {
			prod = append(prod, n)
		}
	}
	ctx := context.Background()
	if err := testCluster.AddNodes(ctx, dev, map[string]string{"rollout-fleet": label, "env": "dev"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := testCluster.AddNodes(ctx, prod, map[string]string{"rollout-fleet": label, "env": "prod"}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), append(dev, prod...)...) })
	return label, dev, prod
}

// wavesConfig is a DaemonSet on the fleet's nodes rolled out in waves:
// env=dev, then half of the rest, then the rest. extra goes into the rollout
// block, wave2 into the second wave, timeout is timeouts.update.
func wavesConfig(ns, label, image, extra, timeout string, wave2 ...string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "agent" {
  metadata {
    name      = "agent"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { name = "agent" }
    }
    template {
      metadata {
        labels = { name = "agent" }
      }
      spec {
        node_selector = { "rollout-fleet" = %[2]q }
        container {
          name  = "agent"
          image = %[3]q
        }
        termination_grace_period_seconds = 0
      }
    }
  }
  rollout {
    wave {
      selector        = "env=dev"
      max_unavailable = "3"
    }
    wave {
      percent = 50
      %[6]s
    }
    max_unavailable = "2"
    %[4]s
  }
  timeouts {
    update = %[5]q
  }
}
`, ns, label, image, extra, timeout, strings.Join(wave2, "\n"))
}

// fleetImages maps each node of the fleet to the image its pod runs.
func fleetImages(ns string) (map[string]string, error) {
	pods, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "name=agent"})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil && p.Spec.NodeName != "" {
			out[p.Spec.NodeName] = p.Spec.Containers[0].Image
		}
	}
	return out, nil
}

// checkFleet checks that every node runs image, or, for the nodes in
// except, exceptImage.
func checkFleet(ns, image string, nodes []string, except []string, exceptImage string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := fleetImages(ns)
		if err != nil {
			return err
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

// readyOrder records, from a pod watch of its own, in which order the pods
// of one image were created and became ready, by node.
type readyOrder struct {
	mu     sync.Mutex
	events []string // "+node" created, "=node" ready
}

func watchReadyOrder(t *testing.T, ns, image string) *readyOrder {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := testCluster.Client().CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: "name=agent"})
	if err != nil {
		t.Fatal(err)
	}
	o := &readyOrder{}
	seen := map[string]bool{}
	go func() {
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok || ev.Type == watch.Deleted || p.Spec.NodeName == "" || p.Spec.Containers[0].Image != image {
				continue
			}
			o.mu.Lock()
			if !seen["+"+string(p.UID)] {
				seen["+"+string(p.UID)] = true
				o.events = append(o.events, "+"+p.Spec.NodeName)
			}
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && !seen["="+string(p.UID)] {
					seen["="+string(p.UID)] = true
					o.events = append(o.events, "="+p.Spec.NodeName)
				}
			}
			o.mu.Unlock()
		}
	}()
	return o
}

// check fails unless no pod of a wave was created before every pod of the
// earlier waves was ready.
func (o *readyOrder) check(waves ...[]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		o.mu.Lock()
		defer o.mu.Unlock()
		ready := make([]int, len(waves))
		for _, ev := range o.events {
			k := slices.IndexFunc(waves, func(w []string) bool { return slices.Contains(w, ev[1:]) })
			if k < 0 {
				return fmt.Errorf("a pod on %s, a node of no wave", ev[1:])
			}
			if ev[0] == '=' {
				ready[k]++
				continue
			}
			for j := range k {
				if ready[j] < len(waves[j]) {
					return fmt.Errorf("a pod of wave %d was created on %s while wave %d had %d/%d ready pods (events %v)",
						k+1, ev[1:], j+1, ready[j], len(waves[j]), o.events)
				}
			}
		}
		return nil
	}
}

func rolloutStatusIs(addr, result string, waves, done int64) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("rollout_status"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"result":     knownvalue.StringExact(result),
		"waves":      knownvalue.Int64Exact(waves),
		"waves_done": knownvalue.Int64Exact(done),
	}))
}

// TestAccDaemonSet_rolloutWaves rolls a template change out in 3 waves
// over 10 nodes, then a crash-looping image that the first wave rolls back,
// then the same with on_failure = "halt", and a fix that finishes the halted
// rollout.
func TestAccDaemonSet_rolloutWaves(t *testing.T) {
	ns := testNamespace(t, "waves")
	label, dev, prod := rolloutFleet(t)
	all := append(append([]string{}, dev...), prod...)
	addr := "kubedaemon_daemonset.agent"
	var order *readyOrder
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: wavesConfig(ns, label, "agent:1", "", "2m"),
				ConfigStateChecks: []statecheck.StateCheck{
					rolloutStatusIs(addr, "complete", 0, 0),
				},
				Check: resource.ComposeTestCheckFunc(
					checkFleet(ns, "agent:1", all, nil, ""),
					func(*terraform.State) error {
						ds, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), "agent", metav1.GetOptions{})
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
			{
				PreConfig: func() { order = watchReadyOrder(t, ns, "agent:2") },
				Config:    wavesConfig(ns, label, "agent:2", `soak = "1s"`, "2m"),
				ConfigStateChecks: []statecheck.StateCheck{
					rolloutStatusIs(addr, "complete", 3, 3),
					statusIs(addr, 10),
				},
				Check: resource.ComposeTestCheckFunc(
					checkFleet(ns, "agent:2", all, nil, ""),
					func(s *terraform.State) error { return order.check(dev, prod[:4], prod[4:])(s) },
				),
			},
			{Config: wavesConfig(ns, label, "agent:2", `soak = "1s"`, "2m"), PlanOnly: true},
			{
				// A crash-looping image fails wave 1; the rollback puts every
				// node back on agent:2 and the state keeps agent:2.
				Config: wavesConfig(ns, label, "agent:crashloop", "", "2m"),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Rollout Rolled Back.*wave 1/3 \(env=dev\) failed on\s+node\(s\)\s+` +
					dev[0] + `.*Restarted.*max_restarts`),
				Check: checkFleet(ns, "agent:2", all, nil, ""),
			},
			{
				// The state kept the previous configuration: the plan
				// proposes the change again.
				Config:             wavesConfig(ns, label, "agent:crashloop", "", "2m"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if err := eventually(checkFleet(ns, "agent:2", all, nil, "")); err != nil {
						t.Fatalf("after the rollback: %v", err)
					}
				},
				Config:      wavesConfig(ns, label, "agent:crashloop", `on_failure = "halt"`, "2m"),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Rollout Halted.*wave 1/3 \(env=dev\) failed`),
			},
			{
				// Halted: only wave 1 runs the new image, and the plan of the
				// same configuration proposes to resume.
				PreConfig: func() {
					if err := eventually(checkFleet(ns, "agent:2", all, dev, "agent:crashloop")); err != nil {
						t.Fatalf("after the halt: %v", err)
					}
				},
				Config:             wavesConfig(ns, label, "agent:crashloop", `on_failure = "halt"`, "2m"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: wavesConfig(ns, label, "agent:3", `on_failure = "halt"`, "2m"),
				ConfigStateChecks: []statecheck.StateCheck{
					rolloutStatusIs(addr, "complete", 3, 3),
				},
				Check: checkFleet(ns, "agent:3", all, nil, ""),
			},
			{Config: wavesConfig(ns, label, "agent:3", `on_failure = "halt"`, "2m"), PlanOnly: true},
		},
	})
}

// TestAccDaemonSet_rolloutResume: an apply whose deadline passes in wave 2
// records the rollout as unfinished; the next plan of the same
// configuration proposes to resume it, and the apply finishes waves 2 and 3
// without touching wave 1's pods again.
func TestAccDaemonSet_rolloutResume(t *testing.T) {
	ns := testNamespace(t, "resume")
	label, dev, prod := rolloutFleet(t)
	all := append(append([]string{}, dev...), prod...)
	addr := "kubedaemon_daemonset.agent"
	wave1 := map[string]string{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: wavesConfig(ns, label, "agent:1", "", "8s", `soak = "30s"`)},
			{
				// Wave 2 soaks 30 s: the 8 s deadline passes in it.
				Config:      wavesConfig(ns, label, "agent:2", "", "8s", `soak = "30s"`),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Rollout Interrupted.*wave 2/3 \(50%\) did not\s+finish\s+before\s+the\s+deadline`),
			},
			{
				Config:             wavesConfig(ns, label, "agent:2", "", "8s", `soak = "30s"`),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					pods, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "name=agent"})
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range pods.Items {
						if slices.Contains(dev, p.Spec.NodeName) && p.DeletionTimestamp == nil {
							wave1[p.Spec.NodeName] = string(p.UID)
						}
					}
				},
				Config: wavesConfig(ns, label, "agent:2", "", "2m", `soak = "1s"`),
				ConfigStateChecks: []statecheck.StateCheck{
					rolloutStatusIs(addr, "complete", 3, 3),
				},
				Check: resource.ComposeTestCheckFunc(
					checkFleet(ns, "agent:2", all, nil, ""),
					func(*terraform.State) error {
						pods, err := testCluster.Client().CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "name=agent"})
						if err != nil {
							return err
						}
						for _, p := range pods.Items {
							if uid, ok := wave1[p.Spec.NodeName]; ok && uid != string(p.UID) {
								return fmt.Errorf("the resumed rollout replaced wave 1's pod on %s again", p.Spec.NodeName)
							}
						}
						if len(wave1) != len(dev) {
							return fmt.Errorf("wave 1 pods before the resume: %v", wave1)
						}
						return nil
					},
				),
			},
		},
	})
}

// TestAccDaemonSet_unfinishedRolloutReplans: an update without a rollout
// block whose wait ends before the rollout finished (here its deadline) is
// recorded as unfinished; the next plan of the same configuration is not
// empty, and the apply waits for the rollout.
func TestAccDaemonSet_unfinishedRolloutReplans(t *testing.T) {
	ns := testNamespace(t, "unfinished")
	addr := "kubedaemon_daemonset.slow"
	config := func(image, timeout string) string {
		return fmt.Sprintf(`
resource "kubedaemon_daemonset" "slow" {
  metadata {
    name      = "slow"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { name = "slow" }
    }
    template {
      metadata {
        labels      = { name = "slow" }
        annotations = { "kubedaemon.dev/ready-delay" = "3s" }
      }
      spec {
        container {
          name  = "slow"
          image = %[2]q
        }
        termination_grace_period_seconds = 0
      }
    }
  }
  timeouts {
    update = %[3]q
  }
}
`, ns, image, timeout)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("slow:1", "2s"), ConfigStateChecks: []statecheck.StateCheck{rolloutStatusIs(addr, "complete", 0, 0)}},
			{
				// One node at a time, 3 s each: the 2 s deadline passes.
				Config:      config("slow:2", "2s"),
				ExpectError: regexp.MustCompile(`DaemonSet Did Not Roll Out`),
			},
			{Config: config("slow:2", "2s"), PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				Config:            config("slow:2", "2m"),
				ConfigStateChecks: []statecheck.StateCheck{rolloutStatusIs(addr, "complete", 0, 0), statusIs(addr, 3)},
				Check:             checkPods(ns, "slow", "slow:2", sharedNodes...),
			},
			{Config: config("slow:2", "2m"), PlanOnly: true},
		},
	})
}

// TestAccDaemonSet_rolloutPlanErrors: bad rollout blocks fail the plan on
// the attribute that causes it.
func TestAccDaemonSet_rolloutPlanErrors(t *testing.T) {
	ns := testNamespace(t, "waves-plan")
	label, _, _ := rolloutFleet(t)
	withRollout := func(rolloutBody, strategy string) string {
		return fmt.Sprintf(`
resource "kubedaemon_daemonset" "agent" {
  metadata {
    name      = "agent"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { name = "agent" }
    }
    %[4]s
    template {
      metadata {
        labels = { name = "agent" }
      }
      spec {
        node_selector = { "rollout-fleet" = %[2]q }
        container {
          name  = "agent"
          image = "agent:1"
        }
      }
    }
  }
  rollout {
    %[3]s
  }
}
`, ns, label, rolloutBody, strategy)
	}
	var steps []resource.TestStep
	for _, tc := range []struct{ body, strategy, want string }{
		{`wave { selector = "env=dev" }
    wave { selector = "tier=canary" }`, "", `(?s)Overlapping Wave Selectors.*wave \{ selector = "tier=canary" \}.*wave 1 \(env=dev\) and wave 2\s+\(tier=canary\)`},
		{`wave { percent = 150 }`, "", `(?s)Invalid Wave Percent.*percent is 150`},
		{`wave {
      selector = "env=dev"
      count    = 2
    }`, "", `(?s)Wave Needs One Choice Of Nodes.*wave 1 sets 2 of selector, count and percent`},
		{`soak = "2m"`, "", `(?s)Soak Without Waves.*soak = "2m"`},
		{`wave {
      selector        = "env=dev"
      max_unavailable = "0"
    }`, "", `(?s)Invalid Max Unavailable.*max_unavailable = "0"`},
		{`wave {
      selector = "env=dev"
      soak     = "0s"
    }`, "", `(?s)Invalid Duration.*soak\s+=\s+"0s"\s+is\s+not\s+positive.*next\s+wave\s+starts`},
		{`wave { selector = "env=dev" }
    soak = "soon"`, "", `(?s)Invalid Duration.*soak\s+=\s+"soon"\s+is\s+not\s+a\s+duration`},
		{`wave { selector = "env=dev" }`, `update_strategy {
      type = "RollingUpdate"
    }`, `(?s)Update Strategy Set With Rollout.*type = "RollingUpdate"`},
		{`wave { selector = "env=staging" }`, "", `(?s)Wave Matches No Node.*selector = "env=staging".*No node the DaemonSet runs on`},
		{`on_failure = "retry"`, "", `(?s)on_failure = "retry".*value must be one of`},
	} {
		steps = append(steps, resource.TestStep{Config: withRollout(tc.body, tc.strategy), PlanOnly: true, ExpectError: regexp.MustCompile(tc.want)})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}
