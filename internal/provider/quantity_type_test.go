package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestQuantitySemanticEquals(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		prior, proposed quantityValue
		want            bool
	}{
		"same spelling":              {quantityStringValue("100m"), quantityStringValue("100m"), true},
		"decimal and milli":          {quantityStringValue("100m"), quantityStringValue("0.1"), true},
		"binary suffixes":            {quantityStringValue("512Mi"), quantityStringValue("0.5Gi"), true},
		"whole cores":                {quantityStringValue("2"), quantityStringValue("2000m"), true},
		"exponent and decimal":       {quantityStringValue("1k"), quantityStringValue("1e3"), true},
		"different amounts":          {quantityStringValue("100m"), quantityStringValue("0.2"), false},
		"decimal and binary differ":  {quantityStringValue("1G"), quantityStringValue("1Gi"), false},
		"unparsable equals itself":   {quantityStringValue("a lot"), quantityStringValue("a lot"), true},
		"unparsable and other":       {quantityStringValue("a lot"), quantityStringValue("100m"), false},
		"null prior":                 {quantityValue{StringValue: types.StringNull()}, quantityStringValue("1"), false},
		"unknown proposed":           {quantityStringValue("1"), quantityValue{StringValue: types.StringUnknown()}, false},
		"null and null are no match": {quantityValue{StringValue: types.StringNull()}, quantityValue{StringValue: types.StringNull()}, false},
	} {
		t.Run(name, func(t *testing.T) {
			got, diags := tc.prior.StringSemanticEquals(ctx, tc.proposed)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if got != tc.want {
				t.Errorf("%s.StringSemanticEquals(%s) = %v, want %v", tc.prior, tc.proposed, got, tc.want)
			}
		})
	}
}

func TestQuantityTypeFromTerraform(t *testing.T) {
	ctx := context.Background()
	v, err := quantityType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, "0.1"))
	if err != nil {
		t.Fatal(err)
	}
	q, ok := v.(quantityValue)
	if !ok || q.ValueString() != "0.1" {
		t.Fatalf("ValueFromTerraform = %#v, want quantityValue 0.1", v)
	}
	if !q.Type(ctx).Equal(quantityType{}) || q.Type(ctx).Equal(types.StringType) {
		t.Errorf("Type() = %s, want quantityType only", q.Type(ctx))
	}
	if q.Equal(types.StringValue("0.1")) {
		t.Error("a quantity value equals a plain string value; the framework would mix up the types")
	}
	null, err := quantityType{}.ValueFromTerraform(ctx, tftypes.NewValue(tftypes.String, nil))
	if err != nil || !null.IsNull() {
		t.Errorf("ValueFromTerraform(null) = %v, %v; want a null value", null, err)
	}
}

func TestQuantityPlanModifyString(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		state, plan types.String
		want        string
	}{
		"same amount keeps the prior spelling": {types.StringValue("100m"), types.StringValue("0.1"), "100m"},
		"new amount is planned":                {types.StringValue("100m"), types.StringValue("0.2"), "0.2"},
		"create plans the configuration":       {types.StringNull(), types.StringValue("0.1"), "0.1"},
		"removed stays removed":                {types.StringValue("100m"), types.StringNull(), "<null>"},
	} {
		t.Run(name, func(t *testing.T) {
			req := planmodifier.StringRequest{StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			resp := &planmodifier.StringResponse{PlanValue: tc.plan}
			quantitySemanticEquality{}.PlanModifyString(ctx, req, resp)
			got := resp.PlanValue.ValueString()
			if resp.PlanValue.IsNull() {
				got = "<null>"
			}
			if got != tc.want {
				t.Errorf("planned %q, want %q", got, tc.want)
			}
		})
	}
}

