package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
)

// schemaOutline lists every attribute and block under a block, one line
// each: path, kind, required/optional, number of validators.
type schemaOutline []string

func (o *schemaOutline) resourceBlock(prefix string, b resourceschema.Block) {
	var attrs map[string]resourceschema.Attribute
	var blocks map[string]resourceschema.Block
	switch b := b.(type) {
	case resourceschema.SingleNestedBlock:
		*o = append(*o, fmt.Sprintf("%s single validators=%d", prefix, len(b.Validators)))
		attrs, blocks = b.Attributes, b.Blocks
	case resourceschema.ListNestedBlock:
		*o = append(*o, fmt.Sprintf("%s list validators=%d/%d", prefix, len(b.Validators), len(b.NestedObject.Validators)))
		attrs, blocks = b.NestedObject.Attributes, b.NestedObject.Blocks
	}
	for name, a := range attrs {
		*o = append(*o, fmt.Sprintf("%s.%s %s required=%v optional=%v", prefix, name, a.GetType(), a.IsRequired(), a.IsOptional()))
	}
	for name, nb := range blocks {
		o.resourceBlock(prefix+"."+name, nb)
	}
}

func (o *schemaOutline) dataSourceBlock(prefix string, b dsschema.Block) {
	var attrs map[string]dsschema.Attribute
	var blocks map[string]dsschema.Block
	switch b := b.(type) {
	case dsschema.SingleNestedBlock:
		*o = append(*o, fmt.Sprintf("%s single validators=%d", prefix, len(b.Validators)))
		attrs, blocks = b.Attributes, b.Blocks
	case dsschema.ListNestedBlock:
		*o = append(*o, fmt.Sprintf("%s list validators=%d/%d", prefix, len(b.Validators), len(b.NestedObject.Validators)))
		attrs, blocks = b.NestedObject.Attributes, b.NestedObject.Blocks
	}
	for name, a := range attrs {
		*o = append(*o, fmt.Sprintf("%s.%s %s required=%v optional=%v", prefix, name, a.GetType(), a.IsRequired(), a.IsOptional()))
	}
	for name, nb := range blocks {
		o.dataSourceBlock(prefix+"."+name, nb)
	}
}

// The data source's affinity and toleration blocks are the DaemonSet
// resource's, so a pod template's placement pastes into either.
func TestPlacementSchemaMatchesDaemonSet(t *testing.T) {
	var resp datasource.SchemaResponse
	NewPlacementDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	for name, want := range map[string]resourceschema.Block{"affinity": affinityBlock(), "toleration": tolerationBlock()} {
		var w, g schemaOutline
		w.resourceBlock(name, want)
		g.dataSourceBlock(name, resp.Schema.Blocks[name])
		sort.Strings(w)
		sort.Strings(g)
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("%s block differs from the DaemonSet resource's (-want +got):\n%s", name, diff)
		}
	}
	if !strings.Contains(strings.Join(func() []string {
		var o schemaOutline
		o.dataSourceBlock("affinity", resp.Schema.Blocks["affinity"])
		return o
	}(), "\n"), "affinity.pod_anti_affinity.required_during_scheduling_ignored_during_execution.topology_key") {
		t.Error("the affinity block has no pod_anti_affinity")
	}
}

// One validator each, checked before the data source reads the cluster.
func TestPlacementDataSourceValidation(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
data "kubedaemon_placement" "bad" {
  affinity {
    node_affinity {
      required_during_scheduling_ignored_during_execution {
        node_selector_term {
          match_expressions {
            key      = "env"
            operator = "Within"
            values   = ["prod"]
          }
        }
      }
    }
  }
}`,
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)operator\s+value must be one of:\s+\["In"\s+"NotIn"\s+"Exists"\s+` +
					`"DoesNotExist"\s+"Gt"\s+"Lt"\]`),
			},
			{
				Config: `
data "kubedaemon_placement" "bad" {
  toleration {
    key      = "dedicated"
    operator = "Matches"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)operator\s+value must be one of:\s+\["Equal"\s+"Exists"\]`),
			},
			{
				Config: `
data "kubedaemon_placement" "bad" {
  toleration {
    key    = "dedicated"
    effect = "NoEvict"
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)effect\s+value must be one of:\s+\["NoSchedule"\s+"PreferNoSchedule"\s+"NoExecute"\]`),
			},
			{
				// The pod anti-affinity block of the DaemonSet resource, with
				// its own validators.
				Config: `
data "kubedaemon_placement" "bad" {
  affinity {
    pod_anti_affinity {
      preferred_during_scheduling_ignored_during_execution {
        weight = 10
      }
    }
  }
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Block.*pod_anti_affinity\.preferred_during_scheduling_ignored_during_execution\[0\]\.pod_affinity_term\s+must\s+have\s+a\s+configuration\s+value`),
			},
		},
	})
}

