package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// installOrder ranks kinds so that what an object needs exists before it:
// the namespace, the identity and its rights, configuration, the service,
// the CSI driver, and the DaemonSet last. Other kinds follow, in the order
// the templates wrote them.
var installOrder = map[string]int{
	"Namespace":          0,
	"ServiceAccount":     1,
	"ClusterRole":        2,
	"ClusterRoleBinding": 3,
	"Role":               4,
	"RoleBinding":        5,
	"ConfigMap":          6,
	"Secret":             7,
	"Service":            8,
	"CSIDriver":          9,
	"DaemonSet":          10,
}

// strictDecoder decodes JSON into typed objects and reports unknown and
// duplicate fields.
var strictDecoder = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
	kjson.SerializerOptions{Strict: true})

// splitDocuments splits a template's output at `---` lines and drops the
// documents that hold only whitespace and comments.
func splitDocuments(out string) []string {
	var docs []string
	var cur strings.Builder
	flush := func() {
		if d := strings.TrimSpace(cur.String()); d != "" && !onlyComments(d) {
			docs = append(docs, d+"\n")
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(out, "\n") {
		if trimmed := strings.TrimRight(line, " \t\r\n"); trimmed == "---" || strings.HasPrefix(trimmed, "--- ") {
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return docs
}

// onlyComments reports whether every non-blank line of doc is a comment.
func onlyComments(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

// decodeObject decodes one document strictly into its typed object.
func decodeObject(source, doc string) (Object, error) {
	// One YAML pass: the strict conversion rejects duplicate keys, and the
	// JSON decoder below rejects unknown fields.
	j, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return Object{}, fmt.Errorf("%s: output is not YAML: %w (render the preset to see the document)", source, err)
	}
	var head struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	gvk, err := kjson.DefaultMetaFactory.Interpret(j)
	if err != nil {
		return Object{}, fmt.Errorf("%s: read apiVersion and kind: %w (every document must be one Kubernetes object)", source, err)
	}
	if gvk.Version == "" || gvk.Kind == "" {
		return Object{}, fmt.Errorf("%s: a document has no apiVersion or kind: every document must be one Kubernetes object", source)
	}
	if !scheme.Scheme.Recognizes(*gvk) {
		_ = json.Unmarshal(j, &head)
		what := strings.TrimSpace(gvk.Kind + " " + head.Metadata.Name)
		return Object{}, fmt.Errorf("%s: %s: kind %s is not a built-in Kubernetes kind (check apiVersion and kind)", source, what, gvk.String())
	}
	obj, _, err := strictDecoder.Decode(j, gvk, nil)
	if err != nil {
		_ = json.Unmarshal(j, &head)
		what := strings.TrimSpace(gvk.Kind + " " + head.Metadata.Name)
		var sde interface{ Errors() []error }
		if runtime.IsStrictDecodingError(err) && errors.As(err, &sde) {
			var msgs []string
			for _, e := range sde.Errors() {
				msgs = append(msgs, e.Error())
			}
			return Object{}, fmt.Errorf("%s: %s: %s (fix the field name in the template)", source, what, strings.Join(msgs, "; "))
		}
		return Object{}, fmt.Errorf("%s: %s: %w", source, what, err)
	}
	acc, err := meta.Accessor(obj)
	if err != nil {
		return Object{}, fmt.Errorf("%s: %s: %w", source, gvk.Kind, err)
	}
	return Object{
		Kind:       gvk.Kind,
		APIVersion: gvk.GroupVersion().String(),
		Namespace:  acc.GetNamespace(),
		Name:       acc.GetName(),
		YAML:       []byte(doc),
		Source:     source,
		Object:     obj,
	}, nil
}

// sortObjects puts objects in install order, keeping the template order
// within a kind.
func sortObjects(objs []Object) {
	rank := func(kind string) int {
		if r, ok := installOrder[kind]; ok {
			return r
		}
		return len(installOrder)
	}
	sort.SliceStable(objs, func(i, j int) bool { return rank(objs[i].Kind) < rank(objs[j].Kind) })
}

// manifest joins the objects into one multi-document YAML stream, each
// preceded by the template it came from.
func manifest(objs []Object) []byte {
	var b bytes.Buffer
	for _, o := range objs {
		b.WriteString("---\n# Source: " + o.Source + "\n")
		b.Write(o.YAML)
	}
	return b.Bytes()
}