func TestQuantityPlanModifyMap(t *testing.T) {
	ctx := context.Background()
	qmap := func(kv ...string) types.Map {
		elems := map[string]attr.Value{}
		for i := 0; i < len(kv); i += 2 {
			elems[kv[i]] = quantityStringValue(kv[i+1])
		}
		return types.MapValueMust(quantityType{}, elems)
	}
	for name, tc := range map[string]struct {
		state, plan, want types.Map
	}{
		"every element the same amount": {
			state: qmap("cpu", "100m", "memory", "512Mi"), plan: qmap("cpu", "0.1", "memory", "0.5Gi"),
			want: qmap("cpu", "100m", "memory", "512Mi"),
		},
		"one element changed plans the configuration": {
			state: qmap("cpu", "100m", "memory", "512Mi"), plan: qmap("cpu", "0.1", "memory", "1Gi"),
			want: qmap("cpu", "0.1", "memory", "1Gi"),
		},
		"a key added": {
			state: qmap("cpu", "100m"), plan: qmap("cpu", "0.1", "memory", "1Gi"),
			want: qmap("cpu", "0.1", "memory", "1Gi"),
		},
		"a key renamed": {
			state: qmap("cpu", "100m"), plan: qmap("memory", "100m"),
			want: qmap("memory", "100m"),
		},
		"create": {
			state: types.MapNull(quantityType{}), plan: qmap("cpu", "0.1"),
			want: qmap("cpu", "0.1"),
		},
		"removed": {
			state: qmap("cpu", "100m"), plan: types.MapNull(quantityType{}),
			want: types.MapNull(quantityType{}),
		},
	} {
		t.Run(name, func(t *testing.T) {
			req := planmodifier.MapRequest{StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
			resp := &planmodifier.MapResponse{PlanValue: tc.plan}
			quantitySemanticEquality{}.PlanModifyMap(ctx, req, resp)
			if !resp.PlanValue.Equal(tc.want) {
				t.Errorf("planned %s, want %s", resp.PlanValue, tc.want)
			}
		})
	}
}

// TestQuantityConversion: the conversion to and from the API keeps quantity
// attributes typed, so that the state holds quantityValue elements.
func TestQuantityConversion(t *testing.T) {
	s := daemonSetSchemaV0(context.Background())
	doc := map[string]any{
		"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{
				"name": "c", "image": "alpine",
				"resources": map[string]any{"requests": map[string]any{"cpu": "100m"}, "limits": map[string]any{"memory": "64Mi"}},
			}},
			"volumes": []any{map[string]any{"name": "scratch", "emptyDir": map[string]any{"sizeLimit": "1Gi"}}},
		}},
	}
	spec, err := jsonToModel(doc, s.Blocks["spec"].Type(), "spec")
	if err != nil {
		t.Fatal(err)
	}
	m := &daemonSetResourceModel{Metadata: types.ObjectNull(nil), Spec: spec.(types.Object)}
	back, unknown := modelDocument(m)
	if len(unknown) != 0 {
		t.Fatalf("unknown paths %v", unknown)
	}
	podSpec := dig(back, "spec", "template", "spec")
	c := objectList(podSpec["containers"])[0]
	if got := dig(c, "resources", "requests")["cpu"]; got != "100m" {
		t.Errorf("requests.cpu = %#v, want \"100m\"", got)
	}
	if got := dig(c, "resources", "limits")["memory"]; got != "64Mi" {
		t.Errorf("limits.memory = %#v, want \"64Mi\"", got)
	}
	if got := dig(objectList(podSpec["volumes"])[0], "emptyDir")["sizeLimit"]; got != "1Gi" {
		t.Errorf("emptyDir.sizeLimit = %#v, want \"1Gi\"", got)
	}
}

func TestSemanticallyUnchanged(t *testing.T) {
	ctx := context.Background()
	sch := schema.Schema{Attributes: map[string]schema.Attribute{
		"status":   schema.StringAttribute{Computed: true},
		"image":    schema.StringAttribute{Optional: true},
		"requests": quantityMap("Requests."),
		"limit":    optQuantity("Limit."),
	}}
	objType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"status": tftypes.String, "image": tftypes.String, "limit": tftypes.String,
		"requests": tftypes.Map{ElementType: tftypes.String},
	}}
	value := func(status, image any, limit string, requests map[string]string) tftypes.Value {
		req := map[string]tftypes.Value{}
		for k, v := range requests {
			req[k] = tftypes.NewValue(tftypes.String, v)
		}
		return tftypes.NewValue(objType, map[string]tftypes.Value{
			"status": tftypes.NewValue(tftypes.String, status), "image": tftypes.NewValue(tftypes.String, image),
			"limit": tftypes.NewValue(tftypes.String, limit), "requests": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, req),
		})
	}
	prior := value("3/3", "alpine", "1", map[string]string{"cpu": "100m", "memory": "512Mi"})
	for name, tc := range map[string]struct {
		planned tftypes.Value
		want    bool
	}{
		"identical":                     {prior, true},
		"spellings and unknown status":  {value(tftypes.UnknownValue, "alpine", "1000m", map[string]string{"cpu": "0.1", "memory": "0.5Gi"}), true},
		"another amount":                {value(tftypes.UnknownValue, "alpine", "1", map[string]string{"cpu": "0.2", "memory": "512Mi"}), false},
		"another image":                 {value(tftypes.UnknownValue, "busybox", "1", map[string]string{"cpu": "100m", "memory": "512Mi"}), false},
		"an image known only at apply":  {value(tftypes.UnknownValue, tftypes.UnknownValue, "1", map[string]string{"cpu": "100m", "memory": "512Mi"}), false},
		"a request removed":             {value(tftypes.UnknownValue, "alpine", "1", map[string]string{"cpu": "100m"}), false},
		"a string that is no quantity":  {value(tftypes.UnknownValue, "alpine:1.0", "1", map[string]string{"cpu": "100m", "memory": "512Mi"}), false},
		"a request renamed, same value": {value(tftypes.UnknownValue, "alpine", "1", map[string]string{"cpu": "100m", "storage": "512Mi"}), false},
	} {
		t.Run(name, func(t *testing.T) {
			plan := tfsdk.Plan{Schema: sch, Raw: tc.planned}
			state := tfsdk.State{Schema: sch, Raw: prior}
			if got := semanticallyUnchanged(ctx, plan, state); got != tc.want {
				t.Errorf("semanticallyUnchanged = %v, want %v", got, tc.want)
			}
		})
	}
}
