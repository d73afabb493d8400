package render

import (
	"errors"
	"fmt"
	"regexp"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
)

// defaultKubeVersion is what .Capabilities.KubeVersion reports when the
// request names no version: the Kubernetes minor that client-go targets.
const defaultKubeVersion = "v1.35.0"

// Request is what to render.
type Request struct {
	// Preset is a built-in preset name or the path of a preset folder.
	Preset string
	// Name is .Release.Name, the base of every object's name; empty means
	// the preset's name.
	Name string
	// Namespace is .Release.Namespace; empty means the preset's namespace,
	// or "default".
	Namespace string
	// ValuesYAML are values documents, merged in order over the defaults.
	ValuesYAML [][]byte
	// Set, SetString and SetJSON are Helm's --set, --set-string and
	// --set-json expressions, applied after the values documents (--set-json
	// first, then --set, then --set-string, as Helm does).
	Set, SetString, SetJSON []string
	// KubeVersion is .Capabilities.KubeVersion, e.g. "v1.32.1"; empty means
	// v1.35.0.
	KubeVersion string
}

// Object is one rendered Kubernetes object.
type Object struct {
	Kind, APIVersion, Name string
	// Namespace is where the object goes: the namespace its template wrote
	// or, when it wrote none, the release namespace. Cluster-scoped objects
	// have none.
	Namespace string
	// Namespaced is false for cluster-scoped kinds (Namespace, ClusterRole,
	// CSIDriver, ...).
	Namespaced bool
	// YAML is the object as the template wrote it, one document, with the
	// release namespace added to the metadata of a namespaced object whose
	// template wrote none.
	YAML []byte
	// Source is the template file, e.g. "node-exporter/daemonset.yaml".
	Source string
	// Object is the typed object (e.g. *appsv1.DaemonSet), decoded strictly.
	Object runtime.Object
}

// Result is a rendered preset.
type Result struct {
	// Name and Namespace are the release's (.Release.Name and
	// .Release.Namespace): the request's, or the preset's defaults.
	Name, Namespace string
	// Manifest is every object as one YAML stream, in install order.
	Manifest []byte
	// Objects are the same objects, in install order.
	Objects []Object
}

// schemaCache holds the compiled schemas of the built-in presets by name.
var schemaCache sync.Map

// kubeVersionPattern accepts v1.32, 1.32.1 and v1.32.1-gke.100.
var kubeVersionPattern = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.(\d+))?([-+].*)?$`)

// Render renders a preset with the request's values. Errors are
// *ValuesError (joined when there are several), *TemplateError, or plain
// errors naming the template and object that failed to decode.
func Render(req Request) (*Result, error) {
	p, err := lookup(req.Preset)
	if err != nil {
		return nil, err
	}
	sch, err := presetSchema(p)
	if err != nil {
		return nil, err
	}
	defaults, err := p.parsedDefaults()
	if err != nil {
		return nil, err
	}
	cv, err := coalesceParsed(defaults, req, sch)
	if err != nil {
		return nil, err
	}
	if err := sch.validate(cv); err != nil {
		return nil, err
	}
	name, ns := release(p, req)
	data, err := renderData(p, name, ns, req.KubeVersion, cv.values)
	if err != nil {
		return nil, err
	}
	set, err := parsedSet(p)
	if err != nil {
		return nil, err
	}
	exec, err := set.getExecution()
	if err != nil {
		return nil, err
	}
	defer set.putExecution(exec)
	var objs []Object
	var errs []error
	for _, file := range set.files {
		out, err := exec.run(file, data)
		if err != nil {
			return nil, cleanTemplateError(err)
		}
		for _, doc := range splitDocuments(out) {
			obj, err := decodeObject(file, doc)
			if err == nil {
				err = placeObject(&obj, ns)
			}
			if err != nil {
				errs = append(errs, err)
				continue
			}
			objs = append(objs, obj)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sortObjects(objs)
	return &Result{Name: name, Namespace: ns, Manifest: manifest(objs), Objects: objs}, nil
}

// presetSchema compiles the preset's schema, once for built-in presets.
func presetSchema(p *preset) (*valuesSchema, error) {
	if p.builtin {
		if s, ok := schemaCache.Load(p.info.Name); ok {
			if cached, ok := s.(*valuesSchema); ok {
				return cached, nil
			}
		}
	}
	s, err := compileSchema(p.info.Name, p.schema)
	if err != nil {
		return nil, err
	}
	if p.builtin {
		schemaCache.Store(p.info.Name, s)
	}
	return s, nil
}

// release is the release name and namespace of a request: its own, else
// the preset's name and namespace, else "default" for the namespace.
func release(p *preset, req Request) (name, namespace string) {
	name, namespace = req.Name, req.Namespace
	if name == "" {
		name = p.info.Name
	}
	if namespace == "" {
		namespace = p.info.Namespace
	}
	if namespace == "" {
		namespace = "default"
	}
	return name, namespace
}

// renderData is what templates see as ".".
func renderData(p *preset, name, ns, kv string, values map[string]any) (map[string]any, error) {
	if kv == "" {
		kv = defaultKubeVersion
	}
	m := kubeVersionPattern.FindStringSubmatch(kv)
	if m == nil {
		return nil, fmt.Errorf("kube version %q is not a Kubernetes version: write it as v1.32 or v1.32.1", kv)
	}
	patch := m[3]
	if patch == "" {
		patch = "0"
	}
	version := "v" + m[1] + "." + m[2] + "." + patch + m[4]
	return map[string]any{
		"Values": values,
		"Release": map[string]any{
			"Name":      name,
			"Namespace": ns,
			"Service":   "kubedaemon",
		},
		"Preset": map[string]any{
			"Name":        p.info.Name,
			"Version":     p.info.Version,
			"Description": p.info.Description,
		},
		"Capabilities": map[string]any{
			"KubeVersion": map[string]any{
				"Version":    version,
				"GitVersion": version,
				"Major":      m[1],
				"Minor":      m[2],
			},
		},
	}, nil
}
