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
			in:   `template: p/templates/daemonset.yaml:12:20: executing "p/templates/daemonset.yaml" at <.Values.image.tagg>: map has no entry for key "tagg"`,
			want: `p/templates/daemonset.yaml:12:20: map has no entry for key "tagg" (values path: image.tagg)`,
		},
		{
			name: "parse error has no column",
			in:   `template: p/templates/daemonset.yaml:3: function "nope" not defined`,
			want: `p/templates/daemonset.yaml:3: function "nope" not defined`,
		},
		{
			name: "innermost include wins",
			in: `template: p/templates/daemonset.yaml:5:4: executing "p/templates/daemonset.yaml" at <include "p.labels" .>: error calling include: ` +
				`template: p/templates/_helpers.tpl:3:10: executing "p.labels" at <$.Values.team>: map has no entry for key "team"`,
			want: `p/templates/_helpers.tpl:3:10: map has no entry for key "team" (values path: team)`,
		},
		{
			name: "required drops the call prefix",
			in:   `template: p/templates/a.yaml:2:8: executing "p/templates/a.yaml" at <required "driver.name is required" .Values.driver.name>: error calling required: driver.name is required`,
			want: `p/templates/a.yaml:2:8: driver.name is required`,
		},
		{
			name: "values path of an outer expression when the inner has none",
			in: `template: p/templates/a.yaml:7:3: executing "p/templates/a.yaml" at <.Values.image>: error calling include: ` +
				`template: p/templates/_helpers.tpl:1:5: executing "p.image" at <.tag>: map has no entry for key "tag"`,
			want: `p/templates/_helpers.tpl:1:5: map has no entry for key "tag" (values path: image)`,
		},
		{
			name: "Helm's form for required and fail",
			in:   `execution error at (p/templates/a.yaml:2:8): driver.name is required`,
			want: `p/templates/a.yaml:2:8: driver.name is required`,
		},
		{
			name: "Helm's form for parse errors",
			in:   `parse error at (p/templates/a.yaml:3): function "nope" not defined`,
			want: `p/templates/a.yaml:3: function "nope" not defined`,
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

// writePreset writes a chart folder "p" with the given templates (and
// Chart.yaml, values.yaml unless given; other names go under templates/) and
// returns its path.
func writePreset(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "p")
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := files[chartFile]; !ok {
		files[chartFile] = "apiVersion: v2\nname: p\nversion: 0.0.1\nappVersion: \"1.0\"\ndescription: A test chart.\n"
	}
	if _, ok := files[valuesFile]; !ok {
		files[valuesFile] = "image:\n  tag: v1\nitems: [a, b]\n"
	}
	for name, text := range files {
		at := filepath.Join(dir, "templates", name)
		if name == chartFile || name == valuesFile || name == schemaFile || strings.Contains(name, "/") {
			at = filepath.Join(dir, name)
		}
		if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(at, []byte(text), 0o644); err != nil {
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
			req:   Request{Strict: true},
			want:  `p/templates/cm.yaml:6:17: map has no entry for key "tagg" (values path: image.tagg)`,
		},
		{
			name: "missing key inside an include names the partial",
			files: map[string]string{
				"_helpers.tpl": "{{ define \"p.team\" }}{{ .Values.team }}{{ end }}",
				"cm.yaml":      configMapHead + "data:\n  team: {{ include \"p.team\" . }}\n",
			},
			req:  Request{Strict: true},
			want: `p/templates/_helpers.tpl:1:31: map has no entry for key "team" (values path: team)`,
		},
		{
			name:  "strict mode reports a missing key given to required by its path",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  x: {{ required \"set image.repository to the image\" .Values.image.repository | default \"\" }}\n"},
			req:   Request{Strict: true},
			want:  `p/templates/cm.yaml:6:60: map has no entry for key "repository" (values path: image.repository)`,
		},
		{
			name:  "required on an empty value",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  x: {{ required \"set image.tag to a tag\" (.Values.image.tag | replace \"v1\" \"\") }}\n"},
			want:  `p/templates/cm.yaml:6:8: set image.tag to a tag`,
		},
		{
			name:  "fail",
			files: map[string]string{"cm.yaml": "{{ fail \"output.type must be one of stdout, loki\" }}\n"},
			want:  `p/templates/cm.yaml:1:3: output.type must be one of stdout, loki`,
		},
		{
			name:  "env is not available",
			files: map[string]string{"cm.yaml": configMapHead + "data:\n  home: {{ env \"HOME\" }}\n"},
			want:  `p/templates/cm.yaml:6: function "env" not defined`,
		},
		{
			name: "include recursion is bounded",
			files: map[string]string{
				"_helpers.tpl": "{{ define \"p.loop\" }}{{ include \"p.loop\" . }}{{ end }}",
				"cm.yaml":      "{{ include \"p.loop\" . }}\n",
			},
			want: `p/templates/_helpers.tpl:1:24: rendering template has a nested reference name: p.loop: unable to execute template`,
		},
		{
			name:  "misspelled field is a strict decoding error naming field and template",
			files: map[string]string{"cm.yaml": configMapHead + "dta:\n  a: b\n"},
			want:  `p/templates/cm.yaml: ConfigMap cm: unknown field "dta" (fix the field name in the template)`,
		},
		{
			name: "nested misspelled field",
			files: map[string]string{"ds.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n" +
				"      containers:\n        - name: c\n          imagee: x\n"},
			want: `p/templates/ds.yaml: DaemonSet d: unknown field "spec.template.spec.containers[0].imagee" (fix the field name in the template)`,
		},
		{
			name:  "a document without kind",
			files: map[string]string{"x.yaml": "metadata:\n  name: w\n"},
			want:  `p/templates/x.yaml: a document has no apiVersion or kind: every document must be one Kubernetes object`,
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
			want:  `--set[1]: items[x]: "items[x]=a" does not parse: error parsing index: strconv.Atoi: parsing "x": invalid syntax (a values path is key, a.b, list[0] or a\.b for a dot in a key; a list is {a,b})`,
		},
		{
			name:  "set-json that is not JSON",
			files: map[string]string{"cm.yaml": configMapHead},
			req:   Request{SetJSON: []string{`image={"tag": v2}`}},
			want: `--set-json[0]: image: "image={\"tag\": v2}" does not parse: invalid character 'v' looking for beginning of value ` +
				`(write key=JSON: the value is one JSON document, e.g. image={"tag":"v1"}, tolerations=[{"operator":"Exists"}] or ` +
				`name="text" (strings in double quotes); a values path is key, a.b, list[0] or a\.b for a dot in a key)`,
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
	_, err := Render(Request{Preset: dir, Strict: true})
	var te *TemplateError
	if !errors.As(err, &te) {
		t.Fatalf("error %v is a %T, want *TemplateError", err, err)
	}
	if te.File != "p/templates/cm.yaml" || te.Line != 6 || te.ValuesPath != "image.tagg" {
		t.Errorf("TemplateError = %+v, want p/templates/cm.yaml line 6 at image.tagg", *te)
	}
	if !strings.Contains(te.Msg, `"tagg"`) {
		t.Errorf("Msg = %q, want the missing key", te.Msg)
	}
}
