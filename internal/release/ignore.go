package release

import "regexp"

// MetadataIgnore holds the label and annotation keys that other tools
// manage: a change to one of them on a release's object is no drift.
type MetadataIgnore struct {
	// Labels and Annotations match keys (unanchored regular expressions).
	Labels, Annotations []*regexp.Regexp
}

// marks are the keys that an ignore rule never covers: they tell the
// release's objects apart (see the package comment), so a change to one is
// always put back.
var marks = map[string]bool{ManagedByLabel: true, InventoryAnnotation: true, AppliedAnnotation: true}

// drop removes from obj, an object as applyObject makes it, the labels and
// annotations that match the rules, in its metadata and, for a workload, in
// its pod template's (spec.template.metadata), so that drift does not
// compare them.
func (ig MetadataIgnore) drop(obj map[string]any) {
	if len(ig.Labels) == 0 && len(ig.Annotations) == 0 {
		return
	}
	metas := []map[string]any{jsonObject(obj, "metadata"), jsonObject(obj, "spec", "template", "metadata")}
	for _, meta := range metas {
		dropMatching(jsonObject(meta, "labels"), ig.Labels)
		dropMatching(jsonObject(meta, "annotations"), ig.Annotations)
	}
}

func dropMatching(m map[string]any, res []*regexp.Regexp) {
	for k := range m {
		if marks[k] {
			continue
		}
		for _, re := range res {
			if re.MatchString(k) {
				delete(m, k)
				break
			}
		}
	}
}

// jsonObject is the JSON object at keys under m, or nil.
func jsonObject(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}
