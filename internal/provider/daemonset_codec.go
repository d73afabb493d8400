package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	appsv1 "k8s.io/api/apps/v1"
)

// A codec converts API JSON (decoded with UseNumber) to terraform-plugin-go
// values of a framework type and back, by the rules of jsonToModel and
// modelToJSON. It is the conversion of the state of kubedaemon_daemonset:
// Create, Update and Read set the state's value directly instead of
// building framework values and converting them with the framework's
// reflection, whose ObjectValue.ToTerraformValue computes the whole
// terraform type of every nested block again, for each block, null or not.
//
// A codec is a table computed once per type: for every object its fields
// in order, with their API names (jsonName), schema defaults and whether
// they are an IntOrString, and for every node its terraform type. It holds
// nothing per field: it is built from whatever the schema says, so that an
// attribute added to the schema converts with no code of its own.
type codec struct {
	kind codecKind
	// name is the attribute's (a list's elements share the list's name),
	// for error messages.
	name string
	tf   tftypes.Type
	// fields of an object, by attribute name.
	fields []codecField
	// elem of a list or map.
	elem *codec
	// intOrString: a string whose API type is IntOrString.
	intOrString bool
}

type codecKind int

const (
	codecObject codecKind = iota
	codecList
	codecMap
	codecString
	codecInt64
	codecBool
)

type codecField struct {
	name, json string
	codec      *codec
	// def is the schema default of an attribute the API leaves out
	// (schemaDefaults), or nil.
	def any
}

// newCodec builds the codec of t, the type of the attribute or block name.
func newCodec(ctx context.Context, t attr.Type, name string) (*codec, error) {
	return buildCodec(ctx, t, "", name)
}

// buildCodec builds the codec of t, attribute name of the object named
// parent.
func buildCodec(ctx context.Context, t attr.Type, parent, name string) (*codec, error) {
	c := &codec{name: name}
	switch t := t.(type) {
	case basetypes.ObjectType:
		c.kind = codecObject
		attrTypes := make(map[string]tftypes.Type, len(t.AttrTypes))
		for _, k := range slices.Sorted(maps.Keys(t.AttrTypes)) {
			at := t.AttrTypes[k]
			sub, err := buildCodec(ctx, at, name, k)
			if err != nil {
				return nil, err
			}
			_, isList := at.(basetypes.ListType)
			c.fields = append(c.fields, codecField{name: k, json: jsonName(k, isList), codec: sub, def: schemaDefaults[fieldKey{name, k}]})
			attrTypes[k] = sub.tf
		}
		c.tf = tftypes.Object{AttributeTypes: attrTypes}
		return c, nil
	case basetypes.ListType:
		elem, err := buildCodec(ctx, t.ElemType, parent, name)
		if err != nil {
			return nil, err
		}
		c.kind, c.elem, c.tf = codecList, elem, tftypes.List{ElementType: elem.tf}
		return c, nil
	case basetypes.MapType:
		elem, err := buildCodec(ctx, t.ElemType, parent, name)
		if err != nil {
			return nil, err
		}
		c.kind, c.elem, c.tf = codecMap, elem, tftypes.Map{ElementType: elem.tf}
		return c, nil
	case quantityType, basetypes.StringType:
		c.kind, c.intOrString = codecString, intOrStringFields[fieldKey{parent, name}]
	case basetypes.Int64Type:
		c.kind = codecInt64
	case basetypes.BoolType:
		c.kind = codecBool
	default:
		return nil, fmt.Errorf("%s: no conversion for attribute type %s", name, t)
	}
	c.tf = t.TerraformType(ctx)
	return c, nil
}

