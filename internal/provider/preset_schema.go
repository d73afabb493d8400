package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// presetNameValidators check a release name or namespace: a DNS label, as
// object names derive from it.
func presetNameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(1, 63),
		stringvalidator.RegexMatches(presetDNSLabel, "must be a DNS label: lowercase letters, digits and '-', "+
			"starting and ending with a letter or digit, e.g. \"node-exporter\""),
	}
}

// presetSetTypeValidators check a set block's type.
func presetSetTypeValidators() []validator.String {
	return []validator.String{stringvalidator.OneOf(presetSetTypes...)}
}

// presetInputAttributesV0 are the resource's input attributes.
func presetInputAttributesV0() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"preset": schema.StringAttribute{
			Required: true, MarkdownDescription: presetPresetDescription,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"name": schema.StringAttribute{
			Optional: true, Computed: true, MarkdownDescription: presetNameDescription + " Changing it replaces the resource.",
			Validators: presetNameValidators(),
		},
		"namespace": schema.StringAttribute{
			Optional: true, Computed: true, MarkdownDescription: presetNamespaceDescription + " Changing it replaces the resource.",
			Validators: presetNameValidators(),
		},
		"values": schema.ListAttribute{
			Optional: true, ElementType: types.StringType, MarkdownDescription: presetValuesDescription,
		},
		"strict": schema.BoolAttribute{
			Optional: true, Computed: true, Default: booldefault.StaticBool(false), MarkdownDescription: presetStrictDescription,
		},
	}
}

// presetSetBlockV0 is the resource's set block.
func presetSetBlockV0() schema.Block {
	return schema.ListNestedBlock{
		MarkdownDescription: presetSetDescription,
		NestedObject: schema.NestedBlockObject{
			Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{
					Required: true, MarkdownDescription: presetSetNameDescription,
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"value": schema.StringAttribute{Required: true, MarkdownDescription: presetSetValueDescription},
				"type": schema.StringAttribute{
					Optional: true, MarkdownDescription: presetSetTypeDescription(),
					Validators: presetSetTypeValidators(),
				},
			},
		},
	}
}

// presetSetSensitiveBlockV0 is the resource's set_sensitive block: a set
// block whose value Terraform keeps out of the plan and the state.
func presetSetSensitiveBlockV0() schema.Block {
	b, ok := presetSetBlockV0().(schema.ListNestedBlock)
	if !ok {
		panic("presetSetBlockV0 is not a list nested block")
	}
	attrs := make(map[string]schema.Attribute, len(b.NestedObject.Attributes))
	for k, v := range b.NestedObject.Attributes {
		attrs[k] = v
	}
	attrs["value"] = schema.StringAttribute{
		Required: true, Sensitive: true, WriteOnly: true,
		MarkdownDescription: presetSetValueDescription + " Write-only: Terraform keeps it out of the plan and " +
			"the state (Terraform 1.11 or later); wherever it appears in `objects` and `manifest` it is redacted as " +
			"`(sensitive value sha256:...)`.",
	}
	b.NestedObject.Attributes = attrs
	b.MarkdownDescription = "A secret value at a values path, as `helm --set` (and `set_sensitive` of " +
		"`helm_release`): applied with the `set` blocks in Helm's order by type (every `json` value, then `auto`, then `string`; within a type, `set` blocks first), never shown in plan output, never stored in the state. A Secret's " +
		"`data` and `stringData` are redacted in `objects` and `manifest` whatever set them."
	return b
}

// presetInputDataSourceAttributes are the data source's input attributes.
func presetInputDataSourceAttributes() map[string]dsschema.Attribute {
	return map[string]dsschema.Attribute{
		"preset": dsschema.StringAttribute{
			Required: true, MarkdownDescription: presetPresetDescription,
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"name": dsschema.StringAttribute{
			Optional: true, MarkdownDescription: presetNameDescription, Validators: presetNameValidators(),
		},
		"namespace": dsschema.StringAttribute{
			Optional: true, MarkdownDescription: presetNamespaceDescription, Validators: presetNameValidators(),
		},
		"values": dsschema.ListAttribute{
			Optional: true, ElementType: types.StringType, MarkdownDescription: presetValuesDescription,
		},
		"strict": dsschema.BoolAttribute{Optional: true, MarkdownDescription: presetStrictDescription},
	}
}

// presetSetDataSourceBlock is the data source's set block: the resource's,
// converted, so that the two cannot drift apart.
func presetSetDataSourceBlock() dsschema.Block {
	return dataSourceBlock(presetSetBlockV0())
}
