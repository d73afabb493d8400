package provider

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
)

// placementModel holds the placement fields of a pod template, in the shape
// of the DaemonSet resource's pod spec. affinity and toleration stay
// framework values: they convert to the API as the DaemonSet resource's do
// (modelToJSON), whatever their nesting.
type placementModel struct {
	NodeSelector types.Map    `tfsdk:"node_selector"`
	Affinity     types.Object `tfsdk:"affinity"`
	Toleration   types.List   `tfsdk:"toleration"`
	HostNetwork  types.Bool   `tfsdk:"host_network"`
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

// placementBlocks are the DaemonSet resource's own `affinity` and
// `toleration` blocks (daemonset_schema_placement.go), converted to data
// source blocks: a pod template's placement pastes into kubedaemon_placement
// unchanged, and the two can never drift apart.
func placementBlocks() map[string]schema.Block {
	return map[string]schema.Block{
		"affinity":   dataSourceBlock(affinityBlock()),
		"toleration": dataSourceBlock(tolerationBlock()),
	}
}

// dataSourceBlock converts a resource schema block to the same data source
// block: descriptions and validators carry over. It panics on a kind of
// block or attribute it does not know, which the schema tests catch.
func dataSourceBlock(b resourceschema.Block) schema.Block {
	switch b := b.(type) {
	case resourceschema.SingleNestedBlock:
		return schema.SingleNestedBlock{
			MarkdownDescription: b.MarkdownDescription, Description: b.Description,
			Attributes: dataSourceAttributes(b.Attributes), Blocks: dataSourceBlocks(b.Blocks),
			Validators: b.Validators,
		}
	case resourceschema.ListNestedBlock:
		return schema.ListNestedBlock{
			MarkdownDescription: b.MarkdownDescription, Description: b.Description,
			NestedObject: schema.NestedBlockObject{
				Attributes: dataSourceAttributes(b.NestedObject.Attributes),
				Blocks:     dataSourceBlocks(b.NestedObject.Blocks),
				Validators: b.NestedObject.Validators,
			},
			Validators: b.Validators,
		}
	}
	panic(fmt.Sprintf("dataSourceBlock: unsupported block %T", b))
}

func dataSourceBlocks(in map[string]resourceschema.Block) map[string]schema.Block {
	if in == nil {
		return nil
	}
	out := make(map[string]schema.Block, len(in))
	for name, b := range in {
		out[name] = dataSourceBlock(b)
	}
	return out
}

// dataSourceAttributes converts resource attributes. NOTE: defaults and plan
// modifiers have no data source counterpart and are left out; an unset
// attribute is then absent from the pod spec, which Kubernetes defaults the
// same way.
func dataSourceAttributes(in map[string]resourceschema.Attribute) map[string]schema.Attribute {
	if in == nil {
		return nil
	}
	out := make(map[string]schema.Attribute, len(in))
	for name, a := range in {
		switch a := a.(type) {
		case resourceschema.StringAttribute:
			out[name] = schema.StringAttribute{
				Required: a.Required, Optional: a.Optional, Computed: a.Computed && !a.Optional,
				MarkdownDescription: a.MarkdownDescription, Description: a.Description, Validators: a.Validators,
			}
		case resourceschema.Int64Attribute:
			out[name] = schema.Int64Attribute{
				Required: a.Required, Optional: a.Optional, Computed: a.Computed && !a.Optional,
				MarkdownDescription: a.MarkdownDescription, Description: a.Description, Validators: a.Validators,
			}
		case resourceschema.BoolAttribute:
			out[name] = schema.BoolAttribute{
				Required: a.Required, Optional: a.Optional, Computed: a.Computed && !a.Optional,
				MarkdownDescription: a.MarkdownDescription, Description: a.Description, Validators: a.Validators,
			}
		case resourceschema.ListAttribute:
			out[name] = schema.ListAttribute{
				Required: a.Required, Optional: a.Optional, Computed: a.Computed && !a.Optional,
				ElementType:         a.ElementType,
				MarkdownDescription: a.MarkdownDescription, Description: a.Description, Validators: a.Validators,
			}
		case resourceschema.MapAttribute:
			out[name] = schema.MapAttribute{
				Required: a.Required, Optional: a.Optional, Computed: a.Computed && !a.Optional,
				ElementType:         a.ElementType,
				MarkdownDescription: a.MarkdownDescription, Description: a.Description, Validators: a.Validators,
			}
		default:
			panic(fmt.Sprintf("dataSourceAttributes: unsupported attribute %s of type %T", name, a))
		}
	}
	return out
}

// podSpec returns the placement fields as a pod spec. affinity and
// toleration go through the DaemonSet resource's conversion to API JSON.
func (m *placementModel) podSpec() (*corev1.PodSpec, error) {
	var unknown []path.Path
	doc := map[string]any{}
	if j := modelToJSON(m.Affinity, path.Root("affinity"), "affinity", &unknown); j != nil {
		doc["affinity"] = j
	}
	if j := modelToJSON(m.Toleration, path.Root("toleration"), "toleration", &unknown); j != nil {
		doc["tolerations"] = j
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s is unknown", unknown[0])
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode placement fields: %w", err)
	}
	spec := &corev1.PodSpec{}
	if err := json.Unmarshal(raw, spec); err != nil {
		return nil, fmt.Errorf("decode placement fields: %w", err)
	}
	spec.HostNetwork = m.HostNetwork.ValueBool()
	if !m.NodeSelector.IsNull() {
		spec.NodeSelector = mapStrings(m.NodeSelector)
	}
	return spec, nil
}