// fromJSON converts API JSON to a value of c's type; an attribute absent from
// an object that has a schema default gets that default.
func (c *codec) fromJSON(j any) (tftypes.Value, error) {
	if j == nil {
		return tftypes.NewValue(c.tf, nil), nil
	}
	switch c.kind {
	case codecObject:
		m, ok := j.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want an object, got %T", c.name, j)
		}
		vals := make(map[string]tftypes.Value, len(c.fields))
		for _, f := range c.fields {
			sub := m[f.json]
			if sub == nil && f.def != nil {
				sub = f.def
			}
			v, err := f.codec.fromJSON(sub)
			if err != nil {
				return tftypes.Value{}, err
			}
			vals[f.name] = v
		}
		return tftypes.NewValue(c.tf, vals), nil
	case codecList:
		a, ok := j.([]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want a list, got %T", c.name, j)
		}
		elems := make([]tftypes.Value, 0, len(a))
		for _, e := range a {
			v, err := c.elem.fromJSON(e)
			if err != nil {
				return tftypes.Value{}, err
			}
			elems = append(elems, v)
		}
		return tftypes.NewValue(c.tf, elems), nil
	case codecMap:
		m, ok := j.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("%s: want a map, got %T", c.name, j)
		}
		elems := make(map[string]tftypes.Value, len(m))
		for k, e := range m {
			v, err := c.elem.fromJSON(e)
			if err != nil {
				return tftypes.Value{}, err
			}
			elems[k] = v
		}
		return tftypes.NewValue(c.tf, elems), nil
	}
	if v, ok := c.scalarFromJSON(j); ok {
		return tftypes.NewValue(c.tf, v), nil
	}
	return tftypes.Value{}, fmt.Errorf("%s: cannot convert %T to %s", c.name, j, c.tf)
}

// scalarFromJSON is the Go value of a string, number or bool; ok is false
// when j does not fit c. A number or bool in a string attribute (an
// IntOrString, an annotation value) becomes its text.
func (c *codec) scalarFromJSON(j any) (any, bool) {
	switch c.kind {
	case codecString:
		switch v := j.(type) {
		case string:
			return v, true
		case json.Number:
			return v.String(), true
		case bool:
			return strconv.FormatBool(v), true
		}
	case codecInt64:
		switch v := j.(type) {
		case json.Number:
			if n, err := v.Int64(); err == nil {
				return new(big.Float).SetInt64(n), true
			}
		case int64:
			return new(big.Float).SetInt64(v), true
		}
	case codecBool:
		if v, ok := j.(bool); ok {
			return v, true
		}
	}
	return nil, false
}

// toJSON converts a value of c's type to its API JSON form, as modelToJSON
// converts the framework value: null and unknown values are left out.
func (c *codec) toJSON(v tftypes.Value) (any, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, nil
	}
	switch c.kind {
	case codecObject:
		var attrs map[string]tftypes.Value
		if err := v.As(&attrs); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		out := make(map[string]any, len(attrs))
		for _, f := range c.fields {
			j, err := f.codec.toJSON(attrs[f.name])
			if err != nil {
				return nil, err
			}
			if j != nil {
				out[f.json] = j
			}
		}
		return out, nil
	case codecList:
		var elems []tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		out := make([]any, 0, len(elems))
		for _, e := range elems {
			j, err := c.elem.toJSON(e)
			if err != nil {
				return nil, err
			}
			if j != nil {
				out = append(out, j)
			}
		}
		return out, nil
	case codecMap:
		var elems map[string]tftypes.Value
		if err := v.As(&elems); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		out := make(map[string]any, len(elems))
		for k, e := range elems {
			j, err := c.elem.toJSON(e)
			if err != nil {
				return nil, err
			}
			if j != nil {
				out[k] = j
			}
		}
		return out, nil
	case codecString:
		var s string
		if err := v.As(&s); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		return apiString(s, c.intOrString), nil
	case codecInt64:
		var f big.Float
		if err := v.As(&f); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		n, _ := f.Int64()
		return n, nil
	default:
		var b bool
		if err := v.As(&b); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		return b, nil
	}
}

// apiString is the API JSON of a string attribute: an IntOrString that
// parses as an integer goes to the API as a number.
func apiString(s string, intOrString bool) any {
	if intOrString {
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			return n
		}
	}
	return s
}

// daemonSetCodecs are the codecs of the metadata and spec blocks of
// kubedaemon_daemonset, built once per process from its schema.
type daemonSetCodecs struct {
	metadata, spec *codec
	state          tftypes.Object
}

var daemonSetCodecsOnce = sync.OnceValues(func() (*daemonSetCodecs, error) {
	ctx := context.Background()
	s := daemonSetSchemaV0(ctx)
	meta, err := newCodec(ctx, s.Blocks["metadata"].Type(), "metadata")
	if err != nil {
		return nil, err
	}
	spec, err := newCodec(ctx, s.Blocks["spec"].Type(), "spec")
	if err != nil {
		return nil, err
	}
	st, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("the schema of kubedaemon_daemonset is a %T, not an object", s.Type().TerraformType(ctx))
	}
	return &daemonSetCodecs{metadata: meta, spec: spec, state: st}, nil
})

