package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites the golden files: go test ./internal/render -update.
var update = flag.Bool("update", false, "rewrite templates/*/testdata/*.golden.yaml from the current output")

// presetsDir is the templates folder, seen from this package.
const presetsDir = "../../templates"

// goldenCase is one values file of a preset's testdata.
type goldenCase struct {
	preset, name, valuesPath, goldenPath string
}

// goldenCases lists every <case>.values.yaml of every built-in preset.
func goldenCases(t testing.TB) []goldenCase {
	t.Helper()
	var out []goldenCase
	for _, p := range List() {
		files, err := filepath.Glob(filepath.Join(presetsDir, p.Name, "testdata", "*.values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".values.yaml")
			out = append(out, goldenCase{
				preset:     p.Name,
				name:       name,
				valuesPath: f,
				goldenPath: strings.TrimSuffix(f, ".values.yaml") + ".golden.yaml",
			})
		}
	}
	return out
}

func TestGolden(t *testing.T) {
	cases := goldenCases(t)
	perPreset := map[string]int{}
	for _, c := range cases {
		perPreset[c.preset]++
	}
	for _, p := range List() {
		if perPreset[p.Name] < 3 {
			t.Errorf("preset %s has %d golden cases, want the defaults and two value sets", p.Name, perPreset[p.Name])
		}
	}
	for _, c := range cases {
		t.Run(c.preset+"/"+c.name, func(t *testing.T) {
			values, err := os.ReadFile(c.valuesPath)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Render(Request{Preset: c.preset, ValuesYAML: [][]byte{values}})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if *update {
				if err := os.WriteFile(c.goldenPath, res.Manifest, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(c.goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/render -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(res.Manifest)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", c.goldenPath, diff)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range goldenCases(t) {
		t.Run(c.preset+"/"+c.name, func(t *testing.T) {
			values, err := os.ReadFile(c.valuesPath)
			if err != nil {
				t.Fatal(err)
			}
			req := Request{Preset: c.preset, ValuesYAML: [][]byte{values}}
			first, err := Render(req)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 5; i++ {
				again, err := Render(req)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first.Manifest, again.Manifest) {
					t.Fatalf("render %d differs from the first:\n%s", i+2, cmp.Diff(string(first.Manifest), string(again.Manifest)))
				}
			}
		})
	}
}
