package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Kubernetes stores a quantity in its canonical form: `cpu = "0.1"` reads
// back as "100m" and `memory = "0.5Gi"` as "512Mi". quantityType is the string type of every quantity attribute
// (resources requests and limits, empty_dir size_limit, resource_field_ref
// divisor) so that two spellings of the same amount are one value:
//
//   - after Create, Update and Read, the framework keeps the configured
//     spelling when the API's is semantically equal (StringSemanticEquals);
//   - at plan time the framework runs no semantic equality, so the plan
//     modifiers below keep the prior state's spelling when the configuration
//     says the same amount in other words. That matters after an import,
//     whose state holds the API's spelling.
//   - GOTCHA: the framework compares the configuration with the prior state
//     before any plan modifier runs, and on any raw difference marks every
//     computed attribute (status, generation, resource_version) unknown, so
//     that a different spelling alone would still plan an update.
//     priorWhenSemanticallyUnchanged, on those attributes, keeps their prior
//     value when the plan differs from the state in quantity spellings only.
var (
	_ basetypes.StringTypable                    = quantityType{}
	_ basetypes.StringValuableWithSemanticEquals = quantityValue{}
	_ planmodifier.String                        = quantitySemanticEquality{}
	_ planmodifier.Map                           = quantitySemanticEquality{}
	_ planmodifier.Object                        = priorWhenSemanticallyUnchanged{}
	_ planmodifier.Int64                         = priorWhenSemanticallyUnchanged{}
	_ planmodifier.String                        = priorWhenSemanticallyUnchanged{}
)

// quantityType is a string attribute type holding a Kubernetes quantity.
type quantityType struct {
	basetypes.StringType
}

func (t quantityType) Equal(o attr.Type) bool {
	_, ok := o.(quantityType)
	return ok
}

func (t quantityType) String() string {
	return "quantityType"
}

func (t quantityType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return quantityValue{StringValue: in}, nil
}

func (t quantityType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("quantity: unexpected value type %T", v)
	}
	return quantityValue{StringValue: s}, nil
}

func (t quantityType) ValueType(context.Context) attr.Value {
	return quantityValue{}
}

// quantityValue is a value of quantityType.
type quantityValue struct {
	basetypes.StringValue
}

// quantityStringValue wraps a known string as a quantity value.
func quantityStringValue(s string) quantityValue {
	return quantityValue{StringValue: basetypes.NewStringValue(s)}
}

func (v quantityValue) Equal(o attr.Value) bool {
	ov, ok := o.(quantityValue)
	return ok && v.StringValue.Equal(ov.StringValue)
}

func (v quantityValue) Type(context.Context) attr.Type {
	return quantityType{}
}

// StringSemanticEquals reports whether the new value is the same amount as
// v, e.g. "0.1" and "100m". A value that does not parse equals only itself
// (validation reports it, with its path, before any apply).
func (v quantityValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	nv, ok := newValuable.(quantityValue)
	if !ok {
		return false, nil
	}
	return sameKnownQuantity(v, nv), nil
}

// sameKnownQuantity: both values known, not null, and the same amount.
func sameKnownQuantity(a, b quantityValue) bool {
	if a.IsNull() || a.IsUnknown() || b.IsNull() || b.IsUnknown() {
		return false
	}
	return a.ValueString() == b.ValueString() || sameQuantity(a.ValueString(), b.ValueString())
}

// optQuantity is an optional quantity attribute.
func optQuantity(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true, CustomType: quantityType{}, MarkdownDescription: desc,
		PlanModifiers: []planmodifier.String{quantitySemanticEquality{}},
	}
}

// quantityMap is an optional map of quantities, keyed by resource name.
func quantityMap(desc string) schema.MapAttribute {
	return schema.MapAttribute{
		Optional: true, ElementType: quantityType{}, MarkdownDescription: desc,
		PlanModifiers: []planmodifier.Map{quantitySemanticEquality{}},
	}
}

// quantitySemanticEquality plans the prior state's value when the
// configuration holds the same quantities spelt differently. Terraform
// accepts a planned value that differs from the configuration only when it
// is the prior value as a whole, so a map keeps its prior value only when
// every element is the same amount; otherwise the configured map is planned
// (and Update keeps its spelling).
type quantitySemanticEquality struct{}

func (quantitySemanticEquality) Description(context.Context) string {
	return "A quantity written differently but equal in amount (\"0.1\" and \"100m\") is no change."
}

func (m quantitySemanticEquality) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (quantitySemanticEquality) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	planned, ok1 := quantityOf(req.PlanValue)
	prior, ok2 := quantityOf(req.StateValue)
	if ok1 && ok2 && !planned.Equal(prior) && sameKnownQuantity(prior, planned) {
		resp.PlanValue = req.StateValue
	}
}

