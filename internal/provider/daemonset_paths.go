package provider

import (
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// The API server names a field in its errors by its path in the object's
// JSON ("spec.template.spec.containers[0].ports[0].hostPort"); Terraform
// needs the attribute that holds it
// (spec.template.spec.container[0].port[0].host_port). Both names come from
// one rule, jsonName, applied to the schema: apiFieldPath walks the
// schema's types to invert it, so a field added to the schema maps with no
// further code.

// fieldStep is one step of an API field path: a field name, a list index
// ("[0]") or a map key ("[app]").
type fieldStep struct {
	name    string
	bracket string
	isIndex bool
}

// parseFieldPath splits an API field path into steps. Map keys may hold
// dots ("labels[app.kubernetes.io/name]"), so dots split only outside
// brackets.
func parseFieldPath(field string) []fieldStep {
	var steps []fieldStep
	var name strings.Builder
	flush := func() {
		if name.Len() > 0 {
			steps = append(steps, fieldStep{name: name.String()})
			name.Reset()
		}
	}
	for i := 0; i < len(field); i++ {
		switch c := field[i]; c {
		case '.':
			flush()
		case '[':
			flush()
			end := strings.IndexByte(field[i:], ']')
			if end < 0 {
				name.WriteString(field[i:])
				i = len(field)
				continue
			}
			inner := field[i+1 : i+end]
			_, err := strconv.Atoi(inner)
			steps = append(steps, fieldStep{bracket: inner, isIndex: err == nil})
			i += end
		default:
			name.WriteByte(c)
		}
	}
	flush()
	return steps
}

// apiFieldPath maps the API field path of a DaemonSet to the attribute
// path of kubedaemon_daemonset. A path that goes below what the schema
// models (a field kubedaemon does not expose, a key inside an atomic value)
// maps to its deepest attribute, and complete is false.
func apiFieldPath(root basetypes.ObjectType, field string) (p path.Path, complete bool) {
	var cur attr.Type = root
	p = path.Empty()
	for _, st := range parseFieldPath(field) {
		if st.name != "" {
			obj, ok := cur.(basetypes.ObjectType)
			if !ok {
				return p, false
			}
			tf, t, ok := attributeForJSON(obj, st.name)
			if !ok {
				// The API validates a pod template's metadata at the
				// template's own path ("spec.template.labels").
				meta, isObj := obj.AttrTypes["metadata"].(basetypes.ObjectType)
				if !isObj {
					return p, false
				}
				if tf, t, ok = attributeForJSON(meta, st.name); !ok {
					return p, false
				}
				p = p.AtName("metadata")
			}
			p, cur = p.AtName(tf), t
			continue
		}
		switch t := cur.(type) {
		case basetypes.ListType:
			i, err := strconv.Atoi(st.bracket)
			if err != nil {
				return p, false
			}
			p, cur = p.AtListIndex(i), t.ElemType
		case basetypes.MapType:
			p, cur = p.AtMapKey(st.bracket), t.ElemType
		default:
			return p, false
		}
	}
	return p, true
}

// attributeForJSON finds the attribute of obj whose API name is name.
func attributeForJSON(obj basetypes.ObjectType, name string) (string, attr.Type, bool) {
	for tf, t := range obj.AttrTypes {
		_, isList := t.(basetypes.ListType)
		if jsonName(tf, isList) == name {
			return tf, t, true
		}
	}
	return "", nil, false
}

// attributeFieldPath is apiFieldPath's inverse: the API field path of an
// attribute path, in the API server's notation.
func attributeFieldPath(root basetypes.ObjectType, p path.Path) (string, bool) {
	var b strings.Builder
	var cur attr.Type = root
	for _, st := range p.Steps() {
		switch st := st.(type) {
		case path.PathStepAttributeName:
			obj, ok := cur.(basetypes.ObjectType)
			if !ok {
				return "", false
			}
			t, ok := obj.AttrTypes[string(st)]
			if !ok {
				return "", false
			}
			_, isList := t.(basetypes.ListType)
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(jsonName(string(st), isList))
			cur = t
		case path.PathStepElementKeyInt:
			lt, ok := cur.(basetypes.ListType)
			if !ok {
				return "", false
			}
			b.WriteString("[" + strconv.FormatInt(int64(st), 10) + "]")
			cur = lt.ElemType
		case path.PathStepElementKeyString:
			mt, ok := cur.(basetypes.MapType)
			if !ok {
				return "", false
			}
			b.WriteString("[" + string(st) + "]")
			cur = mt.ElemType
		default:
			return "", false
		}
	}
	return b.String(), true
}
