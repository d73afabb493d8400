package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/releaseutil"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// clusterScoped are the kinds that live outside namespaces among those the
// client libraries know, plus the API extension kinds a chart may carry.
// Every other kind the scheme knows is namespaced.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ComponentStatus": true,
	"ClusterRole": true, "ClusterRoleBinding": true,
	"StorageClass": true, "CSIDriver": true, "CSINode": true, "VolumeAttachment": true, "VolumeAttributesClass": true,
	"PriorityClass": true, "RuntimeClass": true, "IngressClass": true, "IPAddress": true, "ServiceCIDR": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
	"CertificateSigningRequest": true, "ClusterTrustBundle": true,
	"FlowSchema": true, "PriorityLevelConfiguration": true, "StorageVersion": true, "StorageVersionMigration": true,
	"DeviceClass": true, "ResourceSlice": true, "DeviceTaintRule": true,
	"TokenReview": true, "SubjectAccessReview": true, "SelfSubjectAccessReview": true,
	"SelfSubjectRulesReview": true, "SelfSubjectReview": true,
	"CustomResourceDefinition": true, "APIService": true,
}

// installRanks is Helm's install order as a rank per kind.
var installRanks = func() map[string]int {
	m := make(map[string]int, len(releaseutil.InstallOrder))
	for i, k := range releaseutil.InstallOrder {
		m[k] = i
	}
	return m
}()

// InstallRank is the place of kind in Helm's install order: lower installs
// first. Kinds outside the order share the last rank; Helm orders those by
// kind name, and callers that sort objects read back from a cluster do the
// same.
func InstallRank(kind string) int {
	if r, ok := installRanks[kind]; ok {
		return r
	}
	return len(installRanks)
}

// strictDecoder decodes JSON into typed objects and reports unknown and
// duplicate fields.
var strictDecoder = sync.OnceValue(func() *kjson.Serializer {
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme.Scheme, scheme.Scheme, kjson.SerializerOptions{Strict: true})
})

// decodeDocument decodes one rendered document: strictly into its typed
// object for a kind the client libraries know, as unstructured otherwise.
// ok is false for a document that holds only comments, which Helm prints
// but nothing applies.
func decodeDocument(source, doc string) (obj Object, ok bool, err error) {
	// One YAML pass: the strict conversion rejects duplicate keys, and the
	// JSON decoder below rejects unknown fields.
	j, err := yaml.YAMLToJSONStrict([]byte(doc))
	return decodeJSON(source, doc, j, err, nil)
}

// decodeJSON decodes a document from its strict JSON conversion (or that
// conversion's error). head, when not nil, is the document's apiVersion and
// kind as encoding/json reads them from j, which is what
// kjson.DefaultMetaFactory.Interpret would read.
func decodeJSON(source, doc string, j []byte, jsonErr error, head *releaseutil.SimpleHead) (obj Object, ok bool, err error) {
	if jsonErr != nil {
		return Object{}, false, fmt.Errorf("%s: output is not YAML: %w (render the chart to see the document)", source, jsonErr)
	}
	if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return Object{}, false, nil
	}
	gvk, err := interpret(j, head)
	if err != nil {
		return Object{}, false, fmt.Errorf("%s: read apiVersion and kind: %w (every document must be one Kubernetes object)", source, err)
	}
	if gvk.Version == "" || gvk.Kind == "" {
		return Object{}, false, fmt.Errorf("%s: a document has no apiVersion or kind: every document must be one Kubernetes object", source)
	}
	var typed runtime.Object
	if scheme.Scheme.Recognizes(*gvk) {
		if typed, err = decodeTyped(source, gvk, j); err != nil {
			return Object{}, false, err
		}
	} else {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(j); err != nil {
			return Object{}, false, fmt.Errorf("%s: %s: %w", source, gvk.Kind, err)
		}
		typed = u
	}
	acc, err := meta.Accessor(typed)
	if err != nil {
		return Object{}, false, fmt.Errorf("%s: %s: %w", source, gvk.Kind, err)
	}
	if acc.GetName() == "" {
		return Object{}, false, fmt.Errorf("%s: %s has no metadata.name: give every object a name", source, gvk.Kind)
	}
	return Object{
		Kind:       gvk.Kind,
		APIVersion: gvk.GroupVersion().String(),
		Namespace:  acc.GetNamespace(),
		Name:       acc.GetName(),
		YAML:       []byte(strings.TrimSpace(doc) + "\n"),
		Source:     source,
		Object:     typed,
	}, true, nil
}

