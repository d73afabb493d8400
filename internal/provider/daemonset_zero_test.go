package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
)

// zeroOf is the zero value of a scalar attribute type, in the API JSON the
// model converts to, and whether t is a scalar.
func zeroOf(t attr.Type) (any, bool) {
	switch t.(type) {
	case basetypes.StringTypable:
		return "", true
	case basetypes.Int64Typable:
		return int64(0), true
	case basetypes.BoolTypable:
		return false, true
	}
	return nil, false
}

// documentWith is the smallest API document that holds value at field.
// The objects of lists on the way get the fields Kubernetes identifies
// list elements by (a name, a container port, a mount path), as any real
// configuration has them.
func documentWith(root basetypes.ObjectType, field string, value any) map[string]any {
	steps := parseFieldPath(field)
	var build func(i int, t attr.Type) any
	build = func(i int, t attr.Type) any {
		if i == len(steps) {
			return value
		}
		st := steps[i]
		switch {
		case st.name != "":
			obj, _ := t.(basetypes.ObjectType)
			_, at, _ := attributeForJSON(obj, st.name)
			return map[string]any{st.name: build(i+1, at)}
		case st.isIndex:
			lt, _ := t.(basetypes.ListType)
			elem := build(i+1, lt.ElemType)
			if m, ok := elem.(map[string]any); ok {
				if obj, ok := lt.ElemType.(basetypes.ObjectType); ok {
					identify(m, obj)
				}
			}
			return []any{elem}
		default:
			mt, _ := t.(basetypes.MapType)
			return map[string]any{st.bracket: build(i+1, mt.ElemType)}
		}
	}
	doc, _ := build(0, root).(map[string]any)
	return doc
}

// identify gives a list element the fields that identify it, unless it
// has them already.
func identify(m map[string]any, obj basetypes.ObjectType) {
	ids := []struct {
		attr, json string
		value      any
	}{
		{"name", "name", "n"},
		{"container_port", "containerPort", int64(1)},
		{"mount_path", "mountPath", "/m"},
	}
	for _, id := range ids {
		if _, has := obj.AttrTypes[id.attr]; has {
			if _, set := m[id.json]; !set {
				m[id.json] = id.value
			}
		}
	}
}

// valueAt is the value at field in doc, and whether it is there.
func valueAt(doc any, field string) (any, bool) {
	cur := doc
	for _, st := range parseFieldPath(field) {
		switch {
		case st.name != "" || !st.isIndex:
			key := st.name
			if key == "" {
				key = st.bracket
			}
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[key]; !ok {
				return nil, false
			}
		default:
			l, ok := cur.([]any)
			if !ok || len(l) == 0 {
				return nil, false
			}
			cur = l[0]
		}
	}
	return cur, true
}

// refusedAt reports whether diags hold an error on p.
func refusedAt(diags diag.Diagnostics, p path.Path) bool {
	for _, d := range diags.Errors() {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().Equal(p) {
			return true
		}
	}
	return false
}

// schemaRefuses runs the attribute's own validators on value.
func schemaRefuses(ctx context.Context, a any, p path.Path, value any) bool {
	var diags diag.Diagnostics
	switch a := a.(type) {
	case schema.StringAttribute:
		for _, v := range a.Validators {
			resp := &validator.StringResponse{}
			v.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: types.StringValue(value.(string))}, resp)
			diags.Append(resp.Diagnostics...)
		}
	case schema.Int64Attribute:
		for _, v := range a.Validators {
			resp := &validator.Int64Response{}
			v.ValidateInt64(ctx, validator.Int64Request{Path: p, ConfigValue: types.Int64Value(value.(int64))}, resp)
			diags.Append(resp.Diagnostics...)
		}
	}
	return diags.HasError()
}

// TestZeroValuesRoundTrip sets every optional number, bool and string of
// the schema, one at a time, to its zero value and checks that the
// configuration either refuses it on that attribute or reads it back as
// configured after the trip through the API's types that apply and read
// make (Kubernetes leaves zero values of plain fields out of the objects it
// returns): no zero value may make the apply fail with "Provider produced
// inconsistent result after apply".
func TestZeroValuesRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := daemonSetSchemaV0(ctx)
	root := daemonSetAPIType()
	checked := 0
	for _, p := range schemaPaths(path.Empty(), root) {
		a, d := s.AttributeAtPath(ctx, p)
		if d.HasError() || !a.IsOptional() {
			continue
		}
		zero, ok := zeroOf(a.GetType())
		if !ok {
			continue
		}
		field, ok := attributeFieldPath(root, p)
		if !ok {
			t.Fatalf("%s: no API field path", p)
		}
		checked++
		doc := documentWith(root, field, zero)
		if schemaRefuses(ctx, a, p, zero) || refusedAt(validateDocument(doc, nil), p) {
			continue
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var ds appsv1.DaemonSet
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ds); err != nil {
			t.Errorf("%s = %s: the provider accepts it, but it does not decode as a DaemonSet: %s", p, showJSON(zero), err)
			continue
		}
		live, err := toJSONMap(&ds)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := valueAt(pruneTo(live, doc), field)
		if !ok || showJSON(got) != showJSON(zero) {
			t.Errorf("%s = %s reads back as %s (present %v)", p, showJSON(zero), showJSON(got), ok)
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d attributes", checked)
	}
	t.Logf("%d optional scalar attributes checked", checked)
}
