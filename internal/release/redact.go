package release

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// redactedPrefix starts every value Redact puts in place of a secret one.
const redactedPrefix = "(sensitive value"

// minSensitiveLen is the shortest sensitive value Redact replaces in text:
// shorter ones ("1", "on") would blank out unrelated fields.
const minSensitiveLen = 4

// Redactor hides secret values in rendered objects before they reach the
// plan, the state or the applied annotation: the data and stringData of
// every Secret, and each of the given sensitive strings wherever it appears.
// A redacted value carries a digest of the secret one, so that a change to it
// still shows as a change.
type Redactor struct {
	sensitive []string
}

// NewRedactor returns a Redactor for the given sensitive strings (values of
// set_sensitive, leaves of sensitive values documents).
func NewRedactor(sensitive []string) *Redactor {
	var keep []string
	for _, s := range sensitive {
		if len(s) >= minSensitiveLen {
			keep = append(keep, s)
		}
	}
	// Longest first, so that a value that contains another is replaced whole.
	sort.Slice(keep, func(i, j int) bool { return len(keep[i]) > len(keep[j]) })
	return &Redactor{sensitive: keep}
}

// Redacted is what stands in place of value: its kind and a short digest.
func Redacted(value string) string {
	sum := sha256.Sum256([]byte(value))
	return redactedPrefix + " sha256:" + hex.EncodeToString(sum[:8]) + ")"
}

// IsRedacted reports whether a value is one Redact wrote.
func IsRedacted(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, redactedPrefix)
}

// Object redacts one object's YAML: a v1 Secret's data and stringData
// values become digests, then every sensitive string becomes its digest.
// Objects without secret content come back unchanged, byte for byte.
func (r *Redactor) Object(kind, apiVersion, doc string) (string, error) {
	if kind == "Secret" && apiVersion == "v1" {
		var err error
		if doc, err = redactSecret(doc); err != nil {
			return "", err
		}
	}
	return r.Text(doc), nil
}

// Text replaces every sensitive string in s with its digest.
func (r *Redactor) Text(s string) string {
	if r == nil {
		return s
	}
	for _, v := range r.sensitive {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted(v))
		}
	}
	return s
}

// redactSecret writes a Secret anew with its data and stringData values
// replaced by digests. It keeps the source comment line a template output
// starts with.
func redactSecret(doc string) (string, error) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		return "", fmt.Errorf("redact secret: %w", err)
	}
	changed := false
	for _, field := range []string{"data", "stringData"} {
		values, ok := m[field].(map[string]any)
		if !ok {
			continue
		}
		for k, v := range values {
			values[k] = Redacted(fmt.Sprint(v))
			changed = true
		}
	}
	if !changed {
		return doc, nil
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("redact secret: %w", err)
	}
	return string(out), nil
}

// redactedPattern matches one value Redacted wrote, capturing its digest.
var redactedPattern = regexp.MustCompile(`\(sensitive value sha256:([0-9a-f]{16})\)`)

// HasRedacted reports whether s holds a value Redacted wrote.
func HasRedacted(s string) bool {
	return strings.Contains(s, redactedPrefix+" sha256:")
}

// MatchesRedacted reports whether live is what applied, a string with
// redacted parts, stood for: the text around the parts is equal and each
// part of live has the digest the redacted part carries.
func MatchesRedacted(applied, live string) bool {
	if applied == live {
		// The cluster holds the redacted text itself, e.g. in the applied
		// annotation.
		return true
	}
	locs := redactedPattern.FindAllStringSubmatchIndex(applied, -1)
	if len(locs) == 0 {
		return false
	}
	var pat strings.Builder
	pat.WriteString("^")
	last := 0
	for _, l := range locs {
		pat.WriteString(regexp.QuoteMeta(applied[last:l[0]]))
		pat.WriteString("(.*?)")
		last = l[1]
	}
	pat.WriteString(regexp.QuoteMeta(applied[last:]))
	pat.WriteString("$")
	re, err := regexp.Compile(pat.String())
	if err != nil {
		return false
	}
	m := re.FindStringSubmatch(live)
	if m == nil {
		return false
	}
	for i, l := range locs {
		if Redacted(m[i+1]) != applied[l[0]:l[1]] {
			return false
		}
	}
	return true
}
