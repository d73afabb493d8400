package render

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/helmoracle"
)

// The compatibility tests prove that kubedaemon renders a chart exactly as
// `helm template` does. The small charts in testdata/charts each exercise one
// Helm idiom; testdata/helm holds what the real helm CLI (the oracle, built by
// `make helm-oracle` from tools/helm) printed for every case. Those files are
// written only by TestHelmOracleOutputs -update-helm, never by hand, and the
// same test proves them against the oracle whenever it is built.

// updateHelm rewrites testdata/helm from the oracle:
// go test ./internal/render -run TestHelmOracleOutputs -update-helm.
var updateHelm = flag.Bool("update-helm", false, "rewrite testdata/helm/ with the output of the helm oracle (make helm-oracle)")

const (
	compatChartsDir = "testdata/charts"
	compatHelmDir   = "testdata/helm"
)

// Defaults of a case that names no release, namespace or Kubernetes version.
const (
	compatRelease     = "node-agent"
	compatNamespace   = "nodes"
	compatKubeVersion = "v1.35.0"
)

// helmCase is one render of a test chart: the flags of one `helm template`
// run. Cases come from testdata/charts/<chart>.cases.yaml; a chart without
// that file has one case with the defaults.
type helmCase struct {
	// Name is the case's name; "" is the chart's default case.
	Name      string `json:"name"`
	Release   string `json:"release,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// Values are values documents, given to helm as -f files in order.
	Values []string `json:"values,omitempty"`
	// Set, SetString and SetJSON are helm's --set, --set-string and --set-json.
	Set         []string `json:"set,omitempty"`
	SetString   []string `json:"setString,omitempty"`
	SetJSON     []string `json:"setJSON,omitempty"`
	KubeVersion string   `json:"kubeVersion,omitempty"`
	// APIVersions are extra API versions, as helm --api-versions.
	APIVersions []string `json:"apiVersions,omitempty"`
	IncludeCRDs bool     `json:"includeCRDs,omitempty"`
	// Archive renders the chart packaged as a .tgz instead of its folder.
	Archive bool `json:"archive,omitempty"`

	chart string
}

// id names the case's files in testdata/helm: <chart> or <chart>.<case>.
func (c helmCase) id() string {
	if c.Name == "" {
		return c.chart
	}
	return c.chart + "." + c.Name
}

func (c helmCase) release() string     { return compatDefault(c.Release, compatRelease) }
func (c helmCase) namespace() string   { return compatDefault(c.Namespace, compatNamespace) }
func (c helmCase) kubeVersion() string { return compatDefault(c.KubeVersion, compatKubeVersion) }

func compatDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Paths of the oracle's committed outputs. A case has either a manifest or
// an error; notes only when its chart has templates/NOTES.txt.
func (c helmCase) manifestPath() string { return filepath.Join(compatHelmDir, c.id()+".yaml") }
func (c helmCase) errorPath() string    { return filepath.Join(compatHelmDir, c.id()+".error.txt") }
func (c helmCase) notesPath() string    { return filepath.Join(compatHelmDir, c.id()+".notes.txt") }

func (c helmCase) hasNotes() bool {
	_, err := os.Stat(filepath.Join(compatChartsDir, c.chart, "templates", "NOTES.txt"))
	return err == nil
}

// helmCases lists every case of every chart in testdata/charts, by chart name.
func helmCases(t *testing.T) []helmCase {
	t.Helper()
	entries, err := os.ReadDir(compatChartsDir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []helmCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		chartCases := []helmCase{{}}
		raw, err := os.ReadFile(filepath.Join(compatChartsDir, e.Name()+".cases.yaml"))
		if err == nil {
			chartCases = nil
			if err := yaml.UnmarshalStrict(raw, &chartCases); err != nil {
				t.Fatalf("%s.cases.yaml: %v", e.Name(), err)
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		for _, c := range chartCases {
			c.chart = e.Name()
			cases = append(cases, c)
		}
	}
	return cases
}

// compatChartPath is what both helm and kubedaemon render: the chart's folder, or
// the chart packaged into a temporary .tgz.
func compatChartPath(t *testing.T, c helmCase) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join(compatChartsDir, c.chart))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Archive {
		return dir
	}
	return packageTestChart(t, dir)
}

// packageTestChart writes every file of a chart folder into a .tgz as `helm
// package` lays it out: each path under one top folder named after the chart.
// NOTE: `helm package` also drops what .helmignore lists; the archived charts
// here have no .helmignore.
func packageTestChart(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir)+".tgz")
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(filepath.Join(filepath.Base(dir), rel))
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err == nil {
		err = errors.Join(tw.Close(), gz.Close())
	}
	if err == nil {
		err = os.WriteFile(out, buf.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatalf("package %s: %v", dir, err)
	}
	return out
}