// interpret is the kind of a document: from its head when the caller read
// one from the same JSON, else as the JSON serializer reads it.
func interpret(j []byte, head *releaseutil.SimpleHead) (*schema.GroupVersionKind, error) {
	if head == nil {
		return kjson.DefaultMetaFactory.Interpret(j)
	}
	gv, err := schema.ParseGroupVersion(head.Version)
	if err != nil {
		return nil, err
	}
	return &schema.GroupVersionKind{Group: gv.Group, Version: gv.Version, Kind: head.Kind}, nil
}

// decodeTyped decodes JSON strictly into the typed object of gvk.
func decodeTyped(source string, gvk *schema.GroupVersionKind, j []byte) (runtime.Object, error) {
	obj, _, err := strictDecoder().Decode(j, gvk, nil)
	if err == nil {
		return obj, nil
	}
	var head struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(j, &head)
	what := strings.TrimSpace(gvk.Kind + " " + head.Metadata.Name)
	var sde interface{ Errors() []error }
	if runtime.IsStrictDecodingError(err) && errors.As(err, &sde) {
		var msgs []string
		for _, e := range sde.Errors() {
			msgs = append(msgs, e.Error())
		}
		return nil, fmt.Errorf("%s: %s: %s (fix the field name in the template)", source, what, strings.Join(msgs, "; "))
	}
	return nil, fmt.Errorf("%s: %s: %w", source, what, err)
}

