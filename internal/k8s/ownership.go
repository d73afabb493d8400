package k8s

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Conflict is one key or field that kubedaemon wants to set but someone
// else owns.
type Conflict struct {
	// Key is the label key, the taint key, or the field path as the API
	// server prints it (.spec.template.spec.containers[name="logd"].image).
	Key string
	// Effect is set for taints: a taint's identity is its key and effect.
	Effect corev1.TaintEffect
	// Value is the current value (labels and taints).
	Value string
	// Wanted is the value kubedaemon would set (labels and taints).
	Wanted string
	// Owners are the field managers (labels, fields) or owners (taints) of
	// the key.
	Owners []string
}

// What a ConflictError is about.
const (
	WhatLabel = "label"
	WhatTaint = "taint"
	WhatField = "field"
)

// ConflictError lists every key of an object that a write would take from
// another owner: labels or taints of a node, or fields of an object applied
// with server-side apply. Nothing was written; the caller can retry with
// force to take them over.
type ConflictError struct {
	// Object names what was written: "node worker-1", "DaemonSet default/logd".
	Object string
	// What is WhatLabel, WhatTaint or WhatField.
	What      string
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	if e.What == WhatField {
		var b strings.Builder
		fmt.Fprintf(&b, "apply %s: %d field(s) are owned by another field manager, so nothing was changed:", e.Object, len(e.Conflicts))
		for _, c := range e.Conflicts {
			fmt.Fprintf(&b, "\n  - %s (owned by %s)", c.Key, ownersText(c.Owners))
		}
		return b.String()
	}
	parts := make([]string, 0, len(e.Conflicts))
	for _, c := range e.Conflicts {
		id := fmt.Sprintf("%s %q", e.What, c.Key)
		if c.Effect != "" {
			id = fmt.Sprintf("%s %q", e.What, c.Key+":"+string(c.Effect))
		}
		parts = append(parts, fmt.Sprintf("%s is %q (wanted %q), owned by %s", id, c.Value, c.Wanted, ownersText(c.Owners)))
	}
	return fmt.Sprintf("%s: %s", e.Object, strings.Join(parts, "; "))
}

// NodeObject is the Object of a ConflictError about a node.
func NodeObject(name string) string { return "node " + name }

func ownersText(owners []string) string {
	if len(owners) == 0 {
		return "an unknown manager"
	}
	q := make([]string, len(owners))
	for i, o := range owners {
		q[i] = fmt.Sprintf("%q", o)
	}
	return strings.Join(q, ", ")
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