// TestHelmLibraryVersion keeps HelmLibraryVersion, what templates see as
// .Capabilities.HelmVersion, equal to the Helm that go.mod requires.
func TestHelmLibraryVersion(t *testing.T) {
	if v := helmoracle.RequiredVersion(t, "../..", helmoracle.Module); v != HelmLibraryVersion {
		t.Fatalf("go.mod requires %s %s, but render.HelmLibraryVersion is %s: make them equal", helmoracle.Module, v, HelmLibraryVersion)
	}
}

// helmRun is what the oracle printed for a case.
type helmRun struct {
	manifest []byte // stdout of helm template, when it succeeded
	err      []byte // stderr of helm template, when it failed
	notes    []byte // the release notes, when the chart has NOTES.txt
}

// runHelm renders a case with the oracle. `helm template` never prints
// NOTES.txt, so notes come from a client-only `helm install --dry-run`,
// which renders the same chart with the same values.
func runHelm(t *testing.T, helm string, c helmCase) helmRun {
	t.Helper()
	tmp := t.TempDir()
	chart := compatChartPath(t, c)
	flags := []string{"--namespace", c.namespace()}
	for i, doc := range c.Values {
		file := filepath.Join(tmp, fmt.Sprintf("values-%d.yaml", i))
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		flags = append(flags, "--values", file)
	}
	flags = appendFlags(flags, "--set-json", c.SetJSON)
	flags = appendFlags(flags, "--set", c.Set)
	flags = appendFlags(flags, "--set-string", c.SetString)

	args := append([]string{"template", c.release(), chart, "--kube-version", c.kubeVersion()}, flags...)
	args = appendFlags(args, "--api-versions", c.APIVersions)
	if c.IncludeCRDs {
		args = append(args, "--include-crds")
	}
	var run helmRun
	stdout, stderr, err := helmCommand(helm, tmp, args)
	switch {
	case err == nil:
		run.manifest = stdout
	case errors.As(err, new(*exec.ExitError)) && len(stdout) == 0:
		run.err = stderr
	default:
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if run.err == nil && c.hasNotes() {
		run.notes = helmNotes(t, helm, tmp, c, chart, flags)
	}
	return run
}

// helmNotes is the NOTES.txt that `helm install` shows for a case.
// GOTCHA: helm install asks a cluster for its version and APIs even with
// --dry-run=client, so it talks to fakeAPIServer. The memory storage driver
// with (empty) release data also makes helm swap its Kubernetes client for a
// fake, so no object is read and the notes come from the chart and values
// alone, as helm template's manifest does.
func helmNotes(t *testing.T, helm, tmp string, c helmCase, chart string, flags []string) []byte {
	t.Helper()
	fakeAPIServer(t, c.kubeVersion(), filepath.Join(tmp, "kubeconfig"))
	releases := filepath.Join(tmp, "releases.yaml")
	if err := os.WriteFile(releases, []byte("[]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"install", c.release(), chart, "--dry-run=client", "--output", "json"}, flags...)
	stdout, stderr, err := helmCommand(helm, tmp, args, "HELM_DRIVER=memory", "HELM_MEMORY_DRIVER_DATA="+releases)
	if err != nil {
		t.Fatalf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	var rel struct {
		Info struct {
			Notes string `json:"notes"`
		} `json:"info"`
	}
	if err := json.Unmarshal(stdout, &rel); err != nil {
		t.Fatalf("helm install --output json: %v", err)
	}
	return []byte(rel.Info.Notes)
}

// fakeAPIServer serves what helm install asks a cluster before a dry run:
// its version and API groups (none but the core group), and "not found" for
// anything else. It writes a kubeconfig for it to the given path.
func fakeAPIServer(t *testing.T, kubeVersion, kubeconfig string) {
	t.Helper()
	major, minor, _ := strings.Cut(strings.TrimPrefix(kubeVersion, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	replies := map[string]string{
		"/version": fmt.Sprintf(`{"major":%q,"minor":%q,"gitVersion":%q}`, major, minor, kubeVersion),
		"/api":     `{"kind":"APIVersions","versions":["v1"]}`,
		"/apis":    `{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`,
		"/api/v1":  `{"kind":"APIResourceList","groupVersion":"v1","resources":[]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		reply, ok := replies[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			reply = `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`
		}
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	config := fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: %s\n"+
		"contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\ncurrent-context: fake\nusers:\n- name: fake\n  user: {}\n", srv.URL)
	if err := os.WriteFile(kubeconfig, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendFlags(args []string, flag string, values []string) []string {
	for _, v := range values {
		args = append(args, flag, v)
	}
	return args
}

// helmCommand runs the oracle with its state in dir, so that the user's
// repositories, plugins and kubeconfig cannot change what it prints.
func helmCommand(helm, dir string, args []string, env ...string) (stdout, stderr []byte, err error) {
	cmd := helmoracle.Command(helm, dir, args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// committedHelmRun reads the oracle's committed output of a case.
func committedHelmRun(t *testing.T, c helmCase) helmRun {
	t.Helper()
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	run := helmRun{manifest: read(c.manifestPath()), err: read(c.errorPath()), notes: read(c.notesPath())}
	if (run.manifest == nil) == (run.err == nil) {
		t.Fatalf("want exactly one of %s and %s: run go test ./internal/render -run TestHelmOracleOutputs -update-helm", c.manifestPath(), c.errorPath())
	}
	return run
}

// writeHelmRun replaces the committed output of a case.
func writeHelmRun(t *testing.T, c helmCase, run helmRun) {
	t.Helper()
	for path, data := range map[string][]byte{c.manifestPath(): run.manifest, c.errorPath(): run.err, c.notesPath(): run.notes} {
		if data == nil {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHelmOracleOutputs proves that testdata/helm is what helm prints.
func TestHelmOracleOutputs(t *testing.T) {
	helm := helmoracle.Path(t, "../..")
	cases := helmCases(t)
	if *updateHelm {
		if err := os.MkdirAll(compatHelmDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	known := map[string]bool{}
	for _, c := range cases {
		known[c.manifestPath()], known[c.errorPath()], known[c.notesPath()] = true, true, true
		t.Run(c.id(), func(t *testing.T) {
			got := runHelm(t, helm, c)
			if *updateHelm {
				writeHelmRun(t, c, got)
				return
			}
			want := committedHelmRun(t, c)
			for _, f := range []struct {
				path      string
				want, got []byte
			}{
				{c.manifestPath(), want.manifest, got.manifest},
				{c.errorPath(), want.err, got.err},
				{c.notesPath(), want.notes, got.notes},
			} {
				if diff := cmp.Diff(string(f.want), string(f.got)); diff != "" {
					t.Errorf("%s is not what helm prints (-committed +helm), run with -update-helm:\n%s", f.path, diff)
				}
			}
		})
	}
	stale, err := filepath.Glob(filepath.Join(compatHelmDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range stale {
		if !known[path] {
			t.Errorf("%s belongs to no case in %s/*.cases.yaml: delete it", path, compatChartsDir)
		}
	}
}

// TestRenderMatchesHelm renders every case with kubedaemon and compares it,
// object by object, with what helm printed.
func TestRenderMatchesHelm(t *testing.T) {
	for _, c := range helmCases(t) {
		t.Run(c.id(), func(t *testing.T) {
			want := committedHelmRun(t, c)
			res, err := Render(Request{
				Preset:      compatChartPath(t, c),
				Name:        c.release(),
				Namespace:   c.namespace(),
				ValuesYAML:  compatValuesDocs(c.Values),
				Set:         c.Set,
				SetString:   c.SetString,
				SetJSON:     c.SetJSON,
				KubeVersion: c.kubeVersion(),
				APIVersions: c.APIVersions,
				IncludeCRDs: c.IncludeCRDs,
			})
			if want.err != nil {
				compareHelmError(t, want.err, err)
				return
			}
			if err != nil {
				t.Fatalf("helm renders this case, kubedaemon fails: %v", err)
			}
			helmDocs := parseHelmStream(t, "helm", want.manifest)
			kubedaemonNormalisations(helmDocs, c.namespace())
			compareHelmStreams(t, helmDocs, parseHelmStream(t, "kubedaemon", res.Manifest))
			compareHelmObjects(t, "Objects", templateStreamDocs(helmDocs), res.Objects)
			if c.IncludeCRDs {
				compareHelmObjects(t, "CRDs", crdStreamDocs(helmDocs), res.CRDs)
			}
			compareHelmHooks(t, hookStreamDocs(helmDocs), res.Hooks)
			if diff := cmp.Diff(string(want.notes), res.Notes); diff != "" {
				t.Errorf("NOTES differ (-helm +kubedaemon):\n%s", diff)
			}
		})
	}
}

func compatValuesDocs(docs []string) [][]byte {
	var out [][]byte
	for _, d := range docs {
		out = append(out, []byte(d))
	}
	return out
}

// helmErrorAt matches Helm's rewrite of a template error.
var helmErrorAt = regexp.MustCompile(`^(?:execution|parse) error at \(([^()]+)\): (.*)$`)

// compareHelmError checks that kubedaemon fails where helm fails, with Helm's
// message: helm prints "Error: " and the error of the render.
func compareHelmError(t *testing.T, helmStderr []byte, err error) {
	t.Helper()
	// helm prints "Error: ", the render's error, and (for any error of
	// helm template) a hint at its --debug flag.
	want := strings.TrimPrefix(string(helmStderr), "Error: ")
	want = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(want), "Use --debug flag to render out invalid YAML"))
	// kubedaemon normalisation: a template error reads FILE:LINE:COL: MSG,
	// the form compilers use, where Helm writes "execution error at
	// (FILE:LINE:COL): MSG" or "parse error at (FILE:LINE): MSG".
	if m := helmErrorAt.FindStringSubmatch(want); m != nil {
		want = m[1] + ": " + m[2]
	}
	if err == nil {
		t.Fatalf("helm fails, kubedaemon renders; helm says: %s", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("the error does not say what helm says\nhelm:       %s\nkubedaemon: %s", want, err)
	}
}

// streamDoc is one document of a rendered YAML stream.
type streamDoc struct {
	Source string
	Object map[string]any
}

func (d streamDoc) kind() string { s, _ := d.Object["kind"].(string); return s }

func (d streamDoc) metadata() map[string]any {
	m, _ := d.Object["metadata"].(map[string]any)
	return m
}

func (d streamDoc) name() string      { s, _ := d.metadata()["name"].(string); return s }
func (d streamDoc) namespace() string { s, _ := d.metadata()["namespace"].(string); return s }

// key names an object the way an inventory does: kind/namespace/name.
func (d streamDoc) key() string { return d.kind() + "/" + d.namespace() + "/" + d.name() }

func (d streamDoc) annotation(name string) (string, bool) {
	a, _ := d.metadata()["annotations"].(map[string]any)
	v, ok := a[name].(string)
	return v, ok
}

func (d streamDoc) isHook() bool { _, ok := d.annotation("helm.sh/hook"); return ok }

// isCRD tells the files of a chart's crds/ folder from rendered templates,
// whose sources are <chart>/templates/... or <chart>/charts/<sub>/templates/....
func (d streamDoc) isCRD() bool { return !strings.Contains(d.Source, "/templates/") }

var (
	streamSeparator     = regexp.MustCompile(`(?m)^---[ \t]*$\n?`)
	streamSourceComment = regexp.MustCompile(`(?m)^# Source: (.*)$`)
)

// parseHelmStream splits a stream like helm template's stdout into documents,
// each "---", "# Source: <file>" and the object.
func parseHelmStream(t *testing.T, who string, stream []byte) []streamDoc {
	t.Helper()
	var docs []streamDoc
	for i, doc := range streamSeparator.Split(string(stream), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var d streamDoc
		if m := streamSourceComment.FindStringSubmatch(doc); m != nil {
			d.Source = m[1]
		}
		if err := yaml.Unmarshal([]byte(doc), &d.Object); err != nil {
			t.Fatalf("%s document %d (%s): %v\n%s", who, i, d.Source, err, doc)
		}
		if d.Source == "" || d.Object == nil {
			t.Fatalf("%s document %d has no # Source: comment or no object:\n%s", who, i, doc)
		}
		docs = append(docs, d)
	}
	return docs
}

// helmClusterScoped are the built-in kinds without a namespace that the test
// charts create; kubedaemon places every other kind in a namespace.
var helmClusterScoped = map[string]bool{
	"Namespace": true, "ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"CSIDriver": true, "StorageClass": true, "PriorityClass": true,
}

// kubedaemonNormalisations applies to Helm's output what kubedaemon does on
// purpose and Helm does not, so that any other difference fails the test.
func kubedaemonNormalisations(docs []streamDoc, namespace string) {
	for _, d := range docs {
		// Helm leaves a namespaced object without metadata.namespace and lets
		// the client put it in the release namespace at apply time; kubedaemon
		// writes that namespace into the object, so its YAML and inventory
		// say where the object goes. Cluster-scoped kinds get none.
		if !helmClusterScoped[d.kind()] && d.namespace() == "" {
			d.metadata()["namespace"] = namespace
		}
	}
}

// compareHelmStreams compares the manifest streams: the same objects from the
// same files, in the same order, and equal object by object.
func compareHelmStreams(t *testing.T, helm, kubedaemon []streamDoc) {
	t.Helper()
	if diff := cmp.Diff(streamKeys(helm), streamKeys(kubedaemon)); diff != "" {
		t.Errorf("objects or their order differ (-helm +kubedaemon):\n%s", diff)
	}
	byKey := map[string]streamDoc{}
	for _, d := range kubedaemon {
		byKey[d.key()] = d
	}
	for _, h := range helm {
		k, ok := byKey[h.key()]
		if !ok {
			continue // reported above
		}
		if h.Source != k.Source {
			t.Errorf("%s: source %q, helm says %q", h.key(), k.Source, h.Source)
		}
		if diff := cmp.Diff(h.Object, k.Object); diff != "" {
			t.Errorf("%s differs (-helm +kubedaemon):\n%s", h.key(), diff)
		}
	}
}

// streamKeys lists the keys of the documents in order, and fails on a key
// that repeats, which would make an object by object comparison lie.
func streamKeys(docs []streamDoc) []string {
	keys := make([]string, 0, len(docs))
	for _, d := range docs {
		k := d.key()
		if slices.Contains(keys, k) {
			k += " (repeated)"
		}
		keys = append(keys, k)
	}
	return keys
}

func templateStreamDocs(docs []streamDoc) []streamDoc {
	return slices.DeleteFunc(slices.Clone(docs), func(d streamDoc) bool { return d.isHook() || d.isCRD() })
}

func crdStreamDocs(docs []streamDoc) []streamDoc {
	return slices.DeleteFunc(slices.Clone(docs), func(d streamDoc) bool { return !d.isCRD() })
}

func hookStreamDocs(docs []streamDoc) []streamDoc {
	return slices.DeleteFunc(slices.Clone(docs), func(d streamDoc) bool { return !d.isHook() })
}

// helmObjectView is what the Result says about one object, beside its YAML.
type helmObjectView struct {
	Kind, APIVersion, Namespace, Name, Source string
	Object                                    map[string]any
}

func helmDocView(d streamDoc) helmObjectView {
	v := helmObjectView{Kind: d.kind(), Namespace: d.namespace(), Name: d.name(), Source: d.Source, Object: d.Object}
	v.APIVersion, _ = d.Object["apiVersion"].(string)
	return v
}

func kubedaemonObjectView(t *testing.T, o Object) helmObjectView {
	t.Helper()
	v := helmObjectView{Kind: o.Kind, APIVersion: o.APIVersion, Namespace: o.Namespace, Name: o.Name, Source: o.Source}
	if err := yaml.Unmarshal(o.YAML, &v.Object); err != nil {
		t.Fatalf("%s %s/%s: YAML: %v", o.Kind, o.Namespace, o.Name, err)
	}
	return v
}

// compareHelmObjects compares a list of the Result (Objects, CRDs) with the
// matching documents of Helm's stream, in order.
func compareHelmObjects(t *testing.T, what string, helm []streamDoc, objs []Object) {
	t.Helper()
	var want, got []helmObjectView
	for _, d := range helm {
		want = append(want, helmDocView(d))
	}
	for _, o := range objs {
		got = append(got, kubedaemonObjectView(t, o))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Result.%s differs (-helm +kubedaemon):\n%s", what, diff)
	}
}

// helmHookView is what the Result says about one hook.
type helmHookView struct {
	Object         helmObjectView
	Events         []string
	Weight         int
	DeletePolicies []string
}

// compareHelmHooks compares Result.Hooks with Helm's hooks, in Helm's order,
// events and weights read from the annotations as Helm reads them.
func compareHelmHooks(t *testing.T, helm []streamDoc, hooks []Hook) {
	t.Helper()
	var want, got []helmHookView
	for _, d := range helm {
		events, _ := d.annotation("helm.sh/hook")
		h := helmHookView{Object: helmDocView(d)}
		for _, e := range strings.Split(events, ",") {
			h.Events = append(h.Events, strings.ToLower(strings.TrimSpace(e)))
		}
		if w, ok := d.annotation("helm.sh/hook-weight"); ok {
			h.Weight, _ = strconv.Atoi(w) // Helm reads a bad weight as 0
		}
		if policies, ok := d.annotation("helm.sh/hook-delete-policy"); ok {
			for _, p := range strings.Split(policies, ",") {
				h.DeletePolicies = append(h.DeletePolicies, strings.TrimSpace(p))
			}
		}
		want = append(want, h)
	}
	for _, h := range hooks {
		got = append(got, helmHookView{Object: kubedaemonObjectView(t, h.Object), Events: h.Events, Weight: h.Weight, DeletePolicies: h.DeletePolicies})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Result.Hooks differs (-helm +kubedaemon):\n%s", diff)
	}
}

// TestHelmCasesCoverCharts keeps the case files honest: each belongs to a
// chart, and no case is listed twice.
func TestHelmCasesCoverCharts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(compatChartsDir, "*.cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		chart := strings.TrimSuffix(filepath.Base(f), ".cases.yaml")
		if st, err := os.Stat(filepath.Join(compatChartsDir, chart)); err != nil || !st.IsDir() {
			t.Errorf("%s: no chart folder %s", f, chart)
		}
	}
	ids := map[string]bool{}
	for _, c := range helmCases(t) {
		if ids[c.id()] {
			t.Errorf("case %q is listed twice", c.id())
		}
		ids[c.id()] = true
	}
}
