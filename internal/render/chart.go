package render

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/kubedaemon/terraform-provider-kubedaemon/templates"
)

// Files of a chart that kubedaemon reads besides what Helm's loader reads.
const (
	chartFile  = "Chart.yaml"
	valuesFile = "values.yaml"
	schemaFile = "values.schema.json"
	readmeFile = "README.md"
)

// NamespaceAnnotation is the Chart.yaml annotation that names the namespace a
// preset installs into when the request names none.
const NamespaceAnnotation = "kubedaemon.dev/namespace"

// PresetInfo describes a preset (a chart) as its Chart.yaml declares it.
type PresetInfo struct {
	// Name is the chart's name; for a built-in preset, what `render NAME`
	// and the provider's preset attribute accept.
	Name string `json:"name"`
	// Version is the chart's version, not the daemon's.
	Version string `json:"version"`
	// AppVersion is the version of the daemon the chart runs.
	AppVersion string `json:"appVersion,omitempty"`
	// Description is one sentence about the daemon.
	Description string `json:"description"`
	// Namespace is where the objects go when the request names none: the
	// kubedaemon.dev/namespace annotation of Chart.yaml, or "".
	Namespace string `json:"namespace,omitempty"`
}

// loadedChart is a chart as Helm's loader parsed it, with what kubedaemon
// keeps beside it. It is shared by every render of the chart and never
// changed: a render that must change the chart (dependency conditions)
// works on a copy.
type loadedChart struct {
	chart  *chart.Chart
	info   PresetInfo
	digest string

	schemaOnce sync.Once
	schema     *valuesSchema
	schemaErr  error
}

// valuesSchema compiles the chart's values.schema.json once.
func (c *loadedChart) valuesSchema() (*valuesSchema, error) {
	c.schemaOnce.Do(func() { c.schema, c.schemaErr = compileSchema(c.info.Name, c.chart.Schema) })
	return c.schema, c.schemaErr
}

// chartCache holds loaded charts by the digest of their files: the built-in
// presets, and chart folders or archives whose files did not change since
// the last render.
var chartCache sync.Map

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
		c, err := loadBuiltin(e.Name())
		if err != nil {
			continue
		}
		out = append(out, c.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Info returns the metadata of a preset: a built-in name, a chart folder or
// a packaged chart, as Request.Preset accepts.
func Info(preset string) (PresetInfo, error) {
	c, err := lookup(preset)
	if err != nil {
		return PresetInfo{}, err
	}
	return c.info, nil
}

// DefaultValues returns the values.yaml of a preset as written, comments
// included, as `helm show values` prints it.
func DefaultValues(preset string) ([]byte, error) {
	c, err := lookup(preset)
	if err != nil {
		return nil, err
	}
	for _, f := range c.chart.Raw {
		if f.Name == valuesFile {
			return f.Data, nil
		}
	}
	return nil, nil
}

// Schema returns the values.schema.json of a preset.
func Schema(preset string) ([]byte, error) {
	c, err := lookup(preset)
	if err != nil {
		return nil, err
	}
	if c.chart.Schema == nil {
		return nil, fmt.Errorf("preset %q has no %s", c.info.Name, schemaFile)
	}
	return c.chart.Schema, nil
}

// Readme returns the README.md of a preset as written, as `helm show readme`
// prints it.
func Readme(preset string) ([]byte, error) {
	c, err := lookup(preset)
	if err != nil {
		return nil, err
	}
	for _, f := range c.chart.Raw {
		if f.Name == readmeFile {
			return f.Data, nil
		}
	}
	return nil, fmt.Errorf("chart %s has no %s", c.info.Name, readmeFile)
}

// builtinNames lists the built-in presets for error messages.
func builtinNames() string {
	var names []string
	for _, p := range List() {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// isBuiltin reports whether name is a built-in preset.
func isBuiltin(name string) bool {
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return false
	}
	_, err := fs.Stat(templates.FS, path.Join(name, chartFile))
	return err == nil
}

// lookup finds a preset: a built-in name first, then a chart folder or a
// packaged chart (.tgz) on disk.
func lookup(name string) (*loadedChart, error) {
	if name == "" {
		return nil, fmt.Errorf("no preset given: name a built-in preset (%s), a chart folder or a packaged chart (.tgz)", builtinNames())
	}
	if isBuiltin(name) {
		return loadBuiltin(name)
	}
	st, err := os.Stat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("unknown preset %q: name a built-in preset (%s), a chart folder or a packaged chart (.tgz)", name, builtinNames())
		}
		return nil, fmt.Errorf("read chart %s: %w", name, err)
	}
	if st.IsDir() {
		return loadDir(name)
	}
	return loadArchive(name)
}

// builtinCache holds the built-in charts by name: they are embedded, so they
// never change while the process runs.
var builtinCache sync.Map

