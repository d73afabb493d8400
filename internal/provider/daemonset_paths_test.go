package provider

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
)

// schemaPaths lists every attribute path under t, with index 0 for lists
// and the key "k" for maps.
func schemaPaths(p path.Path, t attr.Type) []path.Path {
	var out []path.Path
	switch t := t.(type) {
	case basetypes.ObjectType:
		for name, at := range t.AttrTypes {
			ap := p.AtName(name)
			out = append(out, ap)
			out = append(out, schemaPaths(ap, at)...)
		}
	case basetypes.ListType:
		ep := p.AtListIndex(0)
		out = append(out, ep)
		out = append(out, schemaPaths(ep, t.ElemType)...)
	case basetypes.MapType:
		ep := p.AtMapKey("k")
		out = append(out, ep)
		out = append(out, schemaPaths(ep, t.ElemType)...)
	}
	return out
}

// apiHasField reports whether the Go type of the API object has the field
// path, by the JSON names of its struct fields.
func apiHasField(t reflect.Type, steps []fieldStep) bool {
	for _, st := range steps {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if st.name == "" {
			switch t.Kind() {
			case reflect.Slice:
				if !st.isIndex {
					return false
				}
			case reflect.Map:
			default:
				return false
			}
			t = t.Elem()
			continue
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		f, ok := jsonField(t, st.name)
		if !ok {
			return false
		}
		t = f
	}
	return true
}

func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name {
			return f.Type, true
		}
		if tag == "" && f.Anonymous {
			if ft, ok := jsonField(f.Type, name); ok {
				return ft, true
			}
		}
	}
	return nil, false
}

// TestAPIFieldPathSchema checks, for every attribute of the schema, that its
// API field path names a real field of apps/v1 DaemonSet and maps back to
// the attribute.
func TestAPIFieldPathSchema(t *testing.T) {
	root := daemonSetAPIType()
	paths := schemaPaths(path.Empty(), root)
	if len(paths) < 200 {
		t.Fatalf("the schema walk found only %d paths", len(paths))
	}
	dsType := reflect.TypeFor[appsv1.DaemonSet]()
	for _, p := range paths {
		field, ok := attributeFieldPath(root, p)
		if !ok {
			t.Errorf("%s: no API field path", p)
			continue
		}
		if !apiHasField(dsType, parseFieldPath(field)) {
			t.Errorf("%s: API field path %q is not a field of apps/v1 DaemonSet", p, field)
		}
		back, complete := apiFieldPath(root, field)
		if !complete || !back.Equal(p) {
			t.Errorf("%s: %q maps back to %s (complete %v)", p, field, back, complete)
		}
	}
}

func TestAPIFieldPath(t *testing.T) {
	root := daemonSetAPIType()
	tests := map[string]struct {
		field    string
		want     string
		complete bool
	}{
		"host port": {
			field: "spec.template.spec.containers[0].ports[0].hostPort", complete: true,
			want: "spec.template.spec.container[0].port[0].host_port",
		},
		"label key with dots and slash": {
			field: "spec.template.metadata.labels[app.kubernetes.io/name]", complete: true,
			want: `spec.template.metadata.labels["app.kubernetes.io/name"]`,
		},
		"resource request": {
			field: "spec.template.spec.containers[1].resources.requests[cpu]", complete: true,
			want: `spec.template.spec.container[1].resources.requests["cpu"]`,
		},
		"downward api field ref": {
			field: "spec.template.spec.containers[0].env[2].valueFrom.fieldRef.fieldPath", complete: true,
			want: "spec.template.spec.container[0].env[2].value_from.field_ref.field_path",
		},
		"init container": {
			field: "spec.template.spec.initContainers[0].image", complete: true,
			want: "spec.template.spec.init_container[0].image",
		},
		"field kubedaemon does not model": {
			field: "spec.template.spec.containers[0].notAField.x", complete: false,
			want: "spec.template.spec.container[0]",
		},
		"template metadata at the template's path": {
			field: "spec.template.labels", complete: true,
			want: "spec.template.metadata.labels",
		},
		"whole object": {field: "metadata.name", want: "metadata.name", complete: true},
		"past the end": {field: "spec.template.spec.containers", want: "spec.template.spec.container", complete: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, complete := apiFieldPath(root, tc.field)
			if got.String() != tc.want || complete != tc.complete {
				t.Errorf("apiFieldPath(%q) = %s, %v; want %s, %v", tc.field, got, complete, tc.want, tc.complete)
			}
		})
	}
}
