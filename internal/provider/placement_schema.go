package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
)

// Allowed values of the placement blocks; each list feeds a validator and a
// description.
var (
	placementTolerationOperators = []string{string(corev1.TolerationOpEqual), string(corev1.TolerationOpExists)}
	placementNodeOperators       = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}
)

// placementModel holds the placement fields of a pod template, in the shape
// of the DaemonSet resource's (and hashicorp/kubernetes') pod spec.
type placementModel struct {
	NodeSelector types.Map                  `tfsdk:"node_selector"`
	Affinity     *placementAffinityModel    `tfsdk:"affinity"`
	Toleration   []placementTolerationModel `tfsdk:"toleration"`
	HostNetwork  types.Bool                 `tfsdk:"host_network"`
}

type placementAffinityModel struct {
	NodeAffinity *placementNodeAffinityModel `tfsdk:"node_affinity"`
}

type placementNodeAffinityModel struct {
	Required  *placementNodeSelectorModel `tfsdk:"required_during_scheduling_ignored_during_execution"`
	Preferred []placementPreferredModel   `tfsdk:"preferred_during_scheduling_ignored_during_execution"`
}

type placementNodeSelectorModel struct {
	Terms []placementTermModel `tfsdk:"node_selector_term"`
}

type placementPreferredModel struct {
	Weight     types.Int64         `tfsdk:"weight"`
	Preference *placementTermModel `tfsdk:"preference"`
}

type placementTermModel struct {
	MatchExpressions []placementRequirementModel `tfsdk:"match_expressions"`
	MatchFields      []placementRequirementModel `tfsdk:"match_fields"`
}

type placementRequirementModel struct {
	Key      types.String `tfsdk:"key"`
	Operator types.String `tfsdk:"operator"`
	Values   types.List   `tfsdk:"values"`
}

type placementTolerationModel struct {
	Key               types.String `tfsdk:"key"`
	Operator          types.String `tfsdk:"operator"`
	Value             types.String `tfsdk:"value"`
	Effect            types.String `tfsdk:"effect"`
	TolerationSeconds types.Int64  `tfsdk:"toleration_seconds"`
}

// placementAttributes and placementBlocks are the data source schema of the
// placement fields.
func placementAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"node_selector": schema.MapAttribute{
			Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Labels a node must have, e.g. `{ env = \"prod\" }`.",
		},
		"host_network": schema.BoolAttribute{
			Optional: true,
			MarkdownDescription: "Whether the pods use the host's network; the DaemonSet controller then also " +
				"tolerates `node.kubernetes.io/network-unavailable`.",
		},
	}
}

func placementBlocks() map[string]schema.Block {
	term := func(desc string) schema.NestedBlockObject {
		return schema.NestedBlockObject{Blocks: map[string]schema.Block{
			"match_expressions": placementRequirementBlock("Requirements on node labels."),
			"match_fields":      placementRequirementBlock("Requirements on node fields (`metadata.name`)."),
		}}
	}
	return map[string]schema.Block{
		"affinity": schema.SingleNestedBlock{
			MarkdownDescription: "Node affinity, as in a pod spec.",
			Blocks: map[string]schema.Block{
				"node_affinity": schema.SingleNestedBlock{
					MarkdownDescription: "Node affinity.",
					Blocks: map[string]schema.Block{
						"required_during_scheduling_ignored_during_execution": schema.SingleNestedBlock{
							MarkdownDescription: "Nodes must match one of the terms.",
							Blocks: map[string]schema.Block{
								"node_selector_term": schema.ListNestedBlock{
									MarkdownDescription: "Terms, ORed; the requirements within a term are ANDed.",
									NestedObject:        term("A term."),
								},
							},
						},
						"preferred_during_scheduling_ignored_during_execution": schema.ListNestedBlock{
							MarkdownDescription: "Weighted preferences. They never exclude a node.",
							NestedObject: schema.NestedBlockObject{
								Attributes: map[string]schema.Attribute{
									"weight": schema.Int64Attribute{Required: true, MarkdownDescription: "Weight, 1-100."},
								},
								Blocks: map[string]schema.Block{
									"preference": schema.SingleNestedBlock{
										MarkdownDescription: "The preferred term.",
										Blocks:              term("").Blocks,
									},
								},
							},
						},
					},
				},
			},
		},
		"toleration": schema.ListNestedBlock{
			MarkdownDescription: "Taints the pods tolerate, besides the node-condition taints every DaemonSet pod tolerates.",
			NestedObject: schema.NestedBlockObject{
				Attributes: map[string]schema.Attribute{
					"key": schema.StringAttribute{Optional: true, MarkdownDescription: "Taint key; empty with `Exists` tolerates every taint."},
					"operator": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Defaults to `Equal`. " + oneOfValues(placementTolerationOperators),
						Validators:          []validator.String{stringvalidator.OneOf(placementTolerationOperators...)},
					},
					"value": schema.StringAttribute{Optional: true, MarkdownDescription: "Taint value, for `Equal`."},
					"effect": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Effect to tolerate; every effect when unset. " + oneOfValues(nodeTaintEffects),
						Validators:          []validator.String{stringvalidator.OneOf(nodeTaintEffects...)},
					},
					"toleration_seconds": schema.Int64Attribute{
						Optional: true, MarkdownDescription: "For `NoExecute`: seconds the pod stays after the taint appears.",
					},
				},
			},
		},
	}
}

