package release

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// Entry is one object of an inventory: its key and the YAML it is applied
// with.
type Entry struct {
	// Key is ObjectKey(kind, namespace, name).
	Key string
	// YAML is the object as one YAML document, possibly with drift comments
	// on top (see Refresh).
	YAML string
	// Recorded, when not empty, is what the state and the applied
	// annotation hold instead of YAML: YAML with its secret values redacted
	// (see Redactor).
	Recorded string
}

// Record is the YAML the state and the applied annotation hold.
func (e Entry) Record() string {
	if e.Recorded != "" {
		return e.Recorded
	}
	return e.YAML
}

// ObjectKey is kind/namespace/name; cluster-scoped objects have an empty
// namespace, e.g. "ClusterRole//fluent-bit".
func ObjectKey(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

// ParseObjectKey splits a key made by ObjectKey.
func ParseObjectKey(key string) (kind, namespace, name string, err error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("inventory key %q is not kind/namespace/name", key)
	}
	return parts[0], parts[1], parts[2], nil
}

// Dropped returns the entries of old whose key keep does not hold, in order.
func Dropped(old, keep []Entry) []Entry {
	kept := make(map[string]bool, len(keep))
	for _, e := range keep {
		kept[e.Key] = true
	}
	var out []Entry
	for _, e := range old {
		if !kept[e.Key] {
			out = append(out, e)
		}
	}
	return out
}

// sortKeys orders keys read back from the cluster by render's install
// rank, then by key, so that an imported inventory is in install order.
func sortKeys(keys []string) {
	rank := func(key string) int {
		kind, _, _, _ := ParseObjectKey(key)
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
