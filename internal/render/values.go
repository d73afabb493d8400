package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// ValuesError is a problem with the values: a file that does not parse, a
// --set that does not parse, or a value the preset's schema rejects. It
// names the values path and the input that set it, so the Terraform side can
// point at the values or set block at fault.
type ValuesError struct {
	// Path is the dotted values path, e.g. "image.tag" or "tolerations[0].key";
	// empty when the whole input is at fault (a file that is not YAML).
	Path string
	// Source is the input that set the value: "defaults", "values[0]" (the
	// first values file), "set[1]", "set-string[0]" or "set-json[0]".
	Source string
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error reads `values[0]: image.tag: got number, want string`.
func (e *ValuesError) Error() string {
	if e.Path == "" {
		return e.Source + ": " + e.Msg
	}
	return e.Source + ": " + e.Path + ": " + e.Msg
}

// valuesSource is one input's values, kept apart for error attribution.
type valuesSource struct {
	name   string
	values map[string]any
}

// coalescedValues is the result of merging every input.
type coalescedValues struct {
	values  map[string]any
	sources []valuesSource // defaults first, then in merge order
}

// parseYAMLValues decodes a values document: integers stay int64 (so that
// 1234567 does not become 1.234567e+06 in a template) and other numbers
// become float64. An empty document is an empty map.
func parseYAMLValues(doc []byte) (map[string]any, error) {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(j)) == 0 || bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("more than one YAML document: keep one document per values file")
	}
	m, ok := normalizeNumbers(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is a %s, not a map of keys to values", typeName(v))
	}
	return m, nil
}

// normalizeNumbers replaces json.Number with int64 or float64.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = normalizeNumbers(c)
		}
	case []any:
		for i, c := range x {
			x[i] = normalizeNumbers(c)
		}
	case float64:
		// --set-json decodes numbers as float64; whole ones are integers.
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}

// coalesceValues merges the preset's defaults with the request's values
// files, then --set-json, --set and --set-string, in Helm's order. Maps
// merge key by key, lists and scalars replace, and null deletes a key. --set
// values are typed by the preset's schema (sch may be nil).
func coalesceValues(defaults []byte, req Request, sch *valuesSchema) (*coalescedValues, error) {
	d, err := parseDefaults(defaults)
	if err != nil {
		return nil, err
	}
	return coalesceParsed(d, req, sch)
}

// parseDefaults parses a preset's values.yaml.
func parseDefaults(defaults []byte) (map[string]any, error) {
	d, err := parseYAMLValues(defaults)
	if err != nil {
		return nil, &ValuesError{Source: "defaults", Msg: "values.yaml of the preset does not parse: " + err.Error()}
	}
	return d, nil
}

