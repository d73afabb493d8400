package release

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// driftPrefix starts each drift comment line of an entry's YAML.
const driftPrefix = "# drift: "

// drift compares the fields an object was applied with (applied, as
// applyObject made it) to the object in the cluster and describes each that
// differs, e.g.
// `spec.template.spec.containers[0].image: "x:v2" in the cluster, "x:v1" applied`.
// Fields the object was not applied with (defaults, other managers' fields,
// status) are not compared.
func drift(applied, live map[string]any) ([]string, error) {
	// Round-trip both through JSON so numbers compare as float64 on both
	// sides.
	want, err := viaJSON(applied)
	if err != nil {
		return nil, err
	}
	got, err := viaJSON(live)
	if err != nil {
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

// viaJSON returns a copy of m as encoding/json decodes it.
func viaJSON(m map[string]any) (map[string]any, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// driftWalk appends to out one line per field of want (at path at) that got
// lacks or holds with another value.
func driftWalk(at string, want, got any, out *[]string) {
	switch w := want.(type) {
	case nil:
		return
	case map[string]any:
		g, _ := got.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(w)) {
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
			if holdsRedacted(w) {
				// Never show the cluster's side of a value that holds a
				// secret: say how it differs by shape only.
				*out = append(*out, fmt.Sprintf("%s: %s in the cluster, %d items applied (with sensitive values)", at, shape(got), len(w)))
				return
			}
			*out = append(*out, fmt.Sprintf("%s: %s in the cluster, %s applied", at, short(got), short(w)))
			return
		}
		for i := range w {
			driftWalk(fmt.Sprintf("%s[%d]", at, i), w[i], g[i], out)
		}
	default:
		// A redacted part stands for a secret the state never holds: the
		// cluster's value must carry the same digest there, and a drift
		// line must not show the cluster's secret.
		if ws, ok := w.(string); ok && HasRedacted(ws) {
			if gs, ok := got.(string); !ok || !MatchesRedacted(ws, gs) {
				*out = append(*out, fmt.Sprintf("%s: a sensitive value differs in the cluster", at))
			}
			return
		}
		if !scalarEqual(w, got) {
			*out = append(*out, fmt.Sprintf("%s: %s in the cluster, %s applied", at, short(got), short(w)))
		}
	}
}

// holdsRedacted reports whether any string under v is or holds a redacted
// value.
func holdsRedacted(v any) bool {
	switch x := v.(type) {
	case string:
		return HasRedacted(x)
	case map[string]any:
		for _, c := range x {
			if holdsRedacted(c) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if holdsRedacted(c) {
				return true
			}
		}
	}
	return false
}

// shape describes a value without its content: "nothing", "3 items", "a
// map", "a string".
func shape(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case []any:
		return fmt.Sprintf("%d items", len(x))
	case map[string]any:
		return "a map"
	case string:
		return "a string"
	}
	return "a scalar"
}

// scalarEqual compares an applied scalar with the cluster's. The API server
// stores a quantity in its canonical form ("1000m" becomes "1", "0.5"
// becomes "500m"), so an applied string that parses as a quantity is
// unchanged when the cluster holds its canonical form.
func scalarEqual(applied, live any) bool {
	if applied == live {
		return true
	}
	a, ok := applied.(string)
	if !ok {
		return false
	}
	l, ok := live.(string)
	if !ok {
		return false
	}
	q, err := resource.ParseQuantity(a)
	return err == nil && q.String() == l
}

// emptyValue reports nothing, an empty map or an empty list: the API server
// drops those, so their absence is no drift.
func emptyValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	case string:
		// Kubernetes leaves zero values of plain (omitempty) fields out
		// of the objects it returns: 0, false and "" applied come back
		// missing.
		return v == ""
	case bool:
		return !v
	case float64:
		return v == 0
	case int64:
		return v == 0
	case int:
		return v == 0
	}
	return false
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

// driftYAML prefixes the applied YAML with one comment per drifted field, so
// that the next plan shows exactly what changed in the cluster and that
// apply puts it back.
func driftYAML(applied string, drift []string) string {
	var b strings.Builder
	for _, d := range drift {
		b.WriteString(driftPrefix + strings.ReplaceAll(d, "\n", " ") + "\n")
	}
	b.WriteString(applied)
	return b.String()
}

// stripDrift removes the drift comments a previous refresh added.
func stripDrift(doc string) string {
	for strings.HasPrefix(doc, driftPrefix) {
		_, rest, ok := strings.Cut(doc, "\n")
		if !ok {
			return ""
		}
		doc = rest
	}
	return doc
}
