package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// int64Type is the element type of lists of integers.
var int64Type = types.Int64Type

func enumValidators(values []string) []validator.String {
	return []validator.String{stringvalidator.OneOf(values...)}
}

// tolerationBlock is the placement sub-schema shared with
// kubedaemon_placement: which taints the pods tolerate.
func tolerationBlock() schema.ListNestedBlock {
	return list("Taints the pods tolerate. DaemonSet pods tolerate the node condition taints "+
		"(not-ready, unreachable, disk-pressure...) already; add the taints of dedicated nodes here.",
		map[string]schema.Attribute{
			"key": optString("Taint key; empty with `Exists` tolerates every taint."),
			"operator": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`Exists` matches any value (set no `value`), `Equal` the given one. " + oneOf(tolerationOperators) + " Kubernetes defaults it to `Equal`.",
				Validators:          enumValidators(tolerationOperators),
			},
			"value": optString("Taint value, for `Equal`."),
			"effect": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Taint effect to tolerate; every effect when unset. " + oneOf(taintEffects),
				Validators:          enumValidators(taintEffects),
			},
			"toleration_seconds": optInt("For `NoExecute`: seconds the pod stays after the taint appears; forever when unset."),
		}, nil)
}

func nodeSelectorRequirementBlock(desc string) schema.ListNestedBlock {
	return list(desc, map[string]schema.Attribute{
		"key": reqString("Label key (or field name for `match_fields`, e.g. `metadata.name`)."),
		"operator": schema.StringAttribute{
			Required: true, MarkdownDescription: oneOf(nodeSelectorOperators), Validators: enumValidators(nodeSelectorOperators),
		},
		"values": strList("Values; one integer for `Gt` and `Lt`, none for `Exists` and `DoesNotExist`."),
	}, nil)
}

func nodeSelectorTermBlocks() map[string]schema.Block {
	return map[string]schema.Block{
		"match_expressions": nodeSelectorRequirementBlock("Requirements on node labels."),
		"match_fields":      nodeSelectorRequirementBlock("Requirements on node fields (`metadata.name`)."),
	}
}

func podAffinityTermAttrs() (map[string]schema.Attribute, map[string]schema.Block) {
	return map[string]schema.Attribute{
			"namespaces":   strList("Namespaces of the other pods, added to those `namespace_selector` selects; this pod's when both are unset."),
			"topology_key": reqString("Node label whose equal values form a domain, e.g. `kubernetes.io/hostname`."),
		}, map[string]schema.Block{
			"label_selector": single("Labels of the other pods.", map[string]schema.Attribute{
				"match_labels": strMap("Labels a pod must have."),
			}, map[string]schema.Block{"match_expressions": labelSelectorRequirementBlock()}),
			"namespace_selector": labelSelectorBlock("Labels of the namespaces of the other pods, added to `namespaces`. " +
				"An empty block (`namespace_selector {}`) selects every namespace; with neither this nor `namespaces`, " +
				"the term looks at this pod's namespace only."),
		}
}

func podAffinityBlock(desc string) schema.SingleNestedBlock {
	attrs, blocks := podAffinityTermAttrs()
	return single(desc, nil, map[string]schema.Block{
		"required_during_scheduling_ignored_during_execution": list("Terms that must hold.", attrs, blocks),
		"preferred_during_scheduling_ignored_during_execution": list("Weighted terms preferred.",
			map[string]schema.Attribute{"weight": weightAttribute()},
			map[string]schema.Block{"pod_affinity_term": required(single("The term.", attrs, blocks))}),
	})
}

// affinityBlock is the placement sub-schema shared with kubedaemon_placement:
// node affinity, and pod affinity and anti-affinity.
func affinityBlock() schema.SingleNestedBlock {
	return single("Constraints on the nodes the pods run on.", nil, map[string]schema.Block{
		"node_affinity": single("Node affinity.", nil, map[string]schema.Block{
			"required_during_scheduling_ignored_during_execution": single("Nodes must match one of the terms.", nil,
				map[string]schema.Block{
					"node_selector_term": list("Terms, ORed; the requirements within a term are ANDed.", nil, nodeSelectorTermBlocks()),
				}),
			"preferred_during_scheduling_ignored_during_execution": list("Weighted preferences.",
				map[string]schema.Attribute{"weight": weightAttribute()},
				map[string]schema.Block{"preference": required(single("The preferred term.", nil, nodeSelectorTermBlocks()))}),
		}),
		"pod_affinity":      podAffinityBlock("Run near pods that match."),
		"pod_anti_affinity": podAffinityBlock("Run away from pods that match."),
	})
}

// weightAttribute is the weight of a preferred scheduling term; Kubernetes
// rejects one outside 1-100, so the plan does too.
func weightAttribute() schema.Int64Attribute {
	return schema.Int64Attribute{
		Required: true, MarkdownDescription: "Weight, 1-100.",
		Validators: []validator.Int64{int64validator.Between(1, 100)},
	}
}

// emptySelectors are the API fields whose empty object differs from their
// absence: an empty labelSelector of a pod affinity term or a topology
// spread constraint selects every pod, an empty namespaceSelector every
// namespace, and an absent one none (or the pod's own namespace). Server-side
// apply records them only when the configuration sets them, so an import
// keeps them empty (managedDocument drops other empty objects).
var emptySelectors = map[string]bool{"labelSelector": true, "namespaceSelector": true}
