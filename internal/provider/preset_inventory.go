package provider

import (
	"regexp"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// The inventory marks that internal/release puts on every object of a
// kubedaemon_preset, by the names the schema and the tests use.
const (
	presetManagedByLabel      = release.ManagedByLabel
	presetManagedByValue      = release.ManagedByValue
	presetInventoryAnnotation = release.InventoryAnnotation
)

// presetDNSLabel is an RFC 1123 label, what release names and namespaces are.
var presetDNSLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// presetObject is one object of a render, placed in its namespace.
type presetObject struct {
	// Key is release.ObjectKey(Kind, Namespace, Name).
	Key                               string
	Kind, APIVersion, Namespace, Name string
	YAML                              string
}

// presetObjectsOf keys every rendered object by kind/namespace/name; render
// has placed them (the release namespace for namespaced objects whose
// template names none, no namespace for cluster-scoped ones).
func presetObjectsOf(res *render.Result) []presetObject {
	out := make([]presetObject, 0, len(res.Objects))
	for _, o := range res.Objects {
		out = append(out, presetObject{
			Key: release.ObjectKey(o.Kind, o.Namespace, o.Name), Kind: o.Kind, APIVersion: o.APIVersion,
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
