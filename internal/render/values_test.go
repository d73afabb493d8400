package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// testSchema types the paths the --set cases touch.
const testSchema = `{
  "type": "object",
  "$defs": {"image": {"type": "object", "properties": {"tag": {"type": "string"}}}},
  "properties": {
    "image": {"type": "object", "properties": {
      "tag": {"type": "string"}, "repository": {"type": "string"}}},
    "sidecar": {"type": "object", "properties": {"image": {"$ref": "#/$defs/image"}}},
    "port": {"type": "integer"},
    "ratio": {"type": "number"},
    "debug": {"type": "boolean"},
    "maxUnavailable": {"type": ["integer", "string"]},
    "args": {"type": "array", "items": {"type": "string"}},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
  }
}`

const testDefaults = `
image:
  repository: example/app
  tag: v1
port: 9100
debug: false
args: [--a, --b]
labels:
  team: core
tolerations:
  - operator: Exists
nodeSelector:
  kubernetes.io/os: linux
`

func TestCoalesceValues(t *testing.T) {
	sch, err := compileSchema("test", []byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	base := func(edit func(m map[string]any)) map[string]any {
		m, err := chartutil.ReadValues([]byte(testDefaults))
		if err != nil {
			t.Fatal(err)
		}
		edit(m)
		return m
	}
	tests := []struct {
		name string
		req  Request
		want map[string]any
	}{
		{
			name: "defaults alone",
			want: base(func(map[string]any) {}),
		},
		{
			name: "set of a string-typed value stays a string",
			req:  Request{Set: []string{"image.tag=1234567"}},
			want: base(func(m map[string]any) { m["image"].(map[string]any)["tag"] = "1234567" }),
		},
		{
			name: "set follows a local $ref to type the value",
			req:  Request{Set: []string{"sidecar.image.tag=0042"}},
			want: base(func(m map[string]any) { m["sidecar"] = map[string]any{"image": map[string]any{"tag": "0042"}} }),
		},
		{
			name: "set of an integer-typed value is an integer",
			req:  Request{Set: []string{"port=9200"}},
			want: base(func(m map[string]any) { m["port"] = int64(9200) }),
		},
		{
			name: "set of a number-typed value parses a float",
			req:  Request{Set: []string{"ratio=0.5"}},
			want: base(func(m map[string]any) { m["ratio"] = 0.5 }),
		},
		{
			name: "set of a boolean",
			req:  Request{Set: []string{"debug=true"}},
			want: base(func(m map[string]any) { m["debug"] = true }),
		},
		{
			name: "integer-or-string follows Helm: digits are a number, the rest a string",
			req:  Request{Set: []string{"maxUnavailable=10%"}},
			want: base(func(m map[string]any) { m["maxUnavailable"] = "10%" }),
		},
		{
			name: "untyped keys follow Helm: integers, booleans, leading zeros stay strings",
			req:  Request{Set: []string{"extra.n=42,extra.b=false,extra.z=007"}},
			want: base(func(m map[string]any) {
				m["extra"] = map[string]any{"n": int64(42), "b": false, "z": "007"}
			}),
		},
		{
			name: "set with a list replaces the default list",
			req:  Request{Set: []string{"args={--c}"}},
			want: base(func(m map[string]any) { m["args"] = []any{"--c"} }),
		},
		{
			name: "set of a list index replaces the whole default list, as in Helm",
			req:  Request{Set: []string{"tolerations[0].key=gpu"}},
			want: base(func(m map[string]any) { m["tolerations"] = []any{map[string]any{"key": "gpu"}} }),
		},
		{
			// Helm parses --set into the values files' map: an index
			// changes the list a file gave, keeping its other items.
			name: "set of a list index changes the list a values file gave",
			req: Request{
				ValuesYAML: [][]byte{[]byte("tolerations: [{key: a, operator: Exists}, {key: b}]\n")},
				Set:        []string{"tolerations[1].effect=NoSchedule", "tolerations[0].key=c"},
			},
			want: base(func(m map[string]any) {
				m["tolerations"] = []any{map[string]any{"key": "c", "operator": "Exists"}, map[string]any{"key": "b", "effect": "NoSchedule"}}
			}),
		},
		{
			name: "several sets build one list",
			req:  Request{Set: []string{"args[0]=--x", "args[1]=--y"}},
			want: base(func(m map[string]any) { m["args"] = []any{"--x", "--y"} }),
		},
		{
			name: "set null deletes a default key",
			req:  Request{Set: []string{"nodeSelector=null"}},
			want: base(func(m map[string]any) { delete(m, "nodeSelector") }),
		},
		{
			// Helm: --set key=null deletes the key, whatever its type.
			name: "set null deletes a string-typed key too",
			req:  Request{Set: []string{"labels.team=null"}},
			want: base(func(m map[string]any) { delete(m["labels"].(map[string]any), "team") }),
		},
		{
			name: "set-string null is the string",
			req:  Request{SetString: []string{"labels.team=null"}},
			want: base(func(m map[string]any) { m["labels"].(map[string]any)["team"] = "null" }),
		},
		{
			name: "escaped comma stays in the value",
			req:  Request{Set: []string{`labels.list=a\,b`}},
			want: base(func(m map[string]any) { m["labels"].(map[string]any)["list"] = "a,b" }),
		},
		{
			name: "set-string keeps strings even where the schema says integer",
			req:  Request{SetString: []string{"extra.n=42"}},
			want: base(func(m map[string]any) { m["extra"] = map[string]any{"n": "42"} }),
		},
		{
			name: "set-json sets structured values",
			req:  Request{SetJSON: []string{`tolerations=[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}]`}},
			want: base(func(m map[string]any) {
				m["tolerations"] = []any{map[string]any{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}}
			}),
		},
		{
			name: "values files: maps merge, lists and scalars replace, later files win",
			req: Request{ValuesYAML: [][]byte{
				[]byte("labels: {app: x}\nargs: [--one]\nport: 1\n"),
				[]byte("labels: {env: prod}\nport: 2\n"),
			}},
			want: base(func(m map[string]any) {
				m["labels"] = map[string]any{"team": "core", "app": "x", "env": "prod"}
				m["args"] = []any{"--one"}
				m["port"] = float64(2)
			}),
		},
		{
			name: "values file null deletes, even nested",
			req:  Request{ValuesYAML: [][]byte{[]byte("labels: {team: null}\ntolerations: null\n")}},
			want: base(func(m map[string]any) {
				m["labels"] = map[string]any{}
				delete(m, "tolerations")
			}),
		},
		{
			name: "order: files, then set-json, then set, then set-string",
			req: Request{
				ValuesYAML: [][]byte{[]byte("image: {tag: from-file, repository: file/repo}\nport: 1\n")},
				SetJSON:    []string{`image={"tag":"from-json"}`, `port=2`},
				Set:        []string{"image.tag=from-set"},
				SetString:  []string{"image.repository=string/repo"},
			},
			want: base(func(m map[string]any) {
				m["image"] = map[string]any{"tag": "from-set", "repository": "string/repo"}
				m["port"] = float64(2)
			}),
		},
		{
			// Helm reads values files through JSON: every number is a
			// float64 (a template prints 1234567 as 1.234567e+06).
			name: "numbers in files are floats, as in Helm",
			req:  Request{ValuesYAML: [][]byte{[]byte("port: 1234567\nratio: 1.5\n")}},
			want: base(func(m map[string]any) { m["port"] = float64(1234567); m["ratio"] = 1.5 }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := coalesceForTest(t, testDefaults, tt.req, sch)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// coalesceForTest merges the request's values over defaults as Render does:
// userValues, then Helm's coalescing with a chart that has those defaults.
func coalesceForTest(t *testing.T, defaults string, req Request, sch *valuesSchema) map[string]any {
	t.Helper()
	d, err := chartutil.ReadValues([]byte(defaults))
	if err != nil {
		t.Fatal(err)
	}
	cv, err := userValues(d, req, sch)
	if err != nil {
		t.Fatal(err)
	}
	ch := &chart.Chart{Metadata: &chart.Metadata{APIVersion: "v2", Name: "t", Version: "0.1.0"}, Values: d}
	vals, err := chartutil.CoalesceValues(ch, cv.user)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

func TestSchemaErrors(t *testing.T) {
	tests := []struct {
		name   string
		preset string
		req    Request
		want   string
	}{
		{
			name:   "set of a wrong type names path and set",
			preset: "node-exporter",
			req:    Request{Set: []string{"image.pullPolicy=Always", "port=http"}},
			want:   `--set[1]: port: got string, want integer`,
		},
		{
			name:   "set-string where the schema wants an integer",
			preset: "node-exporter",
			req:    Request{SetString: []string{"port=9100"}},
			want:   `--set-string[0]: port: got string, want integer`,
		},
		{
			name:   "misspelled key in a values file",
			preset: "node-exporter",
			req:    Request{ValuesYAML: [][]byte{[]byte("image:\n  tagg: v2\n")}},
			want:   "values[0]: image.tagg: unknown key: the chart has no such value (check the spelling against its values.schema.json, e.g. with `kubedaemon schema`)",
		},
		{
			name:   "every problem is reported, sorted by path",
			preset: "fluent-bit",
			req: Request{
				ValuesYAML: [][]byte{[]byte("output:\n  type: kafka\n")},
				Set:        []string{"metricsPort=70000"},
			},
			want: "--set[0]: metricsPort: got 70000, want at most 65535\n" +
				"values[0]: output.type: value must be one of 'stdout', 'forward', 'elasticsearch', 'loki'",
		},
		{
			name:   "list item",
			preset: "fluentd",
			req:    Request{SetJSON: []string{`imagePullSecrets=[{"name":"a"},{"nom":"b"}]`}},
			want:   `--set-json[0]: imagePullSecrets[1].name: required: set a value for it`,
		},
		{
			// Found by FuzzSet: an untyped toleration reached the strict
			// decoder, whose error blamed the template for a user's value.
			name:   "toleration with an unknown field",
			preset: "fluent-bit",
			req:    Request{SetJSON: []string{`tolerations=[{"":""}]`}},
			want:   "--set-json[0]: tolerations[0].: unknown key: the chart has no such value (check the spelling against its values.schema.json, e.g. with `kubedaemon schema`)",
		},
		{
			name:   "toleration effect",
			preset: "node-exporter",
			req:    Request{SetJSON: []string{`tolerations=[{"key":"a","effect":"NoScheduel"}]`}},
			want:   `--set-json[0]: tolerations[0].effect: value must be one of '', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'`,
		},
		{
			name:   "misspelled resources key",
			preset: "csi-node",
			req:    Request{SetJSON: []string{`driver.resources={"limts":{"cpu":"1"}}`}},
			want:   "--set-json[0]: driver.resources.limts: unknown key: the chart has no such value (check the spelling against its values.schema.json, e.g. with `kubedaemon schema`)",
		},
		{
			name:   "pattern",
			preset: "csi-node",
			req:    Request{Set: []string{"driver.name=Not_A_DNS_Name"}},
			want:   `--set[0]: driver.name: 'Not_A_DNS_Name' does not match pattern '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'`,
		},
		{
			name:   "deleting a required value blames the input that deleted it",
			preset: "node-exporter",
			req:    Request{Set: []string{"image=null"}},
			want:   `--set[0]: image: required: set a value for it`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Preset = tt.preset
			_, err := Render(tt.req)
			if err == nil {
				t.Fatalf("Render succeeded, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Render error\n got: %s\nwant: %s", err, tt.want)
			}
			var ve *ValuesError
			if !errors.As(err, &ve) {
				t.Errorf("error is a %T, want it to hold a *ValuesError", err)
			}
		})
	}
}

func TestSetTypedBySchemaRendersString(t *testing.T) {
	res, err := Render(Request{Preset: "node-exporter", Set: []string{"image.tag=1234567"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objects {
		if o.Kind == "DaemonSet" {
			ds := string(o.YAML)
			if want := `image: "quay.io/prometheus/node-exporter:1234567"`; !strings.Contains(ds, want) {
				t.Errorf("DaemonSet lacks %s:\n%s", want, ds)
			}
			return
		}
	}
	t.Fatal("no DaemonSet rendered")
}

func TestSetListHole(t *testing.T) {
	_, err := Render(Request{Preset: "node-exporter", Set: []string{"image.tag=v2", "tolerations[5].key=a"}})
	want := "--set[1]: tolerations[5]: index 5 is past the end of the list: no values document set this list (the " +
		"chart's default list is replaced as a whole, as in Helm), so items 0 to 4 would be empty; set every item " +
		"from 0, or set the whole list at once as JSON"
	if err == nil || err.Error() != want {
		t.Errorf("Render error\n got: %v\nwant: %s", err, want)
	}
	if _, err := Render(Request{Preset: "node-exporter", Set: []string{"tolerations[0].key=a", "tolerations[1].key=b"}}); err != nil {
		t.Errorf("a list set from index 0 fails: %v", err)
	}
}
