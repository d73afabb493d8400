package release

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestRedactor(t *testing.T) {
	const secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: aHVudGVyMg==\nstringData:\n  token: tok-123456\n"
	tests := []struct {
		name, kind, apiVersion, doc string
		sensitive                   []string
		wantGone, wantKept          []string
	}{
		{
			name: "secret data and stringData become digests", kind: "Secret", apiVersion: "v1", doc: secret,
			wantGone: []string{"aHVudGVyMg==", "tok-123456"},
			wantKept: []string{"password: (sensitive value sha256:", "token: (sensitive value sha256:", "name: s"},
		},
		{
			name: "a sensitive value anywhere in another kind", kind: "ConfigMap", apiVersion: "v1",
			doc:       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  url: https://user:hunter22@example.com\n",
			sensitive: []string{"hunter22", "x"},
			wantGone:  []string{"hunter22"},
			wantKept:  []string{"https://user:(sensitive value sha256:", "name: c"},
		},
		{
			name: "an object without secrets is unchanged", kind: "ConfigMap", apiVersion: "v1",
			doc:      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c # keep\n",
			wantKept: []string{"name: c # keep"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewRedactor(tt.sensitive).Object(tt.kind, tt.apiVersion, tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.wantGone {
				if strings.Contains(got, s) {
					t.Errorf("redacted object still holds %q:\n%s", s, got)
				}
			}
			for _, s := range tt.wantKept {
				if !strings.Contains(got, s) {
					t.Errorf("redacted object lacks %q:\n%s", s, got)
				}
			}
		})
	}
	if a, again := Redacted("a"), Redacted("a"); a == Redacted("b") || a != again {
		t.Error("digests do not tell values apart")
	}
	if !IsRedacted(Redacted("a")) || IsRedacted("plain") {
		t.Error("IsRedacted does not recognise its own output")
	}
}

func TestMatchesRedacted(t *testing.T) {
	applied := "https://agent:" + Redacted("hunter2") + "@logs/" + Redacted("x1")
	tests := []struct {
		name, live string
		want       bool
	}{
		{"the same secrets", "https://agent:hunter2@logs/x1", true},
		{"another secret", "https://agent:hunter3@logs/x1", false},
		{"other text around it", "http://agent:hunter2@logs/x1", false},
		{"no secret at all", "https://agent:@logs/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MatchesRedacted(applied, tt.live); got != tt.want {
				t.Errorf("MatchesRedacted(%q) = %v, want %v", tt.live, got, tt.want)
			}
		})
	}
	if !MatchesRedacted("plain", "plain") || MatchesRedacted("plain", "other") {
		t.Error("strings without redacted parts do not compare as plain strings")
	}
}

// TestDriftNeverShowsSecrets: a drift line about a value that holds a
// redacted secret shows neither the secret nor the cluster's value.
func TestDriftNeverShowsSecrets(t *testing.T) {
	applied := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  env:\n" +
		"    - {name: TOKEN, value: \"" + Redacted("hunter2-s3cret") + "\"}\n    - {name: LEVEL, value: info}\n"
	tests := []struct {
		name string
		live map[string]any
	}{
		{"a shorter list", map[string]any{"spec": map[string]any{"env": []any{
			map[string]any{"name": "TOKEN", "value": "hunter2-s3cret"}}}}},
		{"another secret", map[string]any{"spec": map[string]any{"env": []any{
			map[string]any{"name": "TOKEN", "value": "stolen-value"}, map[string]any{"name": "LEVEL", "value": "info"}}}}},
		{"not a list", map[string]any{"spec": map[string]any{"env": "stolen-value hunter2-s3cret"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want map[string]any
			if err := yaml.Unmarshal([]byte(applied), &want); err != nil {
				t.Fatal(err)
			}
			lines, err := drift(want, tt.live)
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) == 0 {
				t.Fatal("no drift found")
			}
			for _, l := range lines {
				if strings.Contains(l, "hunter2-s3cret") || strings.Contains(l, "stolen-value") {
					t.Errorf("drift line shows a secret: %s", l)
				}
			}
		})
	}
}
