package render

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// SourceKind says which kind of input set a value.
type SourceKind int

// The kinds of input, in the order Helm merges them.
const (
	// SourceDefaults is the chart's values.yaml.
	SourceDefaults SourceKind = iota
	// SourceValues is a values document (helm -f).
	SourceValues
	// SourceSetJSON, SourceSet and SourceSetString are --set-json, --set
	// and --set-string expressions.
	SourceSetJSON
	SourceSet
	SourceSetString
	// SourceSetFile is a --set-file expression: key=path, the file's
	// content as a string.
	SourceSetFile
)

// Flag is the command-line flag of a kind of input, without its dashes
// ("set-string"), or "values" and "defaults".
func (k SourceKind) Flag() string {
	switch k {
	case SourceValues:
		return "values"
	case SourceSetJSON:
		return "set-json"
	case SourceSet:
		return "set"
	case SourceSetString:
		return "set-string"
	case SourceSetFile:
		return "set-file"
	}
	return "defaults"
}

// Source is the input that set a value: its kind, its index among the
// inputs of that kind, and the name the caller gave it (e.g. "-f prod.yaml").
type Source struct {
	Kind  SourceKind
	Index int
	Name  string
}

// String is the source's name, or e.g. "values[1]" (the second values
// document) or "--set-string[0]" (the first --set-string).
func (s Source) String() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Kind == SourceDefaults:
		return "defaults"
	case s.Kind == SourceValues:
		return fmt.Sprintf("values[%d]", s.Index)
	}
	return fmt.Sprintf("--%s[%d]", s.Kind.Flag(), s.Index)
}