// coalesceParsed is coalesceValues over parsed defaults, which it only reads.
func coalesceParsed(d map[string]any, req Request, sch *valuesSchema) (*coalescedValues, error) {
	cv := &coalescedValues{values: d, sources: []valuesSource{{name: "defaults", values: d}}}
	var errs []error
	user := map[string]any{}
	add := func(name string, m map[string]any) {
		cv.sources = append(cv.sources, valuesSource{name: name, values: m})
		mergeMaps(user, deepCopyMap(m))
	}
	for i, doc := range req.ValuesYAML {
		name := fmt.Sprintf("values[%d]", i)
		m, err := parseYAMLValues(doc)
		if err != nil {
			errs = append(errs, &ValuesError{Source: name, Msg: "not a YAML map of values: " + err.Error()})
			continue
		}
		add(name, m)
	}
	// NOTE: Helm parses every --set of one kind into the same map, so
	// `--set a[0]=x --set a[1]=y` builds one list; do the same, and keep
	// each entry's own map only to tell which one set a failing path.
	sets := []struct {
		kind  string
		exprs []string
		parse func(string, map[string]any) error
	}{
		{"set-json", req.SetJSON, strvals.ParseJSON},
		// --set is parsed as strings and typed by the schema below.
		{"set", req.Set, strvals.ParseIntoString},
		{"set-string", req.SetString, strvals.ParseIntoString},
	}
	for _, set := range sets {
		merged := map[string]any{}
		for i, expr := range set.exprs {
			name := fmt.Sprintf("%s[%d]", set.kind, i)
			own := map[string]any{}
			if err := parseSetSafely(set.parse, expr, own); err != nil {
				errs = append(errs, &ValuesError{Source: name, Path: setKey(expr), Msg: fmt.Sprintf("%q does not parse: %v (write key=value, a.b=value, list[0]=value or list={a,b})", expr, err)})
				continue
			}
			if err := parseSetSafely(set.parse, expr, merged); err != nil {
				errs = append(errs, &ValuesError{Source: name, Path: setKey(expr), Msg: fmt.Sprintf("%q does not combine with the earlier --%s values: %v", expr, set.kind, err)})
				continue
			}
			switch set.kind {
			case "set":
				own = asMap(typeBySchema(own, sch.root(), sch.root()))
			case "set-json":
				own = asMap(normalizeNumbers(own))
			}
			cv.sources = append(cv.sources, valuesSource{name: name, values: own})
		}
		if set.kind == "set" {
			merged = asMap(typeBySchema(merged, sch.root(), sch.root()))
		}
		if set.kind == "set-json" {
			merged = asMap(normalizeNumbers(merged))
		}
		mergeMaps(user, merged)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cv.values = coalesce(deepCopyMap(d), user)
	return cv, nil
}

// parseSetSafely runs a strvals parser, turning a panic on hostile input into
// an error.
func parseSetSafely(parse func(string, map[string]any) error, expr string, dest map[string]any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return parse(expr, dest)
}

// setKey is the key part of a --set expression, for error messages.
func setKey(expr string) string {
	if i := strings.IndexByte(expr, '='); i >= 0 {
		return expr[:i]
	}
	return ""
}

// mergeMaps merges src into dst: maps merge recursively, anything else in
// src (including null) replaces what dst has.
func mergeMaps(dst, src map[string]any) {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeMaps(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
}

// coalesce lays user values over defaults: maps merge, lists and scalars
// replace, and a null deletes the key (from the defaults too).
func coalesce(defaults, user map[string]any) map[string]any {
	for k, uv := range user {
		if uv == nil {
			delete(defaults, k)
			continue
		}
		um, uIsMap := uv.(map[string]any)
		dm, dIsMap := defaults[k].(map[string]any)
		if uIsMap && dIsMap {
			defaults[k] = coalesce(dm, um)
			continue
		}
		if uIsMap {
			defaults[k] = coalesce(map[string]any{}, um)
			continue
		}
		defaults[k] = uv
	}
	return defaults
}

// deepCopyMap copies maps and lists so merges never alias the inputs.
func deepCopyMap(m map[string]any) map[string]any {
	return asMap(deepCopy(m))
}

// asMap returns the result of typeBySchema, normalizeNumbers or deepCopy for a
// map: each returns the kind of value it is given, so anything else is a bug.
func asMap(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		panic(fmt.Sprintf("render: a map became %T", v))
	}
	return m
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			out[k] = deepCopy(c)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = deepCopy(c)
		}
		return out
	}
	return v
}

// typeBySchema types --set strings as the schema says: a value whose schema
// type is only "string" stays a string ("1234567", "true"); a number,
// integer or boolean is parsed as one; anything else (no schema, or several
// types) follows Helm's rules: true, false, null and integers without a
// leading zero are typed, the rest stay strings.
func typeBySchema(v any, sch, root map[string]any) any {
	sch = resolveRef(sch, root)
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = typeBySchema(c, schemaProperty(sch, k), root)
		}
		return x
	case []any:
		for i, c := range x {
			x[i] = typeBySchema(c, schemaItems(sch), root)
		}
		return x
	case string:
		return typeString(x, schemaTypes(sch))
	}
	return v
}

// typeString converts one --set string by the schema's types.
func typeString(s string, types []string) any {
	// Helm: --set key=null deletes the key, whatever the schema says of it
	// (--set-string keeps the string, and never comes here).
	if s == "null" {
		return nil
	}
	if len(types) == 1 && types[0] == "string" {
		return s
	}
	has := func(t string) bool {
		for _, x := range types {
			if x == t {
				return true
			}
		}
		return false
	}
	switch {
	case has("boolean") && (strings.EqualFold(s, "true") || strings.EqualFold(s, "false")):
		return strings.EqualFold(s, "true")
	case has("integer"):
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	case has("number"):
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return helmTyped(s)
}

// helmTyped is Helm's typing of a --set value.
func helmTyped(s string) any {
	switch {
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	case s != "" && s[0] != '0':
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	return s
}

// typeName names a decoded value's JSON type for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "map"
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}