// loadBuiltin loads an embedded chart, once.
func loadBuiltin(name string) (*loadedChart, error) {
	if v, ok := builtinCache.Load(name); ok {
		if c, ok := v.(*loadedChart); ok {
			return c, nil
		}
	}
	c, err := loadEmbedded(name)
	if err != nil {
		return nil, err
	}
	builtinCache.Store(name, c)
	return c, nil
}

// loadEmbedded reads and loads an embedded chart.
func loadEmbedded(name string) (*loadedChart, error) {
	sub, err := fs.Sub(templates.FS, name)
	if err != nil {
		return nil, fmt.Errorf("open built-in preset %q: %w", name, err)
	}
	files, err := filesOf(sub)
	if err != nil {
		return nil, fmt.Errorf("read built-in preset %q: %w", name, err)
	}
	return loadFiles(name, files)
}

// loadDir loads a chart folder. Helm's loader applies the chart's
// .helmignore; the chart is parsed again only when a file changed.
func loadDir(dir string) (*loadedChart, error) {
	// NOTE: the digest covers every file under the folder, .helmignore'd
	// ones too: reading them is cheaper than parsing the chart again, and a
	// change to an ignored file only costs one parse.
	var files []*loader.BufferedFile
	if err := dirFiles(dir, "", map[string]bool{}, &files); err != nil {
		return nil, fmt.Errorf("read chart folder %s: %w", dir, err)
	}
	digest := digestOf(files)
	if c, ok := cachedChart(digest); ok {
		return c, nil
	}
	if _, err := os.Stat(path.Join(dir, chartFile)); err != nil {
		return nil, fmt.Errorf("chart folder %s has no %s: a preset is a Helm chart (Chart.yaml with apiVersion v2, values.yaml, templates/)", dir, chartFile)
	}
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", dir, err)
	}
	return storeChart(dir, digest, ch)
}

// loadArchive loads a packaged chart (helm package's .tgz).
func loadArchive(file string) (*loadedChart, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read chart archive %s: %w", file, err)
	}
	sum := sha256.Sum256(b)
	digest := hex.EncodeToString(sum[:])
	if c, ok := cachedChart(digest); ok {
		return c, nil
	}
	ch, err := loader.LoadFile(file)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w (give a chart folder, or a .tgz made by helm package)", file, err)
	}
	return storeChart(file, digest, ch)
}

// loadFiles loads a chart from its files (paths relative to the chart).
func loadFiles(where string, files []*loader.BufferedFile) (*loadedChart, error) {
	digest := digestOf(files)
	if c, ok := cachedChart(digest); ok {
		return c, nil
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", where, err)
	}
	return storeChart(where, digest, ch)
}

// cachedChart returns the chart loaded from files with this digest.
func cachedChart(digest string) (*loadedChart, bool) {
	if v, ok := chartCache.Load(digest); ok {
		if c, ok := v.(*loadedChart); ok {
			return c, true
		}
	}
	return nil, false
}

// storeChart checks a freshly loaded chart and caches it by digest.
func storeChart(where, digest string, ch *chart.Chart) (*loadedChart, error) {
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("chart %s: %s: %w", where, chartFile, err)
	}
	if ch.Metadata.Type == "library" {
		return nil, fmt.Errorf("chart %s is a library chart: it renders nothing by itself; use it as a dependency of an application chart", where)
	}
	c := &loadedChart{chart: ch, digest: digest, info: PresetInfo{
		Name:        ch.Metadata.Name,
		Version:     ch.Metadata.Version,
		AppVersion:  ch.Metadata.AppVersion,
		Description: ch.Metadata.Description,
		Namespace:   ch.Metadata.Annotations[NamespaceAnnotation],
	}}
	if actual, loaded := chartCache.LoadOrStore(digest, c); loaded {
		if cached, ok := actual.(*loadedChart); ok {
			return cached, nil
		}
	}
	return c, nil
}

// filesOf reads every file of a chart tree, paths relative to its root with
// forward slashes, as Helm's loader takes them.
func filesOf(fsys fs.FS) ([]*loader.BufferedFile, error) {
	var files []*loader.BufferedFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, &loader.BufferedFile{Name: p, Data: b})
		return nil
	})
	return files, err
}

// dirFiles reads every file under dir as filesOf does, but follows symbolic
// links as Helm's loader does (a subchart linked into charts/ from a sibling
// folder is common); a link back to a folder being walked is not followed
// again.
func dirFiles(dir, rel string, walking map[string]bool, out *[]*loader.BufferedFile) error {
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if walking[resolved] {
		return nil
	}
	walking[resolved] = true
	defer delete(walking, resolved)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p, r := filepath.Join(dir, e.Name()), path.Join(rel, e.Name())
		info, err := os.Stat(p)
		if err != nil {
			return err
		}
		if info.IsDir() {
			if err := dirFiles(p, r, walking, out); err != nil {
				return err
			}
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		*out = append(*out, &loader.BufferedFile{Name: r, Data: b})
	}
	return nil
}

// digestOf hashes file names and contents, in walk order (sorted).
func digestOf(files []*loader.BufferedFile) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%d:%s:%d:", len(f.Name), f.Name, len(f.Data))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}