// ValuesError is a problem with the values: a file that does not parse, a
// --set that does not parse, or a value the chart's schema rejects. It names
// the values path and the input that set it, so that callers can point at
// the file, flag or attribute at fault.
type ValuesError struct {
	// Path is the dotted values path, e.g. "image.tag" or "tolerations[0].key";
	// empty when the whole input is at fault (a file that is not YAML).
	Path string
	// Source is the input that set the value.
	Source Source
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error reads `values[0]: image.tag: got number, want string`.
func (e *ValuesError) Error() string {
	if e.Path == "" {
		return e.Source.String() + ": " + e.Msg
	}
	return e.Source.String() + ": " + e.Path + ": " + e.Msg
}

// valuesSource is one input's values, kept apart for error attribution.
type valuesSource struct {
	source Source
	values map[string]any
}

// coalescedValues are the user's values merged, and where each came from.
type coalescedValues struct {
	// user is every input merged as Helm merges -f files and --set flags,
	// before the chart's defaults are coalesced under it.
	user map[string]any
	// values are the values templates see (set by renderValues).
	values map[string]any
	// sources are the defaults first, then each input in merge order.
	sources []valuesSource
}

// userValues merges the request's values documents, then --set-json, --set
// and --set-string, in Helm's order and with Helm's merge (maps merge key by
// key, anything else replaces). Values documents are read as Helm reads them
// (every number a float64); --set values are typed by the chart's schema
// (sch may be nil). defaults are the chart's, only read.
func userValues(defaults map[string]any, req Request, sch *valuesSchema) (*coalescedValues, error) {
	cv := &coalescedValues{sources: []valuesSource{{source: Source{Kind: SourceDefaults}, values: defaults}}}
	var errs []error
	user := map[string]any{}
	for i, doc := range req.ValuesYAML {
		src := Source{Kind: SourceValues, Index: i}
		if i < len(req.ValuesNames) {
			src.Name = req.ValuesNames[i]
		}
		m, err := chartutil.ReadValues(doc)
		if err != nil {
			errs = append(errs, &ValuesError{Source: src, Msg: "not a YAML map of values: " + valuesDocProblem(doc, err)})
			continue
		}
		cv.sources = append(cv.sources, valuesSource{source: src, values: m.AsMap()})
		mergeMaps(user, deepCopyMap(m.AsMap()))
	}
	// NOTE: as Helm's MergeValues, every --set-json, --set and --set-string
	// is parsed into the map that already holds the values documents, so
	// `--set list[1].x=y` changes the list a values file gave. Each
	// expression's own map is kept only to tell which one set a path.
	sets := []struct {
		kind  SourceKind
		exprs []string
		parse func(string, map[string]any) error
	}{
		{SourceSetJSON, req.SetJSON, strvals.ParseJSON},
		// --set is typed as Helm types it, then by the schema where it says
		// the type (see retype).
		{SourceSet, req.Set, strvals.ParseInto},
		{SourceSetString, req.SetString, strvals.ParseIntoString},
		{SourceSetFile, req.SetFile, parseIntoFile},
	}
	for _, set := range sets {
		for i, expr := range set.exprs {
			src := Source{Kind: set.kind, Index: i}
			src.Name = req.SetNames[src]
			own := map[string]any{}
			parseOwn := set.parse
			if set.kind == SourceSet {
				parseOwn = strvals.ParseIntoString
			}
			if err := parseSetSafely(parseOwn, expr, own); err != nil {
				errs = append(errs, &ValuesError{Source: src, Path: setKey(expr), Msg: fmt.Sprintf("%q does not parse: %v "+
					"(%s)", expr, err, setSyntax(set.kind))})
				continue
			}
			if err := parseSetSafely(set.parse, expr, user); err != nil {
				errs = append(errs, &ValuesError{Source: src, Path: setKey(expr), Msg: fmt.Sprintf("%q does not combine with "+
					"the values set before it: %v", expr, err)})
				continue
			}
			if set.kind == SourceSet {
				own = asMap(typeBySchema(own, sch.root(), sch.root()))
				retype(user, own)
			}
			cv.sources = append(cv.sources, valuesSource{source: src, values: own})
		}
	}
	if err := cv.listHoleError(user); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cv.user = user
	return cv, nil
}

// parseIntoFile is Helm's --set-file: key=path sets key to the content of
// the file at path, as a string.
func parseIntoFile(expr string, dest map[string]any) error {
	return strvals.ParseIntoFile(expr, dest, func(rs []rune) (any, error) {
		b, err := os.ReadFile(string(rs))
		if err != nil {
			return nil, fmt.Errorf("read the file: %w", err)
		}
		return string(b), nil
	})
}

// retype writes the schema-typed leaves of one --set expression (typed)
// over the values Helm's parser typed its own way (dst): "1234567" stays a
// string where the schema says string.
func retype(dst, typed any) {
	switch t := typed.(type) {
	case map[string]any:
		d, ok := dst.(map[string]any)
		if !ok {
			return
		}
		for k, v := range t {
			if isLeaf(v) {
				d[k] = v
				continue
			}
			retype(d[k], v)
		}
	case []any:
		d, ok := dst.([]any)
		if !ok {
			return
		}
		for i, v := range t {
			switch {
			case i >= len(d) || v == nil:
			case isLeaf(v):
				d[i] = v
			default:
				retype(d[i], v)
			}
		}
	}
}

// isLeaf reports whether v is neither a map nor a list.
func isLeaf(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// valuesDocProblem says why a values document is not a map: what it is
// instead when it parses, else the parser's error.
func valuesDocProblem(doc []byte, err error) string {
	var v any
	if yaml.Unmarshal(doc, &v) == nil && v != nil {
		if _, isMap := v.(map[string]any); !isMap {
			return "the document is a " + typeName(v) + ", not a map of keys to values"
		}
	}
	return err.Error()
}

// listHoleError reports a list that a --set or --set-string left with
// empty items before the one it set, blaming that expression. (Helm builds
// such a list with empty items; explicit nulls of --set-json and of values
// files are the user's own.)
func (cv *coalescedValues) listHoleError(user map[string]any) error {
	p, loc, i, ok := listHole(user, nil)
	if !ok {
		return nil
	}
	src := cv.sourceOf(loc)
	if src.Kind != SourceSet && src.Kind != SourceSetString && src.Kind != SourceSetFile {
		return nil
	}
	return &ValuesError{Source: src, Path: p, Msg: fmt.Sprintf("index %d is past the end of the list: no values "+
		"document set this list (the chart's default list is replaced as a whole, as in Helm), so items 0 to %d "+
		"would be empty; set every item from 0, or set the whole list at once as JSON", i, i-1)}
}

// listHole finds the first list in v (the values of one kind of --set
// expressions) that holds an empty item before a set one, as `list[5].key=x`
// makes: the path of the item that was set, as text and as steps, and its
// index.
func listHole(v any, at []string) (path string, loc []string, index int, ok bool) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if p, l, i, ok := listHole(x[k], append(at[:len(at):len(at)], k)); ok {
				return p, l, i, true
			}
		}
	case []any:
		hole := false
		for i, c := range x {
			here := append(at[:len(at):len(at)], strconv.Itoa(i))
			if c == nil {
				hole = true
				continue
			}
			if hole {
				return dotted(here), here, i, true
			}
			if p, l, j, ok := listHole(c, here); ok {
				return p, l, j, true
			}
		}
	}
	return "", nil, 0, false
}

// sortedKeys lists a map's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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

// deepCopyMap copies maps and lists so merges never alias the inputs.
func deepCopyMap(m map[string]any) map[string]any {
	return asMap(deepCopy(m))
}

// asMap returns the result of typeBySchema or deepCopy for a
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

// typeString converts one --set string by the schema's types: a string
// where the schema allows only strings; Helm's typing where it allows
// strings among other types (whatever Helm makes of it is then valid); a
// boolean, integer or number where the schema says so and the text is one.
func typeString(s string, types []string) any {
	// Helm: --set key=null deletes the key, whatever the schema says of it
	// (--set-string keeps the string, and never comes here).
	if s == "null" {
		return nil
	}
	has := func(t string) bool {
		for _, x := range types {
			if x == t {
				return true
			}
		}
		return false
	}
	if has("string") {
		if len(types) == 1 {
			return s
		}
		return helmTyped(s)
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

// setSyntax is the syntax help of a kind of set expression.
func setSyntax(kind SourceKind) string {
	if kind == SourceSetJSON {
		return `write key=JSON: the value is one JSON document, e.g. image={"tag":"v1"}, ` +
			`tolerations=[{"operator":"Exists"}] or name="text" (strings in double quotes); ` +
			`a values path is key, a.b, list[0] or a\.b for a dot in a key`
	}
	return `a values path is key, a.b, list[0] or a\.b for a dot in a key; a list is {a,b}`
}
