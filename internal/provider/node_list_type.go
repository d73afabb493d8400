package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// nodeListType is the type of the `nodes` attribute of kubedaemon_node_labels
// and kubedaemon_node_taints: a list of node names that can hold thousands.
//
// After every Read the framework compares the new state with the prior one
// for semantic equality, and a plain list has it walk each element with its
// own logging context: 5 000 nodes cost more than the paged listing of them
// (measured on a 5 000-node refresh). nodeListValue says at once whether
// the whole list is unchanged, so the walk happens only when a node joined
// or left.
var (
	_ basetypes.ListTypable                    = nodeListType{}
	_ basetypes.ListValuableWithSemanticEquals = nodeListValue{}
)

type nodeListType struct {
	basetypes.ListType
}

func newNodeListType() nodeListType {
	return nodeListType{ListType: basetypes.ListType{ElemType: types.StringType}}
}

func (t nodeListType) Equal(o attr.Type) bool {
	other, ok := o.(nodeListType)
	return ok && t.ListType.Equal(other.ListType)
}

func (t nodeListType) String() string {
	return "nodeListType"
}

func (t nodeListType) ValueFromList(_ context.Context, in basetypes.ListValue) (basetypes.ListValuable, diag.Diagnostics) {
	return nodeListValue{ListValue: in}, nil
}

func (t nodeListType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.ListType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	l, ok := v.(basetypes.ListValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return nodeListValue{ListValue: l}, nil
}

func (t nodeListType) ValueType(context.Context) attr.Value {
	return nodeListValue{}
}

// nodeListValue is a list of node names.
type nodeListValue struct {
	basetypes.ListValue
}

func (v nodeListValue) Type(context.Context) attr.Type {
	return newNodeListType()
}

func (v nodeListValue) Equal(o attr.Value) bool {
	other, ok := o.(nodeListValue)
	return ok && v.ListValue.Equal(other.ListValue)
}

// ListSemanticEquals reports whether the two lists hold the same names in
// the same order: semantic equality is plain equality here, said once for
// the list instead of once per element.
func (v nodeListValue) ListSemanticEquals(_ context.Context, o basetypes.ListValuable) (bool, diag.Diagnostics) {
	other, ok := o.(nodeListValue)
	return ok && v.ListValue.Equal(other.ListValue), nil
}

// nodeList is the list of the given names.
func nodeListOf(names []string) nodeListValue {
	elems := make([]attr.Value, len(names))
	for i, n := range names {
		elems[i] = types.StringValue(n)
	}
	return nodeListValue{ListValue: basetypes.NewListValueMust(types.StringType, elems)}
}

// nodeNames are the known names of a list.
func nodeNames(l nodeListValue) []string {
	return listStrings(l.ListValue)
}