func (quantitySemanticEquality) PlanModifyMap(_ context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.PlanValue.IsNull() || req.PlanValue.IsUnknown() || req.StateValue.IsNull() || req.StateValue.IsUnknown() ||
		req.PlanValue.Equal(req.StateValue) {
		return
	}
	planned, prior := req.PlanValue.Elements(), req.StateValue.Elements()
	if len(planned) != len(prior) {
		return
	}
	for k, pv := range planned {
		a, ok1 := quantityOf(pv)
		b, ok2 := quantityOf(prior[k])
		if !ok1 || !ok2 || !sameKnownQuantity(b, a) {
			return
		}
	}
	resp.PlanValue = req.StateValue
}

// quantityOf returns v as a quantity value, whether the framework hands it
// over as the custom type or as its underlying string.
func quantityOf(v attr.Value) (quantityValue, bool) {
	switch v := v.(type) {
	case quantityValue:
		return v, true
	case basetypes.StringValue:
		return quantityValue{StringValue: v}, true
	}
	return quantityValue{}, false
}

// priorWhenSemanticallyUnchanged plans a computed attribute's prior value
// when the framework marked it unknown although the plan differs from the
// prior state only in how quantities are written (see the GOTCHA above).
type priorWhenSemanticallyUnchanged struct{}

func (priorWhenSemanticallyUnchanged) Description(context.Context) string {
	return "Keeps the prior value when nothing but the spelling of a quantity changes."
}

func (m priorWhenSemanticallyUnchanged) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (priorWhenSemanticallyUnchanged) PlanModifyObject(ctx context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.PlanValue.IsUnknown() && !req.StateValue.IsNull() && semanticallyUnchanged(ctx, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (priorWhenSemanticallyUnchanged) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if req.PlanValue.IsUnknown() && !req.StateValue.IsNull() && semanticallyUnchanged(ctx, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (priorWhenSemanticallyUnchanged) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.PlanValue.IsUnknown() && !req.StateValue.IsNull() && semanticallyUnchanged(ctx, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

// semanticallyUnchanged reports whether plan holds the same values as state,
// where quantities compare by amount and an unknown value of a computed-only
// attribute (one the configuration cannot set) counts as unchanged. An
// unknown value anywhere else comes from the configuration and is a change.
func semanticallyUnchanged(ctx context.Context, plan tfsdk.Plan, state tfsdk.State) bool {
	if plan.Raw.IsNull() || state.Raw.IsNull() {
		return false
	}
	var same func(p *tftypes.AttributePath, planned, prior tftypes.Value) bool
	same = func(p *tftypes.AttributePath, planned, prior tftypes.Value) bool {
		if planned.Equal(prior) {
			return true
		}
		if !planned.IsKnown() {
			a, err := plan.Schema.AttributeAtTerraformPath(ctx, p)
			return err == nil && a.IsComputed() && !a.IsOptional() && !a.IsRequired()
		}
		if planned.IsNull() || prior.IsNull() || !prior.IsKnown() || !planned.Type().Equal(prior.Type()) {
			return false
		}
		switch planned.Type().(type) {
		case tftypes.Object:
			var pm, sm map[string]tftypes.Value
			if planned.As(&pm) != nil || prior.As(&sm) != nil {
				return false
			}
			for k, v := range pm {
				if !same(p.WithAttributeName(k), v, sm[k]) {
					return false
				}
			}
			return true
		case tftypes.List:
			var pl, sl []tftypes.Value
			if planned.As(&pl) != nil || prior.As(&sl) != nil || len(pl) != len(sl) {
				return false
			}
			for i := range pl {
				if !same(p.WithElementKeyInt(i), pl[i], sl[i]) {
					return false
				}
			}
			return true
		case tftypes.Map:
			var pm, sm map[string]tftypes.Value
			if planned.As(&pm) != nil || prior.As(&sm) != nil || len(pm) != len(sm) {
				return false
			}
			for k, v := range pm {
				sv, ok := sm[k]
				if !ok || !same(p.WithElementKeyString(k), v, sv) {
					return false
				}
			}
			return true
		}
		if t, err := plan.Schema.TypeAtTerraformPath(ctx, p); err != nil || !t.Equal(quantityType{}) {
			return false
		}
		var a, b string
		if planned.As(&a) != nil || prior.As(&b) != nil {
			return false
		}
		return sameQuantity(a, b)
	}
	return same(tftypes.NewAttributePath(), plan.Raw, state.Raw)
}