// crdScopes maps "group/Kind" to whether the chart's CRDs make it namespaced.
func crdScopes(crds []Object) map[string]bool {
	out := map[string]bool{}
	for _, c := range crds {
		if c.Kind != "CustomResourceDefinition" {
			continue
		}
		// NOTE: read from the YAML: the CRD may be typed or unstructured,
		// depending on whether a linked package registered apiextensions in
		// client-go's scheme (Helm's do).
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Scope string `json:"scope"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
			} `json:"spec"`
		}
		if yaml.Unmarshal(c.YAML, &crd) != nil {
			continue
		}
		out[crd.Spec.Group+"/"+crd.Spec.Names.Kind] = crd.Spec.Scope != "Cluster"
	}
	return out
}

// placer decodes rendered documents and puts each object in its namespace,
// as Helm's install places them.
type placer struct {
	namespace string
	scope     func(schema.GroupVersionKind) (bool, error)
	crdScopes map[string]bool
}

// object decodes and places one document; ok is false for a document with
// only comments.
func (p placer) object(source, doc string) (Object, bool, error) {
	o, ok, err := decodeDocument(source, doc)
	if err != nil || !ok {
		return o, ok, err
	}
	return p.place(o)
}

// parsed places a document that sortedDocuments decoded.
func (p placer) parsed(d document) (Object, bool, error) {
	if d.err != nil || !d.ok {
		return Object{}, d.ok, d.err
	}
	return p.place(d.obj)
}

// place puts a decoded object in its namespace.
func (p placer) place(o Object) (Object, bool, error) {
	var err error
	if o.Namespaced, err = p.namespaced(o); err != nil {
		return Object{}, false, err
	}
	return o, true, placeObject(&o, p.namespace)
}

// namespaced tells the scope of an object's kind: the known list for the
// client libraries' kinds, the chart's CRDs, then the request's Scope.
func (p placer) namespaced(o Object) (bool, error) {
	if _, ok := o.Object.(*unstructured.Unstructured); !ok || clusterScoped[o.Kind] {
		return !clusterScoped[o.Kind], nil
	}
	gv, err := schema.ParseGroupVersion(o.APIVersion)
	if err != nil {
		return false, fmt.Errorf("%s: %s %s: apiVersion %q: %w", o.Source, o.Kind, o.Name, o.APIVersion, err)
	}
	if ns, ok := p.crdScopes[gv.Group+"/"+o.Kind]; ok {
		return ns, nil
	}
	if p.scope == nil {
		return true, nil
	}
	ns, err := p.scope(gv.WithKind(o.Kind))
	if err != nil {
		return false, fmt.Errorf("%s: %s %s: %w", o.Source, o.Kind, o.Name, err)
	}
	return ns, nil
}

// placeObject puts a decoded object in its namespace, as Helm's install
// does: a cluster-scoped object has none, and a namespaced object whose
// template wrote none gets the release namespace, in its typed object and
// in its YAML, so that the manifest applies the same way with kubectl.
func placeObject(o *Object, namespace string) error {
	if !o.Namespaced {
		o.Namespace = ""
		return nil
	}
	if o.Namespace != "" {
		return nil
	}
	doc, err := withNamespace(string(o.YAML), namespace)
	if err != nil {
		return fmt.Errorf("%s: %s %s: set the release namespace: %w", o.Source, o.Kind, o.Name, err)
	}
	acc, err := meta.Accessor(o.Object)
	if err != nil {
		return fmt.Errorf("%s: %s %s: %w", o.Source, o.Kind, o.Name, err)
	}
	acc.SetNamespace(namespace)
	o.Namespace, o.YAML = namespace, []byte(doc)
	return nil
}

// manifest prints the result as helm template prints a release: the crds/
// files when asked, every manifest in install order (documents that hold
// only comments too, as Helm keeps them), then the hooks; each document
// preceded by the template it came from. Objects carry the release
// namespace where their template wrote none.
func manifest(res *Result, crds []chart.CRD, manifests []document, req Request) []byte {
	placed := make(map[string][]byte, len(res.Objects))
	for _, o := range res.Objects {
		placed[o.Source+"\x00"+o.Kind+"\x00"+o.Name] = o.YAML
	}
	var docs bytes.Buffer
	if req.IncludeCRDs {
		for _, crd := range crds {
			fmt.Fprintf(&docs, "---\n# Source: %s\n%s\n", crd.Filename, crd.File.Data)
		}
	}
	for _, m := range manifests {
		content := m.Content + "\n"
		if y, ok := placed[m.Name+"\x00"+m.Head.Kind+"\x00"+metadataName(m.Manifest)]; ok {
			content = string(y)
		}
		fmt.Fprintf(&docs, "---\n# Source: %s\n%s", m.Name, content)
	}
	var b bytes.Buffer
	if s := strings.TrimSpace(docs.String()); s != "" {
		b.WriteString(s + "\n")
	}
	for _, h := range res.Hooks {
		if req.SkipTests && h.IsTest() {
			continue
		}
		fmt.Fprintf(&b, "---\n# Source: %s\n%s", h.Source, h.YAML)
	}
	return b.Bytes()
}

// metadataName is the name Helm's sorter read from a manifest's head.
func metadataName(m releaseutil.Manifest) string {
	if m.Head == nil || m.Head.Metadata == nil {
		return ""
	}
	return m.Head.Metadata.Name
}

// withNamespace adds `namespace: ns` to the metadata of a document, after
// its name line, keeping the rest of the text (comments, key order) as the
// template wrote it. When the metadata is not a plain block (flow style,
// an explicit empty namespace, a multi-line name), the document is written
// anew from its parsed form instead.
func withNamespace(doc, ns string) (string, error) {
	quoted, err := yaml.Marshal(ns)
	if err != nil {
		return "", err
	}
	value := strings.TrimSuffix(string(quoted), "\n")
	if out, ok := insertNamespaceLine(doc, value); ok && namespaceOf(out) == ns {
		return out, nil
	}
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		return "", err
	}
	md, _ := m["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		m["metadata"] = md
	}
	md["namespace"] = ns
	out, err := yaml.Marshal(m)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// insertNamespaceLine inserts `namespace: value` into the top-level
// metadata block of doc, after its name line (or first, without one), at
// the block's indentation. ok is false when the block is not a plain one.
func insertNamespaceLine(doc, value string) (string, bool) {
	lines := strings.SplitAfter(doc, "\n")
	start := -1
	for i, l := range lines {
		if t := strings.TrimRight(l, " \t\r\n"); t == "metadata:" || (strings.HasPrefix(t, "metadata:") && strings.HasPrefix(strings.TrimSpace(t[len("metadata:"):]), "#")) {
			start = i
			break
		}
	}
	if start < 0 {
		return "", false
	}
	indent, at := "", start+1
	for i := start + 1; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		n := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
		if indent == "" {
			if n == 0 {
				return "", false
			}
			indent = lines[i][:n]
		}
		if n < len(indent) {
			break
		}
		if n > len(indent) {
			continue
		}
		if strings.HasPrefix(t, "namespace:") {
			return "", false
		}
		if strings.HasPrefix(t, "name:") {
			at = i + 1
			if next := i + 1; next < len(lines) && len(lines[next])-len(strings.TrimLeft(lines[next], " ")) > n {
				return "", false
			}
		}
	}
	if indent == "" {
		return "", false
	}
	out := make([]string, 0, len(lines)+1)
	out = append(out, lines[:at]...)
	out = append(out, indent+"namespace: "+value+"\n")
	out = append(out, lines[at:]...)
	return strings.Join(out, ""), true
}

// namespaceOf reads metadata.namespace of a document ("" when it does not
// parse).
func namespaceOf(doc string) string {
	var head struct {
		Metadata struct {
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if yaml.Unmarshal([]byte(doc), &head) != nil {
		return ""
	}
	return head.Metadata.Namespace
}
