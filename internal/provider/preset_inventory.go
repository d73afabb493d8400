package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// The inventory marks: every object a kubedaemon_preset applies carries the
// managed-by label (to find them) and the inventory annotation naming the
// resource's namespace/name (to tell them apart), plus the YAML it applied
// (to import the resource with the objects as they were applied).
const (
	presetManagedByLabel      = "app.kubernetes.io/managed-by"
	presetManagedByValue      = "kubedaemon"
	presetInventoryAnnotation = "kubedaemon.dev/inventory"
	presetAppliedAnnotation   = "kubedaemon.dev/applied"
)

// presetDNSLabel is an RFC 1123 label, what release names and namespaces are.
var presetDNSLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// presetObject is one object of a render, placed in its namespace.
type presetObject struct {
	// Key is kind/namespace/name; cluster-scoped objects have an empty
	// namespace, e.g. "ClusterRole//fluent-bit".
	Key                               string
	Kind, APIVersion, Namespace, Name string
	YAML                              string
}

// presetObjectKey is kind/namespace/name.
func presetObjectKey(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

// parsePresetObjectKey splits a key made by presetObjectKey.
func parsePresetObjectKey(key string) (kind, namespace, name string, err error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("inventory key %q is not kind/namespace/name", key)
	}
	return parts[0], parts[1], parts[2], nil
}

// presetObjectsOf keys every rendered object by kind/namespace/name; render
// has placed them (the release namespace for namespaced objects whose
// template names none, no namespace for cluster-scoped ones).
func presetObjectsOf(res *render.Result) []presetObject {
	out := make([]presetObject, 0, len(res.Objects))
	for _, o := range res.Objects {
		out = append(out, presetObject{
			Key: presetObjectKey(o.Kind, o.Namespace, o.Name), Kind: o.Kind, APIVersion: o.APIVersion,
			Namespace: o.Namespace, Name: o.Name, YAML: string(o.YAML),
		})
	}
	return out
}

// presetDaemonSets returns the namespace/name of every DaemonSet, in order.
func presetDaemonSets(objs []presetObject) []string {
	var out []string
	for _, o := range objs {
		if o.Kind == "DaemonSet" {
			out = append(out, o.Namespace+"/"+o.Name)
		}
	}
	return out
}

// presetApplyObject turns an inventory entry into what is applied: the YAML
// with the inventory marks, in the key's namespace.
func presetApplyObject(key, doc, inventoryID string) (*unstructured.Unstructured, error) {
	_, ns, _, err := parsePresetObjectKey(key)
	if err != nil {
		return nil, err
	}
	j, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", key, err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(j); err != nil {
		return nil, fmt.Errorf("object %s: %w", key, err)
	}
	if ns != "" {
		obj.SetNamespace(ns)
	}
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[presetManagedByLabel] = presetManagedByValue
	obj.SetLabels(labels)
	ann := obj.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[presetInventoryAnnotation] = inventoryID
	ann[presetAppliedAnnotation] = doc
	obj.SetAnnotations(ann)
	return obj, nil
}

// presetGVK reads the group, version and kind of an inventory entry's YAML.
func presetGVK(doc string) (schema.GroupVersionKind, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
		return schema.GroupVersionKind{}, err
	}
	gv, err := schema.ParseGroupVersion(head.APIVersion)
	if err != nil {
		return schema.GroupVersionKind{}, err
	}
	return gv.WithKind(head.Kind), nil
}

// sortInventory orders keys read back from the cluster by render's install
// rank, then by key.
func sortInventory(keys []string) {
	rank := func(key string) int {
		kind, _, _, _ := parsePresetObjectKey(key)
		return render.InstallRank(kind)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
}

// presetDrift compares the fields an object was applied with to the object
// in the cluster and describes each that differs, e.g.
// `spec.template.spec.containers[0].image: "x:v2" in the cluster, "x:v1" applied`.
// Fields the object was not applied with (defaults, other managers' fields,
// status) are not compared.
func presetDrift(applied string, live map[string]any) ([]string, error) {
	var want map[string]any
	if err := yaml.Unmarshal([]byte(applied), &want); err != nil {
		return nil, err
	}
	// Round-trip the live object through JSON so numbers compare as float64
	// on both sides.
	b, err := json.Marshal(live)
	if err != nil {
		return nil, err
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		return nil, err
	}
	if kind, _ := want["kind"].(string); kind == "Secret" {
		// The API server folds stringData into data: not comparable.
		delete(want, "stringData")
	}
	var out []string
	driftWalk("", want, got, &out)
	return out, nil
}

func driftWalk(at string, want, got any, out *[]string) {
	switch w := want.(type) {
	case nil:
		return
	case map[string]any:
		g, _ := got.(map[string]any)
		for _, k := range sortedKeys(w) {
			child := k
			if at != "" {
				child = at + "." + k
			}
			gv, ok := g[k]
			if !ok {
				if emptyValue(w[k]) {
					continue
				}
				*out = append(*out, fmt.Sprintf("%s: missing in the cluster, %s applied", child, short(w[k])))
				continue
			}
			driftWalk(child, w[k], gv, out)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) < len(w) {
			if !ok && emptyValue(w) {
				return
			}
			*out = append(*out, fmt.Sprintf("%s: %s in the cluster, %s applied", at, short(got), short(w)))
			return
		}
		for i := range w {
			driftWalk(fmt.Sprintf("%s[%d]", at, i), w[i], g[i], out)
		}
	default:
		if !scalarEqual(w, got) {
			*out = append(*out, fmt.Sprintf("%s: %s in the cluster, %s applied", at, short(got), short(w)))
		}
	}
}

// scalarEqual compares scalars; quantities compare by value ("1000m" is "1").
func scalarEqual(want, got any) bool {
	if want == got {
		return true
	}
	ws, ok1 := want.(string)
	gs, ok2 := got.(string)
	return ok1 && ok2 && sameQuantity(ws, gs)
}

// emptyValue: nothing, or an empty map or list (isEmpty).
func emptyValue(v any) bool {
	return v == nil || isEmpty(v)
}

// short renders a value for a drift line, cut to 80 characters.
func short(v any) string {
	if v == nil {
		return "nothing"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// presetDriftYAML prefixes the applied YAML with one comment per drifted
// field, so that the next plan shows exactly what changed in the cluster and
// that apply puts it back.
func presetDriftYAML(applied string, drift []string) string {
	var b strings.Builder
	for _, d := range drift {
		b.WriteString("# drift: " + strings.ReplaceAll(d, "\n", " ") + "\n")
	}
	b.WriteString(applied)
	return b.String()
}
