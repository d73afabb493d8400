package render

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	helmrelease "helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// DefaultKubeVersion is what .Capabilities.KubeVersion reports when the
// request names no version: the Kubernetes minor of the client libraries
// kubedaemon is built with.
const DefaultKubeVersion = "v1.35.0"

// DefaultService is .Release.Service unless the request names another, as
// in Helm.
const DefaultService = "Helm"

// HelmLibraryVersion is the version of Helm's libraries kubedaemon renders
// with (go.mod requires it; a test keeps the two equal). Templates see it as
// .Capabilities.HelmVersion.Version, as they would under that helm release.
const HelmLibraryVersion = "v3.19.0"

// notesFile is the template whose output is the release notes, not objects.
const notesFile = "NOTES.txt"

// Request is what to render.
type Request struct {
	// Preset is a built-in preset name, the path of a chart folder, or the
	// path of a packaged chart (.tgz).
	Preset string
	// Name is .Release.Name, the base of every object's name; empty means
	// the chart's name.
	Name string
	// Namespace is .Release.Namespace; empty means the chart's
	// kubedaemon.dev/namespace annotation, or "default".
	Namespace string
	// ValuesYAML are values documents, merged in order over the defaults,
	// as helm's -f files.
	ValuesYAML [][]byte
	// ValuesNames name each values document in errors (e.g. "-f prod.yaml");
	// a document without a name is "values[i]".
	ValuesNames []string
	// Set, SetString and SetJSON are Helm's --set, --set-string and
	// --set-json expressions, applied after the values documents (--set-json
	// first, then --set, then --set-string, as Helm does). A --set value is
	// typed by the chart's values.schema.json where it says the type.
	Set, SetString, SetJSON []string
	// SetNames name --set style expressions in errors, keyed by their kind
	// and index (e.g. "--set image.tag=v2"); an expression without a name
	// is "--set[i]".
	SetNames map[Source]string
	// SetFile are Helm's --set-file expressions (key=path: the file's
	// content, as a string), applied after --set-string.
	SetFile []string
	// KubeVersion is .Capabilities.KubeVersion, e.g. "v1.32.1"; empty means
	// DefaultKubeVersion.
	KubeVersion string
	// APIVersions are added to .Capabilities.APIVersions, as helm template's
	// --api-versions: "group/version" or "group/version/Kind".
	APIVersions []string
	// ClusterAPIVersions, when not nil, replace the API versions the client
	// libraries know: what a cluster's discovery serves, as helm install
	// reads them.
	ClusterAPIVersions []string
	// Strict makes a template that reads a missing value fail, as
	// helm lint --strict; by default a missing value is empty, as in Helm.
	Strict bool
	// IsUpgrade renders as an upgrade of an installed release
	// (.Release.IsUpgrade), Revision its number (.Release.Revision; 0 is 1).
	IsUpgrade bool
	Revision  int
	// Service is .Release.Service; empty is DefaultService.
	Service string
	// Cluster, when set, is where the lookup function reads (read-only);
	// without it lookup returns an empty map, as in helm template.
	Cluster *rest.Config
	// Scope says whether a kind the client libraries do not know (a custom
	// resource) is namespaced, or why it cannot be used (e.g. a cluster that
	// does not serve it). Without it, kinds the chart's crds/ define have
	// the scope their definition says and others are namespaced.
	Scope func(schema.GroupVersionKind) (namespaced bool, err error)
	// IncludeCRDs puts the chart's crds/ files first in Manifest, as
	// helm template --include-crds; SkipTests leaves test hooks out of it.
	IncludeCRDs, SkipTests bool
}

// Object is one rendered Kubernetes object.
type Object struct {
	Kind, APIVersion, Name string
	// Namespace is where the object goes: the namespace its template wrote
	// or, when it wrote none, the release namespace. Cluster-scoped objects
	// have none.
	Namespace string
	// Namespaced is false for cluster-scoped kinds (Namespace, ClusterRole,
	// CSIDriver, CustomResourceDefinition, ...).
	Namespaced bool
	// YAML is the object as the template wrote it, one document, with the
	// release namespace added to the metadata of a namespaced object whose
	// template wrote none.
	YAML []byte
	// Source is the template file, e.g. "node-exporter/templates/daemonset.yaml".
	Source string
	// Object is the typed object (e.g. *appsv1.DaemonSet), decoded strictly,
	// or an *unstructured.Unstructured for a kind the client libraries do
	// not know (a custom resource).
	Object runtime.Object
}

// Hook is an object a template marks with the helm.sh/hook annotation.
type Hook struct {
	Object
	// Events are the hook's events, e.g. "pre-install" or "test".
	Events []string
	// Weight is helm.sh/hook-weight; DeletePolicies helm.sh/hook-delete-policy.
	Weight         int
	DeletePolicies []string
}

// IsTest reports whether the hook runs only under helm test.
func (h Hook) IsTest() bool {
	for _, e := range h.Events {
		if e == "test" || e == "test-success" {
			return true
		}
	}
	return false
}

