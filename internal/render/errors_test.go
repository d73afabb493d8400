package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCleanTemplateError(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "missing key",
			in:   `template: p/daemonset.yaml:12:20: executing "p/daemonset.yaml" at <.Values.image.tagg>: map has no entry for key "tagg"`,
			want: `p/daemonset.yaml:12:20: map has no entry for key "tagg" (values path: image.tagg)`,
		},
		{
			name: "parse error has no column",
			in:   `template: p/daemonset.yaml:3: function "nope" not defined`,
			want: `p/daemonset.yaml:3: function "nope" not defined`,
		},
		{
			name: "innermost include wins",
			in: `template: p/daemonset.yaml:5:4: executing "p/daemonset.yaml" at <include "p.labels" .>: error calling include: ` +
				`template: p/_helpers.tpl:3:10: executing "p.labels" at <$.Values.team>: map has no entry for key "team"`,
			want: `p/_helpers.tpl:3:10: map has no entry for key "team" (values path: team)`,
		},
		{
			name: "required drops the call prefix",
			in:   `template: p/a.yaml:2:8: executing "p/a.yaml" at <required "driver.name is required" .Values.driver.name>: error calling required: driver.name is required`,
			want: `p/a.yaml:2:8: driver.name is required`,
		},
		{
			name: "values path of an outer expression when the inner has none",
			in: `template: p/a.yaml:7:3: executing "p/a.yaml" at <.Values.image>: error calling include: ` +
				`template: p/_helpers.tpl:1:5: executing "p.image" at <.tag>: map has no entry for key "tag"`,
			want: `p/_helpers.tpl:1:5: map has no entry for key "tag" (values path: image)`,
		},
		{
			name: "no location",
			in:   `clone templates: boom`,
			want: `clone templates: boom`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cleanTemplateError(errors.New(tt.in))
			if got.Error() != tt.want {
				t.Errorf("cleanTemplateError()\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// writePreset writes a preset folder with the given templates (and
// preset.yaml, values.yaml unless given) and returns its path.
func writePreset(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := files[presetFile]; !ok {
		files[presetFile] = "name: p\nversion: 0.0.1\ndescription: A test preset.\n"
	}
	if _, ok := files[valuesFile]; !ok {
		files[valuesFile] = "image:\n  tag: v1\nitems: [a, b]\n"
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const configMapHead = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		req   Request
		want  string
	}{
		{
			name:  "missing values key names file, line and path",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  tag: {{ .Values.image.tagg }}\n"},
			want:  `p/cm.yaml:6:17: map has no entry for key "tagg" (values path: image.tagg)`,
		},
		{
			name: "missing key inside an include names the partial",
			files: map[string]string{
				"_helpers.tpl": "{{ define \"p.team\" }}{{ .Values.team }}{{ end }}",
				"cm.yaml":      configMapHead + "data:\n  team: {{ include \"p.team\" . }}\n",
			},
			want: `p/_helpers.tpl:1:31: map has no entry for key "team" (values path: team)`,
		},
		{
			name:  "strict mode reports a missing key given to required by its path",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  x: {{ required \"set image.repository to the image\" .Values.image.repository | default \"\" }}\n"},
			want:  `p/cm.yaml:6:60: map has no entry for key "repository" (values path: image.repository)`,
		},
		{
			name:  "required on an empty value",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  x: {{ required \"set image.tag to a tag\" (.Values.image.tag | replace \"v1\" \"\") }}\n"},
			want:  `p/cm.yaml:6:8: set image.tag to a tag`,
		},
		{
			name:  "fail",
			files: map[string]string{"cm.yaml": "{{ fail \"output.type must be one of stdout, loki\" }}\n"},
			want:  `p/cm.yaml:1:3: output.type must be one of stdout, loki`,
		},
		{
			name:  "env is not available",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  home: {{ env \"HOME\" }}\n"},
			want:  `p/cm.yaml:6: function "env" not defined`,
		},
		{
			name: "include recursion is bounded",
			files: map[string]string{
				"_helpers.tpl": "{{ define \"p.loop\" }}{{ include \"p.loop\" . }}{{ end }}",
				"cm.yaml":      "{{ include \"p.loop\" . }}\n",
			},
			want: `p/_helpers.tpl:1:24: include "p.loop": nested more than 100 deep: a template includes itself`,
		},
		{
			name:  "misspelled field is a strict decoding error naming field and template",
			files: map[string]string{"cm.yaml": configMapHead + "dta:\n  a: b\n"},
			want:  `p/cm.yaml: ConfigMap cm: unknown field "dta" (fix the field name in the template)`,
		},
		{
			name: "nested misspelled field",
			files: map[string]string{"ds.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n" +
				"      containers:\n        - name: c\n          imagee: x\n"},
			want: `p/ds.yaml: DaemonSet d: unknown field "spec.template.spec.containers[0].imagee" (fix the field name in the template)`,
		},
		{
			name:  "unknown kind",
			files: map[string]string{"x.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"},
			want:  `p/x.yaml: Widget w: kind example.com/v1, Kind=Widget is not a built-in Kubernetes kind (check apiVersion and kind)`,
		},
		{
			name:  "a document without kind",
			files: map[string]string{"x.yaml": "metadata:\n  name: w\n"},
			want:  `p/x.yaml: a document has no apiVersion or kind: every document must be one Kubernetes object`,
		},
		{
			name:  "bad kube version",
			files: map[string]string{"cm.yaml": configMapHead},
			req:   Request{KubeVersion: "latest"},
			want:  `kube version "latest" is not a Kubernetes version: write it as v1.32 or v1.32.1`,
		},
		{
			name:  "values file that is not a map",
			files: map[string]string{"cm.yaml": configMapHead},
			req:   Request{ValuesYAML: [][]byte{[]byte("- a\n- b\n")}},
			want:  `values[0]: not a YAML map of values: the document is a list, not a map of keys to values`,
		},
		{
			name:  "unparsable set",
			files: map[string]string{"cm.yaml": configMapHead},
			req:   Request{Set: []string{"image.tag=v2", "items[x]=a"}},
			want:  `set[1]: items[x]: "items[x]=a" does not parse: error parsing index: strconv.Atoi: parsing "x": invalid syntax (write key=value, a.b=value, list[0]=value or list={a,b})`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Preset = writePreset(t, tt.files)
			_, err := Render(req)
			if err == nil {
				t.Fatalf("Render succeeded, want error %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Render error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestRenderErrorsAreTyped(t *testing.T) {
	dir := writePreset(t, map[string]string{"cm.yaml": configMapHead + "data:\n  tag: {{ .Values.image.tagg }}\n"})
	_, err := Render(Request{Preset: dir})
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is a %T, want *TemplateError", err, err)
	}
	if te.File != "p/cm.yaml" || te.Line != 6 || te.ValuesPath != "image.tagg" {
		t.Errorf("TemplateError = %+v, want p/cm.yaml line 6 at image.tagg", *te)
	}
	if !strings.Contains(te.Msg, `"tagg"`) {
		t.Errorf("Msg = %q, want the missing key", te.Msg)
	}
}
