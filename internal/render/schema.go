package render

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// valuesSchema is a preset's compiled values.schema.json and its raw form,
// which typeBySchema walks to type --set values.
type valuesSchema struct {
	compiled *jsonschema.Schema
	raw      map[string]any
}

// schemaPrinter renders the validator's messages in English; it is made
// when a first message needs it, not at start-up.
var schemaPrinter = sync.OnceValue(func() *message.Printer { return message.NewPrinter(language.English) })

// compileSchema compiles a preset's schema; a nil doc gives a nil schema,
// which accepts anything.
func compileSchema(chartName string, doc []byte) (*valuesSchema, error) {
	if doc == nil {
		return nil, nil
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("preset %s: %s is not JSON: %w", chartName, schemaFile, err)
	}
	raw, _ := v.(map[string]any)
	c := jsonschema.NewCompiler()
	url := "kubedaemon:///" + chartName + "/" + schemaFile
	if err := c.AddResource(url, v); err != nil {
		return nil, fmt.Errorf("preset %s: %s: %w", chartName, schemaFile, err)
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %s does not compile: %w", chartName, schemaFile, err)
	}
	return &valuesSchema{compiled: compiled, raw: raw}, nil
}

// root is the schema's top-level object, or nil.
func (s *valuesSchema) root() map[string]any {
	if s == nil {
		return nil
	}
	return s.raw
}

// validate checks the coalesced values and returns every problem as a
// *ValuesError, joined, sorted by path.
func (s *valuesSchema) validate(cv *coalescedValues) error {
	if s == nil {
		return nil
	}
	// The values hold only maps, lists, strings, booleans, int64 and
	// float64, which the validator understands as they are.
	err := s.compiled.Validate(cv.values)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate values: %w", err)
	}
	var out []*ValuesError
	collectSchemaErrors(ve, cv, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	errs := make([]error, 0, len(out))
	seen := map[string]bool{}
	for _, e := range out {
		if key := e.Error(); !seen[key] {
			seen[key] = true
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}

// collectSchemaErrors turns the validator's leaf errors into ValuesErrors;
// unknown and missing keys name the key itself.
func collectSchemaErrors(ve *jsonschema.ValidationError, cv *coalescedValues, out *[]*ValuesError) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collectSchemaErrors(c, cv, out)
		}
		return
	}
	loc := ve.InstanceLocation
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			at := append(append([]string{}, loc...), p)
			*out = append(*out, &ValuesError{Path: dotted(at), Source: cv.sourceOf(at),
				Msg: "unknown key: the chart has no such value (check the spelling against its values.schema.json, e.g. with `kubedaemon schema`)"})
		}
	case *kind.Required:
		for _, p := range k.Missing {
			at := append(append([]string{}, loc...), p)
			*out = append(*out, &ValuesError{Path: dotted(at), Source: cv.sourceOf(at),
				Msg: "required: set a value for it"})
		}
	// NOTE: the library's printer groups digits ("65,535"), which reads
	// wrong for ports and counts; bounds get messages of our own.
	case *kind.Minimum:
		*out = append(*out, &ValuesError{Path: dotted(loc), Source: cv.sourceOf(loc),
			Msg: fmt.Sprintf("got %s, want at least %s", k.Got.RatString(), k.Want.RatString())})
	case *kind.Maximum:
		*out = append(*out, &ValuesError{Path: dotted(loc), Source: cv.sourceOf(loc),
			Msg: fmt.Sprintf("got %s, want at most %s", k.Got.RatString(), k.Want.RatString())})
	default:
		*out = append(*out, &ValuesError{Path: dotted(loc), Source: cv.sourceOf(loc),
			Msg: ve.ErrorKind.LocalizedString(schemaPrinter())})
	}
}

// dotted writes a location as a values path: a.b[0].c.
func dotted(loc []string) string {
	var b strings.Builder
	for _, seg := range loc {
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// sourceOf names the last input that set the value at loc or, for a value
// that no input holds (a missing required key), its nearest parent.
func (cv *coalescedValues) sourceOf(loc []string) Source {
	for n := len(loc); n >= 1; n-- {
		for i := len(cv.sources) - 1; i >= 0; i-- {
			if hasPath(cv.sources[i].values, loc[:n]) {
				return cv.sources[i].source
			}
		}
	}
	return Source{Kind: SourceDefaults}
}

// hasPath reports whether v holds a value at loc.
func hasPath(v any, loc []string) bool {
	for _, seg := range loc {
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[seg]
			if !ok {
				return false
			}
			v = c
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return false
			}
			v = x[i]
		default:
			return false
		}
	}
	return true
}

// resolveRef follows a local "$ref": "#/definitions/name" (JSON pointer into the
// same document); other references are left alone.
func resolveRef(sch, root map[string]any) map[string]any {
	for range 10 { // a bound, in case refs loop
		ref, ok := sch["$ref"].(string)
		if !ok || !strings.HasPrefix(ref, "#/") {
			return sch
		}
		var node any = root
		for _, tok := range strings.Split(ref[2:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			m, ok := node.(map[string]any)
			if !ok {
				return sch
			}
			node = m[tok]
		}
		next, ok := node.(map[string]any)
		if !ok {
			return sch
		}
		sch = next
	}
	return sch
}

// schemaProperty is the schema of key k inside an object schema.
func schemaProperty(sch map[string]any, k string) map[string]any {
	if sch == nil {
		return nil
	}
	if props, ok := sch["properties"].(map[string]any); ok {
		if p, ok := props[k].(map[string]any); ok {
			return p
		}
	}
	if ap, ok := sch["additionalProperties"].(map[string]any); ok {
		return ap
	}
	return nil
}

// schemaItems is the schema of a list's items.
func schemaItems(sch map[string]any) map[string]any {
	if sch == nil {
		return nil
	}
	items, _ := sch["items"].(map[string]any)
	return items
}

// schemaTypes lists the types a schema allows ("type": "x" or ["x", "y"]).
func schemaTypes(sch map[string]any) []string {
	if sch == nil {
		return nil
	}
	switch t := sch["type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
