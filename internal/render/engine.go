package render

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// maxIncludeDepth bounds nested include and tpl calls, so that a template
// that includes itself fails with a message instead of exhausting the stack.
const maxIncludeDepth = 100

// templateSet is a preset's parsed templates, shared by every render of the
// preset. Each render works on a clone, so include and tpl see that render's
// own state.
type templateSet struct {
	tmpl *template.Template
	// files are the template names that render output, in sorted order;
	// partials (names starting with '_') are parsed but not rendered.
	files []string
	// executions reuses clones: binding the functions to a fresh clone
	// costs more than rendering a small preset.
	executions sync.Pool
}

// setCache holds the parsed template sets of the built-in presets by name.
// Folders on disk are parsed on every render, so edits show at once.
var setCache sync.Map

// parsedSet returns the preset's template set, parsing it on first use for
// built-in presets.
func parsedSet(p *preset) (*templateSet, error) {
	if p.builtin {
		if s, ok := setCache.Load(p.info.Name); ok {
			if set, ok := s.(*templateSet); ok {
				return set, nil
			}
		}
	}
	s, err := parseSet(p)
	if err != nil {
		return nil, err
	}
	if p.builtin {
		if actual, loaded := setCache.LoadOrStore(p.info.Name, s); loaded {
			if set, ok := actual.(*templateSet); ok {
				return set, nil
			}
		}
	}
	return s, nil
}

// parseSet parses every template of the preset into one set, named
// "preset/file" so that errors point at the file.
func parseSet(p *preset) (*templateSet, error) {
	root := template.New(p.info.Name).Option("missingkey=error").Funcs(funcMap(nil))
	s := &templateSet{tmpl: root}
	for _, file := range p.templates {
		text, err := fs.ReadFile(p.fsys, file)
		if err != nil {
			return nil, fmt.Errorf("preset %s: read %s: %w", p.info.Name, file, err)
		}
		name := p.info.Name + "/" + file
		if _, err := root.New(name).Parse(string(text)); err != nil {
			return nil, cleanTemplateError(err)
		}
		if !strings.HasPrefix(file, "_") {
			s.files = append(s.files, name)
		}
	}
	return s, nil
}

// execution is the state of one render: the cloned template set that
// include and tpl resolve names in, and how deeply they are nested.
type execution struct {
	tmpl  *template.Template
	depth int
}

// getExecution takes an execution from the pool, or makes one.
func (s *templateSet) getExecution() (*execution, error) {
	if e, ok := s.executions.Get().(*execution); ok {
		return e, nil
	}
	return newExecution(s)
}

// putExecution returns an execution to the pool. The clone is never
// changed by a render (tpl parses into clones of its own), so it is safe to
// reuse.
func (s *templateSet) putExecution(e *execution) {
	e.depth = 0
	s.executions.Put(e)
}

// newExecution clones the shared set and binds include and tpl to the clone.
func newExecution(s *templateSet) (*execution, error) {
	clone, err := s.tmpl.Clone()
	if err != nil {
		return nil, fmt.Errorf("clone templates: %w", err)
	}
	e := &execution{tmpl: clone}
	clone.Funcs(funcMap(e))
	return e, nil
}

// run executes one named template with data.
func (e *execution) run(name string, data any) (string, error) {
	var b strings.Builder
	if err := e.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// include renders a named template (a define in a partial, usually) to a
// string that pipelines can indent.
func (e *execution) include(name string, data any) (string, error) {
	if e.depth >= maxIncludeDepth {
		return "", fmt.Errorf("include %q: nested more than %d deep: a template includes itself", name, maxIncludeDepth)
	}
	e.depth++
	defer func() { e.depth-- }()
	return e.run(name, data)
}

// tpl renders a string from the values as a template, with the same
// functions and named templates as the preset.
func (e *execution) tpl(text string, data any) (string, error) {
	if e.depth >= maxIncludeDepth {
		return "", fmt.Errorf("tpl: nested more than %d deep: a value renders itself", maxIncludeDepth)
	}
	e.depth++
	defer func() { e.depth-- }()
	// GOTCHA: parsing into the set that is executing would add a template
	// to it mid-render; a clone keeps the named templates and the functions.
	t, err := e.tmpl.Clone()
	if err != nil {
		return "", fmt.Errorf("tpl: %w", err)
	}
	const name = "tpl"
	if _, err := t.New(name).Parse(text); err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// funcMap is sprig's text function map without the functions that read the
// process environment, plus the functions chart authors rely on. With a nil
// execution, include and tpl are placeholders that only let templates parse.
func funcMap(e *execution) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Rendering must not depend on the machine it runs on.
	delete(f, "env")
	delete(f, "expandenv")

	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["required"] = required
	f["fail"] = failFunc
	if e == nil {
		f["include"] = func(string, any) (string, error) { return "", fmt.Errorf("include called outside a render") }
		f["tpl"] = func(string, any) (string, error) { return "", fmt.Errorf("tpl called outside a render") }
	} else {
		f["include"] = e.include
		f["tpl"] = e.tpl
	}
	return f
}

// toYAML marshals v as YAML without the trailing newline. Unlike Helm's, it
// fails the render instead of writing an empty string.
func toYAML(v any) (string, error) {
	if plainValue(v) {
		// Values are already JSON-shaped: skip sigs.k8s.io/yaml's round
		// trip through JSON, which costs most of a render.
		b, err := yamlv2.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("toYaml: %w", err)
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("toYaml: %w", err)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// plainValue reports whether v holds only maps with string keys, lists,
// strings, booleans, int64 and float64: what values decode into.
func plainValue(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, int64:
		return true
	case float64:
		return !math.IsInf(x, 0) && !math.IsNaN(x)
	case map[string]any:
		for _, c := range x {
			if !plainValue(c) {
				return false
			}
		}
		return true
	case []any:
		for _, c := range x {
			if !plainValue(c) {
				return false
			}
		}
		return true
	}
	return false
}

// fromYAML parses a YAML document into a map.
func fromYAML(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("fromYaml: %w", err)
	}
	return m, nil
}

// toJSON marshals v as compact JSON, failing the render on error.
func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("toJson: %w", err)
	}
	return string(b), nil
}

// fromJSON parses a JSON object into a map.
func fromJSON(s string) (map[string]any, error) {
	m := map[string]any{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("fromJson: %w", err)
	}
	return m, nil
}

// required fails the render with msg when v is missing or empty.
func required(msg string, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, fmt.Errorf("%s", msg)
	case string:
		if x == "" {
			return nil, fmt.Errorf("%s", msg)
		}
	}
	return v, nil
}

// failFunc fails the render with msg.
func failFunc(msg string) (string, error) {
	return "", fmt.Errorf("%s", msg)
}