func placementRequirementBlock(desc string) schema.ListNestedBlock {
	return schema.ListNestedBlock{
		MarkdownDescription: desc,
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				"key": schema.StringAttribute{Required: true, MarkdownDescription: "Label key, or field name for `match_fields`."},
				"operator": schema.StringAttribute{
					Required: true, MarkdownDescription: oneOfValues(placementNodeOperators),
					Validators: []validator.String{stringvalidator.OneOf(placementNodeOperators...)},
				},
				"values": schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "Values."},
			},
		},
	}
}

// podSpec returns the placement fields as a pod spec.
func (m *placementModel) podSpec() *corev1.PodSpec {
	spec := &corev1.PodSpec{HostNetwork: m.HostNetwork.ValueBool()}
	if !m.NodeSelector.IsNull() {
		spec.NodeSelector = mapStrings(m.NodeSelector)
	}
	for _, t := range m.Toleration {
		tol := corev1.Toleration{
			Key: t.Key.ValueString(), Operator: corev1.TolerationOperator(t.Operator.ValueString()),
			Value: t.Value.ValueString(), Effect: corev1.TaintEffect(t.Effect.ValueString()),
		}
		if !t.TolerationSeconds.IsNull() {
			s := t.TolerationSeconds.ValueInt64()
			tol.TolerationSeconds = &s
		}
		spec.Tolerations = append(spec.Tolerations, tol)
	}
	if m.Affinity == nil || m.Affinity.NodeAffinity == nil {
		return spec
	}
	na := &corev1.NodeAffinity{}
	if req := m.Affinity.NodeAffinity.Required; req != nil {
		ns := &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{}}
		for _, t := range req.Terms {
			ns.NodeSelectorTerms = append(ns.NodeSelectorTerms, t.term())
		}
		na.RequiredDuringSchedulingIgnoredDuringExecution = ns
	}
	for _, p := range m.Affinity.NodeAffinity.Preferred {
		pt := corev1.PreferredSchedulingTerm{Weight: int32(p.Weight.ValueInt64())}
		if p.Preference != nil {
			pt.Preference = p.Preference.term()
		}
		na.PreferredDuringSchedulingIgnoredDuringExecution = append(na.PreferredDuringSchedulingIgnoredDuringExecution, pt)
	}
	spec.Affinity = &corev1.Affinity{NodeAffinity: na}
	return spec
}

func (t placementTermModel) term() corev1.NodeSelectorTerm {
	conv := func(reqs []placementRequirementModel) []corev1.NodeSelectorRequirement {
		var out []corev1.NodeSelectorRequirement
		for _, r := range reqs {
			out = append(out, corev1.NodeSelectorRequirement{
				Key: r.Key.ValueString(), Operator: corev1.NodeSelectorOperator(r.Operator.ValueString()), Values: listStrings(r.Values),
			})
		}
		return out
	}
	return corev1.NodeSelectorTerm{MatchExpressions: conv(t.MatchExpressions), MatchFields: conv(t.MatchFields)}
}
