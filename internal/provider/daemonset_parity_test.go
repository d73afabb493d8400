package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// fullValue is a value of type t with every attribute set, each nested
// object once: a string is its attribute's name, a number 1, a bool true,
// a quantity "1", a map one entry.
func fullValue(t attr.Type, name string) attr.Value {
	switch t := t.(type) {
	case basetypes.ObjectType:
		vals := make(map[string]attr.Value, len(t.AttrTypes))
		for k, at := range t.AttrTypes {
			vals[k] = fullValue(at, k)
		}
		return types.ObjectValueMust(t.AttrTypes, vals)
	case basetypes.ListType:
		return types.ListValueMust(t.ElemType, []attr.Value{fullValue(t.ElemType, name)})
	case basetypes.MapType:
		return types.MapValueMust(t.ElemType, map[string]attr.Value{"example.com/key": fullValue(t.ElemType, name)})
	case quantityType:
		return quantityValue{StringValue: types.StringValue("1")}
	case basetypes.StringType:
		return types.StringValue("v-" + name)
	case basetypes.Int64Type:
		return types.Int64Value(1)
	case basetypes.BoolType:
		return types.BoolValue(true)
	}
	panic(fmt.Sprintf("fullValue: unexpected type %T of %s", t, name))
}

// Every attribute of kubedaemon_daemonset's metadata and spec, the pod-spec
// parity fields with hashicorp/kubernetes' names among them, is a field of
// the Kubernetes API under the name the conversion gives it: a model with
// all of them set decodes into an apps/v1 DaemonSet with unknown fields
// refused, and comes back from it unchanged.
func TestDaemonSetSchemaEveryAttributeRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := daemonSetSchemaV0(ctx)
	metaType, specType := s.Blocks["metadata"].Type(), s.Blocks["spec"].Type()
	meta, ok := fullValue(metaType, "metadata").(basetypes.ObjectValue)
	if !ok {
		t.Fatal("metadata is not an object")
	}
	spec, ok := fullValue(specType, "spec").(basetypes.ObjectValue)
	if !ok {
		t.Fatal("spec is not an object")
	}
	m := daemonSetResourceModel{Metadata: meta, Spec: spec}
	ds, _, err := daemonSetFromModel(&m)
	if err != nil {
		t.Fatalf("an attribute is not an API field under its converted name: %v", err)
	}
	ds.Spec.Template.Spec.Containers[0].Name = "v-name" // the decoder keeps it; sanity of the walk
	doc, err := toJSONMap(ds)
	if err != nil {
		t.Fatal(err)
	}
	gotSpec, err := jsonToModel(doc["spec"], specType, "spec")
	if err != nil {
		t.Fatal(err)
	}
	if !gotSpec.Equal(spec) {
		// Where: the model's own API JSON against the API object's, both
		// with exact key names (encoding/json matches names case-insensitively
		// when it decodes, so a wrong capital passes the decode).
		sent, _ := modelDocument(&m)
		want, err := toJSONMap(sent)
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("spec does not come back unchanged from the API object; names (-converted +API):\n%s",
			cmp.Diff(want["spec"], doc["spec"]))
	}
}
