package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
	}
}

// presetSetDataSourceBlock is the data source's set block.
func presetSetDataSourceBlock() dsschema.Block {
	return dsschema.ListNestedBlock{
		MarkdownDescription: presetSetDescription,
		NestedObject: dsschema.NestedBlockObject{
			Attributes: map[string]dsschema.Attribute{
				"name": dsschema.StringAttribute{
					Required: true, MarkdownDescription: presetSetNameDescription,
					Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
				},
				"value": dsschema.StringAttribute{Required: true, MarkdownDescription: presetSetValueDescription},
				"type": dsschema.StringAttribute{
					Optional: true, MarkdownDescription: presetSetTypeDescription(),
					Validators: presetSetTypeValidators(),
				},
			},
		},
	}
}
