package k8s

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Conflict is one key that kubedaemon wants to set but someone else owns.
type Conflict struct {
	// Key is the label key or taint key.
	Key string
	// Effect is set for taints: a taint's identity is its key and effect.
	Effect corev1.TaintEffect
	// Value is the node's current value.
	Value string
	// Wanted is the value kubedaemon would set.
	Wanted string
	// Owners are the field managers (labels) or owners (taints) of the key.
	Owners []string
}

// ConflictError lists every conflicting key on a node. The caller can retry
// with force to take the keys over.
type ConflictError struct {
	Node      string
	What      string // "label" or "taint"
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	parts := make([]string, 0, len(e.Conflicts))
	for _, c := range e.Conflicts {
		id := fmt.Sprintf("%s %q", e.What, c.Key)
		if c.Effect != "" {
			id = fmt.Sprintf("%s %q", e.What, c.Key+":"+string(c.Effect))
		}
		owners := "an unknown manager"
		if len(c.Owners) > 0 {
			q := make([]string, len(c.Owners))
			for i, o := range c.Owners {
				q[i] = fmt.Sprintf("%q", o)
			}
			owners = strings.Join(q, ", ")
		}
		parts = append(parts, fmt.Sprintf("%s is %q (wanted %q), owned by %s", id, c.Value, c.Wanted, owners))
	}
	return fmt.Sprintf("node %s: %s", e.Node, strings.Join(parts, "; "))
}

// LabelOwners returns, for each label of node, the field managers that own
// it according to metadata.managedFields, sorted. A label set before
// managedFields existed, or by a client that strips them, has no owner.
func LabelOwners(node *corev1.Node) map[string][]string {
	owners := map[string][]string{}
	for _, mf := range node.ManagedFields {
		if mf.FieldsV1 == nil {
			continue
		}
		var fields struct {
			Metadata struct {
				Labels map[string]json.RawMessage `json:"f:labels"`
			} `json:"f:metadata"`
		}
		if err := json.Unmarshal(mf.FieldsV1.Raw, &fields); err != nil {
			continue
		}
		for k := range fields.Metadata.Labels {
			key, ok := strings.CutPrefix(k, "f:")
			if !ok {
				continue
			}
			owners[key] = appendUnique(owners[key], managerName(mf))
		}
	}
	for k := range owners {
		sort.Strings(owners[k])
	}
	return owners
}

// managerName is how a managedFields entry reads in messages: the manager,
// and the subresource when the write went through one.
func managerName(mf metav1.ManagedFieldsEntry) string {
	if mf.Subresource != "" {
		return mf.Manager + " (" + mf.Subresource + ")"
	}
	return mf.Manager
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
