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

// clusterScoped are the built-in kinds that live outside namespaces. Every
// other kind the scheme knows is namespaced.
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
}

// InstallRank is the place of kind in the install order: lower installs
// first. Kinds outside the order share the last rank, after DaemonSets'
// dependencies and DaemonSets alike; callers keep their relative order.
func InstallRank(kind string) int {
	if r, ok := installOrder[kind]; ok {
		return r
	}
	return len(installOrder)
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
	sort.SliceStable(objs, func(i, j int) bool { return InstallRank(objs[i].Kind) < InstallRank(objs[j].Kind) })
}

// placeObject puts a decoded object in its namespace, as Helm's install
// does: a cluster-scoped object has none, and a namespaced object whose
// template wrote none gets the release namespace, in its typed object and
// in its YAML, so that the manifest applies the same way with kubectl.
func placeObject(o *Object, namespace string) error {
	o.Namespaced = !clusterScoped[o.Kind]
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