// Result is a rendered chart.
type Result struct {
	// Name and Namespace are the release's (.Release.Name and
	// .Release.Namespace): the request's, or the chart's defaults.
	Name, Namespace string
	// Chart is the chart's metadata.
	Chart PresetInfo
	// Manifest is what helm template prints: the crds/ files when the
	// request includes them, the objects in install order, then the hooks.
	Manifest []byte
	// Objects are the objects that are not hooks, in install order.
	Objects []Object
	// CRDs are the definitions in the chart's crds/ folders (subcharts'
	// too), which Helm creates before anything else and never upgrades.
	CRDs []Object
	// Hooks are the hook objects, in template order.
	Hooks []Hook
	// Notes is the rendered NOTES.txt of the chart, if it has one.
	Notes string
}

// Render renders a chart with the request's values, with Helm's own chart
// loader, values coalescing, template engine and install order. Errors are
// *ValuesError (joined when there are several), *TemplateError, or plain
// errors naming the template and object that failed to decode.
func Render(req Request) (*Result, error) {
	lc, err := lookup(req.Preset)
	if err != nil {
		return nil, err
	}
	ch, top, err := prepare(lc, req)
	if err != nil {
		return nil, err
	}
	eng := engine.Engine{}
	if req.Cluster != nil {
		eng = engine.New(req.Cluster)
	}
	eng.Strict = req.Strict
	files, err := eng.Render(ch, top)
	if err != nil {
		return nil, cleanTemplateError(err)
	}
	name, ns := release(lc, req)
	res := &Result{Name: name, Namespace: ns, Chart: lc.info}
	if err := collect(res, ch, files, req); err != nil {
		return nil, err
	}
	return res, nil
}

// prepare readies a chart for the engine: the values merged and checked,
// the Kubernetes version it asks for checked, its dependencies processed (on
// a copy of the shared chart), and what templates see as ".".
func prepare(lc *loadedChart, req Request) (*chart.Chart, chartutil.Values, error) {
	sch, err := lc.valuesSchema()
	if err != nil {
		return nil, nil, err
	}
	cv, err := userValues(lc.chart.Values, req, sch)
	if err != nil {
		return nil, nil, err
	}
	caps, err := capabilities(req)
	if err != nil {
		return nil, nil, err
	}
	ch := lc.chart
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, nil, fmt.Errorf("chart %s: chart requires kubeVersion: %s which is incompatible with Kubernetes %s (render for a Kubernetes version the chart supports)",
			lc.info.Name, ch.Metadata.KubeVersion, caps.KubeVersion.String())
	}
	if hasDependencies(ch) {
		// GOTCHA: Helm's dependency processing writes to the chart it is
		// given (drops disabled subcharts, renames aliases); the loaded
		// chart is shared by every render, concurrent ones too.
		ch = cloneChart(ch)
		if err := chartutil.ProcessDependenciesWithMerge(ch, cv.user); err != nil {
			return nil, nil, fmt.Errorf("chart %s: dependencies: %w", lc.info.Name, err)
		}
	}
	name, ns := release(lc, req)
	top, err := renderValues(ch, cv, sch, name, ns, req, caps)
	if err != nil {
		return nil, nil, err
	}
	return ch, top, nil
}

// collect sorts the rendered files as Helm's install does and fills the
// result: notes, CRDs, objects and hooks (decoded and placed), manifest.
func collect(res *Result, ch *chart.Chart, files map[string]string, req Request) error {
	res.Notes = takeNotes(files, ch.Name())
	docs, hooks, err := sortedDocuments(files)
	if err != nil {
		return fmt.Errorf("chart %s: %w (render the chart to see the document)", ch.Name(), err)
	}
	if res.CRDs, err = crdObjects(ch); err != nil {
		return err
	}
	p := placer{namespace: res.Namespace, scope: req.Scope, crdScopes: crdScopes(res.CRDs)}
	var errs []error
	for _, d := range docs {
		obj, ok, err := p.parsed(d)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok:
			res.Objects = append(res.Objects, obj)
		}
	}
	for _, h := range hooks {
		hook, ok, err := p.hook(h)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok:
			res.Hooks = append(res.Hooks, hook)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	res.Manifest = manifest(res, ch.CRDObjects(), docs, req)
	return nil
}

// hook decodes and places one hook object.
func (p placer) hook(h *helmrelease.Hook) (Hook, bool, error) {
	obj, ok, err := p.object(h.Path, h.Manifest)
	if err != nil || !ok {
		return Hook{}, ok, err
	}
	hook := Hook{Object: obj, Weight: h.Weight}
	for _, e := range h.Events {
		hook.Events = append(hook.Events, string(e))
	}
	for _, d := range h.DeletePolicies {
		hook.DeletePolicies = append(hook.DeletePolicies, string(d))
	}
	return hook, true, nil
}