// document is the API JSON of the metadata and spec of raw, a state or plan
// value of kubedaemon_daemonset: the mask of Read (modelDocument of the
// framework's model, without building it).
func (c *daemonSetCodecs) document(raw tftypes.Value) (map[string]any, error) {
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return nil, err
	}
	doc := map[string]any{"apiVersion": "apps/v1", "kind": "DaemonSet"}
	for _, part := range []struct {
		name  string
		codec *codec
	}{{"metadata", c.metadata}, {"spec", c.spec}} {
		j, err := part.codec.toJSON(attrs[part.name])
		if err != nil {
			return nil, err
		}
		if j != nil {
			doc[part.name] = j
		}
	}
	return doc, nil
}

// liveDaemonSet is what the state keeps of a live DaemonSet: its metadata
// and spec pruned to mask (see daemonSetToModel), its ID and status.
type liveDaemonSet struct {
	metadata, spec, id, status tftypes.Value
}

func (c *daemonSetCodecs) fromLive(ctx context.Context, live *appsv1.DaemonSet, mask map[string]any) (*liveDaemonSet, error) {
	kept, err := keptDocument(live, mask)
	if err != nil {
		return nil, err
	}
	out := &liveDaemonSet{id: tftypes.NewValue(tftypes.String, live.Namespace+"/"+live.Name)}
	if out.metadata, err = c.metadata.fromJSON(kept["metadata"]); err != nil {
		return nil, err
	}
	if out.spec, err = c.spec.fromJSON(kept["spec"]); err != nil {
		return nil, err
	}
	out.status, err = statusValue(live.Status).ToTerraformValue(ctx)
	return out, err
}

// withLive returns raw, a state or plan value of kubedaemon_daemonset, with
// its id, metadata, spec and status from live (pruned to mask); its other
// attributes (wait_for_rollout, timeouts, ...) are kept as they are.
func (c *daemonSetCodecs) withLive(ctx context.Context, raw tftypes.Value, live *appsv1.DaemonSet, mask map[string]any) (tftypes.Value, error) {
	l, err := c.fromLive(ctx, live, mask)
	if err != nil {
		return tftypes.Value{}, err
	}
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return tftypes.Value{}, err
	}
	attrs["id"], attrs["metadata"], attrs["spec"], attrs["status"] = l.id, l.metadata, l.spec, l.status
	return tftypes.NewValue(c.state, attrs), nil
}

// daemonSetPrior is what Read needs of the prior state of
// kubedaemon_daemonset: its ID, its spec (null after an import) and the API
// JSON of its metadata and spec, the mask of what it manages.
type daemonSetPrior struct {
	ID       types.String
	Spec     tftypes.Value
	document map[string]any
}

func priorDaemonSet(raw tftypes.Value) (*daemonSetPrior, error) {
	codecs, err := daemonSetCodecsOnce()
	if err != nil {
		return nil, err
	}
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		return nil, fmt.Errorf("read the state: %w", err)
	}
	var id *string
	if err := attrs["id"].As(&id); err != nil {
		return nil, fmt.Errorf("read the state's id: %w", err)
	}
	doc, err := codecs.document(raw)
	if err != nil {
		return nil, fmt.Errorf("read the state: %w", err)
	}
	return &daemonSetPrior{ID: types.StringPointerValue(id), Spec: attrs["spec"], document: doc}, nil
}

// setDaemonSetState sets state to raw (the plan's or the prior state's
// value) with the id, metadata, spec and status of live, pruned to mask.
func setDaemonSetState(ctx context.Context, raw tftypes.Value, live *appsv1.DaemonSet, mask map[string]any, state *tfsdk.State, diags *diag.Diagnostics) {
	codecs, err := daemonSetCodecsOnce()
	if err == nil {
		var v tftypes.Value
		if v, err = codecs.withLive(ctx, raw, live, mask); err == nil {
			state.Raw = v
			return
		}
	}
	diags.AddError("Cannot Read DaemonSet", fmt.Sprintf("convert daemonset %s/%s: %s", live.Namespace, live.Name, err))
}