// placementFields are the placement blocks of a DaemonSet pod template,
// pasted unchanged into both kubedaemon_daemonset and kubedaemon_placement.
const placementFields = `
      affinity {
        node_affinity {
          required_during_scheduling_ignored_during_execution {
            node_selector_term {
              match_expressions {
                key      = "acc-plc"
                operator = "In"
                values   = ["yes"]
              }
            }
          }
          preferred_during_scheduling_ignored_during_execution {
            weight = 10
            preference {
              match_expressions {
                key      = "zone"
                operator = "Exists"
              }
            }
          }
        }
        pod_affinity {
          preferred_during_scheduling_ignored_during_execution {
            weight = 5
            pod_affinity_term {
              topology_key = "kubernetes.io/hostname"
              label_selector {
                match_labels = { app = "acc-plc-cache" }
              }
            }
          }
        }
        pod_anti_affinity {
          required_during_scheduling_ignored_during_execution {
            topology_key = "kubernetes.io/hostname"
            label_selector {
              match_expressions {
                key      = "app"
                operator = "In"
                values   = ["acc-plc-exclusive"]
              }
            }
          }
        }
      }
      toleration {
        key      = "dedicated"
        operator = "Equal"
        value    = "plc"
        effect   = "NoSchedule"
      }
`

func placementConfig(ns string) string {
	return fmt.Sprintf(`
resource "kubedaemon_daemonset" "agent" {
  metadata {
    name      = "acc-plc-agent"
    namespace = %[1]q
  }
  spec {
    selector {
      match_labels = { app = "acc-plc-agent" }
    }
    template {
      metadata {
        labels = { app = "acc-plc-agent" }
      }
      spec {
        container {
          name  = "agent"
          image = "example.com/agent:1"
        }
%[2]s
      }
    }
  }
}

data "kubedaemon_placement" "agent" {
%[2]s
}
`, ns, placementFields)
}

func TestAccPlacementDataSource(t *testing.T) {
	testClusterKubeconfig(t)
	ctx := context.Background()
	add := func(name string, labels map[string]string, taints ...corev1.Taint) {
		if err := testCluster.AddNodes(ctx, []string{name}, labels, taints); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = testCluster.DeleteNodes(context.Background(), name) })
	}
	add("acc-plc-0", map[string]string{"acc-plc": "yes", "zone": "a"})
	add("acc-plc-1", map[string]string{"acc-plc": "yes"}, corev1.Taint{Key: "dedicated", Value: "plc", Effect: corev1.TaintEffectNoSchedule})
	add("acc-plc-2", map[string]string{"acc-plc": "yes"}, corev1.Taint{Key: "other", Value: "x", Effect: corev1.TaintEffectNoSchedule})
	add("acc-plc-3", map[string]string{"acc-plc": "no"})
	ns := testNamespace(t, "acc-placement")

	excluded := func(node, kind, reason string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"node": knownvalue.StringExact(node), "kind": knownvalue.StringExact(kind), "reason": knownvalue.StringExact(reason),
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: placementConfig(ns),
			// The controller puts the pods where the data source says.
			Check: waitDaemonPods(ns, "acc-plc-agent", "acc-plc-0", "acc-plc-1"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("nodes"), nodeList("acc-plc-0", "acc-plc-1")),
				statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("excluded"), knownvalue.ListPartial(map[int]knownvalue.Check{
					0: excluded("acc-plc-2", "taint", "untolerated taint other=x:NoSchedule"),
					1: excluded("acc-plc-3", "affinity", "required node affinity term 0 not matched: acc-plc In [yes] (node has acc-plc=no)"),
				})),
				statecheck.ExpectKnownValue("data.kubedaemon_placement.agent", tfjsonpath.New("notes"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringRegexp(regexp.MustCompile(`^required pod anti-affinity \(1 term, topology key ` +
						`kubernetes\.io/hostname\) was not evaluated: `)),
				})),
			},
		}},
	})

	// The real `terraform plan` shows the note as a warning at the block.
	var warned []string
	for _, d := range terraformPlan(t, "data \"kubedaemon_placement\" \"agent\" {\n"+placementFields+"}\n") {
		if d.Severity == "warning" {
			warned = append(warned, d.Summary+": "+d.Detail)
		}
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], "Pod Affinity Not Evaluated: kubedaemon_placement lists the nodes "+
		"on which the DaemonSet controller creates pods, but the required pod anti-affinity (1 term") {
		t.Errorf("plan warnings are %q, want one that the pod anti-affinity was not evaluated", warned)
	}
}