// renderValues is what templates see as ".": Helm's render values, after
// kubedaemon's validation of the coalesced values against the chart's schema
// (which names the input that set a bad value) and Helm's validation of the
// subcharts' schemas.
func renderValues(ch *chart.Chart, cv *coalescedValues, sch *valuesSchema, name, ns string, req Request, caps *chartutil.Capabilities) (chartutil.Values, error) {
	revision := req.Revision
	if revision == 0 {
		revision = 1
	}
	opts := chartutil.ReleaseOptions{Name: name, Namespace: ns, Revision: revision, IsInstall: !req.IsUpgrade, IsUpgrade: req.IsUpgrade}
	top, err := chartutil.ToRenderValuesWithSchemaValidation(ch, cv.user, opts, caps, true)
	if err != nil {
		return nil, fmt.Errorf("chart %s: values: %w", ch.Name(), err)
	}
	vals, err := top.Table("Values")
	if err != nil {
		return nil, fmt.Errorf("chart %s: values: %w", ch.Name(), err)
	}
	cv.values = vals.AsMap()
	if err := sch.validate(cv); err != nil {
		return nil, err
	}
	if len(ch.Dependencies()) > 0 {
		if err := chartutil.ValidateAgainstSchema(ch, vals); err != nil {
			return nil, &ValuesError{Source: Source{Kind: SourceDefaults}, Msg: "a subchart's values.schema.json rejects the values: " + strings.TrimSpace(err.Error())}
		}
	}
	service := req.Service
	if service == "" {
		service = DefaultService
	}
	if rel, ok := top["Release"].(map[string]any); ok {
		rel["Service"] = service
	}
	return top, nil
}

// capabilities is .Capabilities: the request's Kubernetes version and API
// versions over Helm's defaults.
func capabilities(req Request) (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	// NOTE: the library reports its version as "v3.19" unless the build
	// sets it with -ldflags, which `go install` users would not do.
	caps.HelmVersion.Version = HelmLibraryVersion
	kv := req.KubeVersion
	if kv == "" {
		kv = DefaultKubeVersion
	}
	v, err := chartutil.ParseKubeVersion(kv)
	if err != nil {
		return nil, fmt.Errorf("kube version %q is not a Kubernetes version: write it as v1.32 or v1.32.1", kv)
	}
	caps.KubeVersion = *v
	if req.ClusterAPIVersions != nil {
		caps.APIVersions = chartutil.VersionSet(append([]string(nil), req.ClusterAPIVersions...))
	}
	caps.APIVersions = append(caps.APIVersions, req.APIVersions...)
	return caps, nil
}

// release is the release name and namespace of a request: its own, else
// the chart's name and namespace annotation, else "default".
func release(lc *loadedChart, req Request) (name, namespace string) {
	name, namespace = req.Name, req.Namespace
	if name == "" {
		name = lc.info.Name
	}
	if namespace == "" {
		namespace = lc.info.Namespace
	}
	if namespace == "" {
		namespace = "default"
	}
	return name, namespace
}

// takeNotes removes every NOTES.txt from the rendered files and returns the
// top chart's, as helm install shows it (subcharts' notes are not shown).
func takeNotes(files map[string]string, chartName string) string {
	var notes string
	for name, text := range files {
		if !strings.HasSuffix(name, notesFile) {
			continue
		}
		if name == chartName+"/templates/"+notesFile {
			notes = text
		}
		delete(files, name)
	}
	return notes
}

// cloneChart copies a chart tree deeply enough that Helm's dependency
// processing, which writes to the chart (dependency list, each dependency's
// Enabled, Name for an alias and ImportValues, and the values), leaves the
// original alone; templates and files are shared, as nothing writes to them.
func cloneChart(c *chart.Chart) *chart.Chart {
	cp := *c
	md := *c.Metadata
	if c.Metadata.Dependencies != nil {
		md.Dependencies = make([]*chart.Dependency, len(c.Metadata.Dependencies))
		for i, d := range c.Metadata.Dependencies {
			dc := *d
			dc.Tags = append([]string(nil), d.Tags...)
			if d.ImportValues != nil {
				dc.ImportValues = append([]any(nil), d.ImportValues...)
			}
			md.Dependencies[i] = &dc
		}
	}
	cp.Metadata = &md
	if c.Values != nil {
		cp.Values = deepCopyMap(c.Values)
	}
	deps := make([]*chart.Chart, 0, len(c.Dependencies()))
	for _, d := range c.Dependencies() {
		deps = append(deps, cloneChart(d))
	}
	cp.SetDependencies(deps...)
	return &cp
}

// hasDependencies reports whether a chart has subcharts, declared or in
// its charts/ folder.
func hasDependencies(c *chart.Chart) bool {
	return len(c.Dependencies()) > 0 || len(c.Metadata.Dependencies) > 0
}

// crdObjects decodes the chart's crds/ files (subcharts' too), each document
// an object, in file order.
func crdObjects(ch *chart.Chart) ([]Object, error) {
	var out []Object
	for _, crd := range ch.CRDObjects() {
		docs := releaseutil.SplitManifests(string(crd.File.Data))
		keys := make([]string, 0, len(docs))
		for k := range docs {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for _, k := range keys {
			obj, ok, err := decodeDocument(crd.Filename, docs[k])
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, obj)
			}
		}
	}
	return out, nil
}
