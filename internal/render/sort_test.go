package render

import (
	"fmt"
	"maps"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	"k8s.io/apimachinery/pkg/api/meta"
)

// sortEdgeCases are rendered files whose split, heads, hooks or order test
// a corner of Helm's sorter.
var sortEdgeCases = map[string]map[string]string{
	"separators": {
		"c/templates/a.yaml": "---\n---\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---   \nkind: Secret\nmetadata: {name: b}\n---foo: bar\n",
		"c/templates/b.yaml": "kind: Service\nmetadata:\n  name: s\n---\n---\nkind: Pod\n",
		"c/templates/c.yaml": "a: 1\n---\n---\nkind: Role\n  ---\n",
		"c/templates/d.yaml": "   \n\n",
	},
	"comments and partials": {
		"c/templates/a.yaml":    "# only a comment\n---\nkind: ServiceAccount\nmetadata: {name: sa}\n",
		"c/templates/_h.tpl":    "kind: Pod\n",
		"c/templates/sub/x.yml": "# another\n",
	},
	"unknown kinds and ties": {
		"c/templates/a.yaml": "kind: ServiceMonitor\nmetadata: {name: a}\n---\nkind: Gadget\nmetadata: {name: b}\n---\nkind: DaemonSet\nmetadata: {name: c}\n",
		"c/templates/b.yaml": "kind: Gadget\nmetadata: {name: d}\n---\nkind: ConfigMap\nmetadata: {name: e}\n---\nkind: DaemonSet\nmetadata: {name: f}\n---\nmetadata: {name: nokind}\n",
	},
	"hooks": {
		"c/templates/a.yaml": "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install, Post-Upgrade\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n" +
			"---\nkind: ConfigMap\nmetadata: {name: plain, annotations: {x: y}}\n---\nkind: ConfigMap\nmetadata: {name: cm, annotations: {helm.sh/hook: test}}\n",
		"c/templates/b.yaml": "kind: Pod\nmetadata: {name: unknown-hook, annotations: {helm.sh/hook: \"pre-install,nope\"}}\n---\nkind: Pod\nmetadata: {name: t, annotations: {helm.sh/hook: test-success, helm.sh/hook-weight: 7}}\n",
		"c/templates/c.yaml": "kind: Secret\nmetadata: {name: s, annotations: {\"helm.sh\\/hook\": post-install}}\n",
	},
	"scalars where Helm reads strings": {
		"c/templates/a.yaml": "kind: ConfigMap\nmetadata:\n  name: 123\n  annotations:\n    a: true\n    b: 1.5\n    c: null\n",
		"c/templates/b.yaml": "Kind: Service\nmetadata: {name: upper}\n---\nkind: Service\nKIND: 5\nmetadata: {name: both}\n",
		"c/templates/c.yaml": "apiVersion: 2\nkind: Pod\nmetadata: {name: n}\n",
	},
	"duplicate keys": {
		"c/templates/a.yaml": "kind: ConfigMap\nkind: Secret\nmetadata: {name: d}\n",
	},
	"not a mapping": {
		"c/templates/a.yaml": "kind: ConfigMap\nmetadata: {name: fine}\n",
		"c/templates/b.yaml": "just a string\n",
	},
	"broken YAML": {
		"c/templates/a.yaml": "kind: ConfigMap\nmetadata: {name: [\n",
		"c/templates/b.yaml": "kind: Pod\nmetadata:\n\tname: tab\n",
	},
}

// TestSortMatchesHelm: sortedDocuments splits, reads and orders rendered
// files exactly as Helm's releaseutil.SortManifests does, on edge cases and
// on every golden case of every built-in preset.
func TestSortMatchesHelm(t *testing.T) {
	for name, files := range sortEdgeCases {
		t.Run(name, func(t *testing.T) { checkSortMatchesHelm(t, files) })
	}
	for _, c := range goldenCases(t) {
		t.Run(c.preset+"/"+c.name, func(t *testing.T) {
			values, err := os.ReadFile(c.valuesPath)
			if err != nil {
				t.Fatal(err)
			}
			checkSortMatchesHelm(t, engineFiles(t, Request{Preset: c.preset, ValuesYAML: [][]byte{values}}))
		})
	}
}

// FuzzSortMatchesHelm: for any two rendered files, sortedDocuments gives
// what releaseutil.SortManifests gives.
func FuzzSortMatchesHelm(f *testing.F) {
	for _, files := range sortEdgeCases {
		f.Add(files["c/templates/a.yaml"], files["c/templates/b.yaml"])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		checkSortMatchesHelm(t, map[string]string{"c/templates/a.yaml": a, "c/templates/b.yaml": b})
	})
}

// checkSortMatchesHelm compares sortedDocuments with Helm's sorter: the
// error, or every manifest (template, text, head) and every hook.
func checkSortMatchesHelm(t testing.TB, files map[string]string) {
	t.Helper()
	wantHooks, wantManifests, wantErr := releaseutil.SortManifests(maps.Clone(files), nil, releaseutil.InstallOrder)
	docs, hooks, err := sortedDocuments(maps.Clone(files))
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("error %v, Helm's %v", err, wantErr)
	}
	if err != nil {
		return
	}
	gotManifests := make([]releaseutil.Manifest, len(docs))
	for i, d := range docs {
		gotManifests[i] = d.Manifest
	}
	if diff := cmp.Diff(wantManifests, gotManifests); diff != "" {
		t.Errorf("manifests (-Helm +kubedaemon):\n%s", diff)
	}
	if diff := cmp.Diff(wantHooks, hooks); diff != "" {
		t.Errorf("hooks (-Helm +kubedaemon):\n%s", diff)
	}
}

// engineFiles is what Helm's engine renders for a request, before sorting.
func engineFiles(t testing.TB, req Request) map[string]string {
	t.Helper()
	lc, err := lookup(req.Preset)
	if err != nil {
		t.Fatal(err)
	}
	ch, top, err := prepare(lc, req)
	if err != nil {
		t.Fatal(err)
	}
	files, err := engine.Engine{}.Render(ch, top)
	if err != nil {
		t.Fatal(err)
	}
	takeNotes(files, ch.Name())
	return files
}

// TestDocumentCache: a render that finds its files in documentCache gives
// the objects a render that parses gives, as objects of its own (changing
// one render's objects changes no other's), placed in its own release
// namespace; concurrent renders share the cache safely (run with -race).
func TestDocumentCache(t *testing.T) {
	req := Request{Preset: "node-exporter", Namespace: "one"}
	documentCache.clear()
	parsed, err := Render(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range parsed.Objects {
		if acc, err := meta.Accessor(o.Object); err == nil {
			acc.SetLabels(map[string]string{"changed": "by the caller"})
		}
		o.YAML[0] = '#'
	}
	documentCache.clear()
	want, err := Render(req)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := Render(req)
			if err == nil && !cmp.Equal(want, got) {
				err = fmt.Errorf("a render from the cache differs from a parsed one:\n%s", cmp.Diff(want, got))
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	other, err := Render(Request{Preset: "node-exporter", Namespace: "two"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range other.Objects {
		if o.Namespaced && o.Namespace != "two" {
			t.Errorf("%s %s: namespace %q from the cache, want the release's (two)", o.Kind, o.Name, o.Namespace)
		}
	}
}
