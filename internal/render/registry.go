package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/templates"
)

// Files every preset folder holds besides its templates.
const (
	presetFile = "preset.yaml"
	valuesFile = "values.yaml"
	schemaFile = "values.schema.json"
)

// PresetInfo describes a preset as its preset.yaml declares it.
type PresetInfo struct {
	// Name is what `render NAME` and the provider's preset attribute accept.
	Name string `json:"name"`
	// Version is the preset's own version, not the daemon's.
	Version string `json:"version"`
	// Description is one sentence about the daemon the preset runs.
	Description string `json:"description"`
	// Namespace is where the preset's objects go when the request names none.
	Namespace string `json:"namespace,omitempty"`
}

// preset is one loaded preset folder.
type preset struct {
	info      PresetInfo
	fsys      fs.FS
	builtin   bool
	values    []byte
	schema    []byte // nil when the folder has no values.schema.json
	templates []string

	defaultsOnce sync.Once
	defaults     map[string]any // values parsed, read-only once set
	defaultsErr  error
}

// parsedDefaults parses values.yaml once per loaded preset.
func (p *preset) parsedDefaults() (map[string]any, error) {
	p.defaultsOnce.Do(func() { p.defaults, p.defaultsErr = parseDefaults(p.values) })
	return p.defaults, p.defaultsErr
}

// builtinCache holds the loaded built-in presets by name: they are embedded,
// so they never change while the process runs.
var builtinCache sync.Map

// List returns the built-in presets, sorted by name.
func List() []PresetInfo {
	entries, err := fs.ReadDir(templates.FS, ".")
	if err != nil {
		return nil
	}
	var out []PresetInfo
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p, err := loadBuiltin(e.Name())
		if err != nil {
			continue
		}
		out = append(out, p.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Info returns the metadata of a preset: a built-in name or a folder path,
// as Request.Preset accepts.
func Info(preset string) (PresetInfo, error) {
	p, err := lookup(preset)
	if err != nil {
		return PresetInfo{}, err
	}
	return p.info, nil
}

// DefaultValues returns the commented values.yaml of a preset (a built-in
// name or a folder path).
func DefaultValues(name string) ([]byte, error) {
	p, err := lookup(name)
	if err != nil {
		return nil, err
	}
	return p.values, nil
}

// Schema returns the values.schema.json of a preset (a built-in name or a
// folder path).
func Schema(name string) ([]byte, error) {
	p, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if p.schema == nil {
		return nil, fmt.Errorf("preset %q has no %s", p.info.Name, schemaFile)
	}
	return p.schema, nil
}

// builtinNames lists the built-in presets for error messages.
func builtinNames() string {
	var names []string
	for _, p := range List() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// lookup finds a preset by built-in name first, then as a folder on disk.
func lookup(name string) (*preset, error) {
	if name == "" {
		return nil, fmt.Errorf("no preset given: name a built-in preset (%s) or a preset folder", builtinNames())
	}
	if !strings.ContainsAny(name, `/\`) && name != "." && name != ".." {
		if _, err := fs.Stat(templates.FS, path.Join(name, presetFile)); err == nil {
			return loadBuiltin(name)
		}
	}
	st, err := os.Stat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("unknown preset %q: name a built-in preset (%s) or a preset folder", name, builtinNames())
		}
		return nil, fmt.Errorf("read preset folder %s: %w", name, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("preset %q is a file: give the folder that holds %s", name, presetFile)
	}
	return loadFS(os.DirFS(name), name, false)
}

// loadBuiltin loads an embedded preset, once.
func loadBuiltin(name string) (*preset, error) {
	if cached, ok := builtinCache.Load(name); ok {
		if p, ok := cached.(*preset); ok {
			return p, nil
		}
	}
	sub, err := fs.Sub(templates.FS, name)
	if err != nil {
		return nil, fmt.Errorf("open built-in preset %q: %w", name, err)
	}
	p, err := loadFS(sub, name, true)
	if err != nil {
		return nil, err
	}
	if actual, loaded := builtinCache.LoadOrStore(name, p); loaded {
		if cached, ok := actual.(*preset); ok {
			return cached, nil
		}
	}
	return p, nil
}

// loadFS reads a preset folder: its metadata, defaults, schema and the names
// of its templates (every top-level .yaml, .yml or .tpl file other than
// preset.yaml and values.yaml), sorted.
func loadFS(fsys fs.FS, where string, builtin bool) (*preset, error) {
	p := &preset{fsys: fsys, builtin: builtin}
	meta, err := fs.ReadFile(fsys, presetFile)
	if err != nil {
		return nil, fmt.Errorf("preset %s: read %s: %w (every preset folder needs one with name, version and description)", where, presetFile, err)
	}
	if err := yaml.UnmarshalStrict(meta, &p.info); err != nil {
		return nil, fmt.Errorf("preset %s: %s: %w", where, presetFile, err)
	}
	if p.info.Name == "" {
		return nil, fmt.Errorf("preset %s: %s: name is empty: set name to the preset's name", where, presetFile)
	}
	if p.values, err = fs.ReadFile(fsys, valuesFile); err != nil {
		return nil, fmt.Errorf("preset %s: read %s: %w", where, valuesFile, err)
	}
	if p.schema, err = fs.ReadFile(fsys, schemaFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("preset %s: read %s: %w", where, schemaFile, err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", where, err)
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || n == presetFile || n == valuesFile {
			continue
		}
		switch path.Ext(n) {
		case ".yaml", ".yml", ".tpl":
			p.templates = append(p.templates, n)
		}
	}
	sort.Strings(p.templates)
	if len(p.templates) == 0 {
		return nil, fmt.Errorf("preset %s has no templates: add .yaml files beside %s", where, presetFile)
	}
	return p, nil
}
