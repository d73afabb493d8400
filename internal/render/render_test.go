package render

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestInstallOrderAndTypedObjects(t *testing.T) {
	tests := []struct {
		preset string
		want   []string
	}{
		{"node-exporter", []string{"ServiceAccount/node-exporter", "Service/node-exporter", "DaemonSet/node-exporter"}},
		{"fluent-bit", []string{"ServiceAccount/fluent-bit", "ConfigMap/fluent-bit", "ClusterRole/fluent-bit",
			"ClusterRoleBinding/fluent-bit", "Service/fluent-bit", "DaemonSet/fluent-bit"}},
		{"fluentd", []string{"ServiceAccount/fluentd", "ConfigMap/fluentd-config", "ClusterRole/fluentd",
			"ClusterRoleBinding/fluentd", "Service/fluentd", "DaemonSet/fluentd"}},
		// CSIDriver is not in Helm's install order: it comes after the kinds
		// that are.
		{"csi-node", []string{"ServiceAccount/csi-node-node", "ClusterRole/csi-node-node", "ClusterRoleBinding/csi-node-node",
			"DaemonSet/csi-node-node", "CSIDriver/nfs.csi.k8s.io"}},
		{"node-problem-detector", []string{"ServiceAccount/node-problem-detector", "ConfigMap/node-problem-detector-custom-config", "ClusterRole/node-problem-detector",
			"ClusterRoleBinding/node-problem-detector", "DaemonSet/node-problem-detector"}},
		{"otel-collector-agent", []string{"ServiceAccount/otel-collector-agent", "ConfigMap/otel-collector-agent",
			"ClusterRole/otel-collector-agent", "ClusterRoleBinding/otel-collector-agent", "Service/otel-collector-agent",
			"DaemonSet/otel-collector-agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			res, err := Render(Request{Preset: tt.preset})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range res.Objects {
				got = append(got, o.Kind+"/"+o.Name)
				if !strings.HasPrefix(o.Source, tt.preset+"/templates/") {
					t.Errorf("%s/%s: Source = %q", o.Kind, o.Name, o.Source)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			i := slices.IndexFunc(res.Objects, func(o Object) bool { return o.Kind == "DaemonSet" })
			ds, ok := res.Objects[i].Object.(*appsv1.DaemonSet)
			if !ok {
				t.Fatalf("the DaemonSet is a %T, want *appsv1.DaemonSet", res.Objects[i].Object)
			}
			if ds.Namespace == "" || len(ds.Spec.Template.Spec.Containers) == 0 {
				t.Errorf("DaemonSet decoded without namespace or containers: %+v", ds.ObjectMeta)
			}
		})
	}
}

// TestPresetFacts checks what each preset must carry from its upstream.
func TestPresetFacts(t *testing.T) {
	objects := func(t *testing.T, preset string) (*appsv1.DaemonSet, map[string]any) {
		t.Helper()
		res, err := Render(Request{Preset: preset})
		if err != nil {
			t.Fatal(err)
		}
		all := map[string]any{}
		var ds *appsv1.DaemonSet
		for _, o := range res.Objects {
			all[o.Kind] = o.Object
			if d, ok := o.Object.(*appsv1.DaemonSet); ok {
				ds = d
			}
		}
		return ds, all
	}
	mounts := func(c corev1.Container) map[string]corev1.VolumeMount {
		m := map[string]corev1.VolumeMount{}
		for _, vm := range c.VolumeMounts {
			m[vm.MountPath] = vm
		}
		return m
	}
	t.Run("node-exporter", func(t *testing.T) {
		ds, _ := objects(t, "node-exporter")
		spec := ds.Spec.Template.Spec
		c := spec.Containers[0]
		if !spec.HostNetwork || !spec.HostPID || c.Ports[0].HostPort != 9100 {
			t.Errorf("hostNetwork=%v hostPID=%v hostPort=%d", spec.HostNetwork, spec.HostPID, c.Ports[0].HostPort)
		}
		if sc := spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
			t.Error("pod is not non-root")
		}
		for _, p := range []string{"/host/proc", "/host/sys", "/host/root"} {
			vm := mounts(c)[p]
			if !vm.ReadOnly || vm.MountPropagation == nil || *vm.MountPropagation != corev1.MountPropagationHostToContainer {
				t.Errorf("mount %s = %+v, want read-only HostToContainer", p, vm)
			}
		}
	})
	t.Run("csi-node", func(t *testing.T) {
		ds, all := objects(t, "csi-node")
		spec := ds.Spec.Template.Spec
		if _, ok := all["CSIDriver"].(*storagev1.CSIDriver); !ok {
			t.Error("no CSIDriver")
		}
		if !spec.HostNetwork || spec.PriorityClassName != "system-node-critical" ||
			len(spec.Tolerations) != 1 || spec.Tolerations[0].Operator != corev1.TolerationOpExists || spec.Tolerations[0].Key != "" {
			t.Errorf("hostNetwork=%v priority=%q tolerations=%v", spec.HostNetwork, spec.PriorityClassName, spec.Tolerations)
		}
		var names []string
		for _, c := range spec.Containers {
			names = append(names, c.Name)
		}
		if diff := cmp.Diff([]string{"liveness-probe", "node-driver-registrar", "driver"}, names); diff != "" {
			t.Errorf("containers (-want +got):\n%s", diff)
		}
		driver := spec.Containers[2]
		if driver.SecurityContext == nil || driver.SecurityContext.Privileged == nil || !*driver.SecurityContext.Privileged {
			t.Error("driver is not privileged")
		}
		for _, p := range []string{"/var/lib/kubelet/pods", "/var/lib/kubelet/plugins"} {
			if vm := mounts(driver)[p]; vm.MountPropagation == nil || *vm.MountPropagation != corev1.MountPropagationBidirectional {
				t.Errorf("driver mount %s is not Bidirectional", p)
			}
		}
		// The sidecar listens on localhost only (--http-endpoint), and the
		// pod shares the node's network: the kubelet must probe localhost,
		// not the pod (node) IP, or the driver restarts for ever.
		if !slices.Contains(spec.Containers[0].Args, "--http-endpoint=localhost:29653") {
			t.Errorf("liveness-probe args = %q, want --http-endpoint=localhost:29653", spec.Containers[0].Args)
		}
		if p := driver.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Host != "localhost" || p.HTTPGet.Port.IntValue() != 29653 {
			t.Errorf("driver liveness probe = %+v, want an HTTP GET of localhost:29653", p)
		}
		// The kubelet's folders must exist; the driver's own are created.
		wantType := map[string]corev1.HostPathType{
			"socket-dir": corev1.HostPathDirectoryOrCreate, "plugins-dir": corev1.HostPathDirectoryOrCreate,
			"registration-dir": corev1.HostPathDirectory, "pods-mount-dir": corev1.HostPathDirectory,
		}
		for _, v := range spec.Volumes {
			if v.HostPath == nil || v.HostPath.Type == nil || *v.HostPath.Type != wantType[v.Name] {
				t.Errorf("volume %s is not a %s hostPath", v.Name, wantType[v.Name])
			}
		}
	})
	t.Run("fluentd", func(t *testing.T) {
		ds, _ := objects(t, "fluentd")
		c := ds.Spec.Template.Spec.Containers[0]
		if ds.Namespace != "kube-system" || c.Resources.Limits.Memory().String() != "200Mi" {
			t.Errorf("namespace %q, memory limit %s", ds.Namespace, c.Resources.Limits.Memory())
		}
		if m := mounts(c); !m["/var/lib/docker/containers"].ReadOnly || m["/var/log"].Name == "" {
			t.Errorf("mounts %v", m)
		}
	})
	t.Run("fluent-bit", func(t *testing.T) {
		ds, all := objects(t, "fluent-bit")
		if _, ok := all["ConfigMap"].(*corev1.ConfigMap); !ok {
			t.Fatal("no ConfigMap")
		}
		cfg := all["ConfigMap"].(*corev1.ConfigMap).Data["fluent-bit.conf"]
		for _, s := range []string{"Path             /var/log/containers/*.log", "Name                kubernetes", "Name   stdout"} {
			if !strings.Contains(cfg, s) {
				t.Errorf("pipeline lacks %q", s)
			}
		}
		if ds.Spec.Template.Annotations["checksum/config"] == "" {
			t.Error("no config checksum on the pod template")
		}
	})
}

func TestUserPresetFolder(t *testing.T) {
	dir := writePreset(t, map[string]string{
		"values.schema.json": `{"type":"object","properties":{"image":{"type":"object","properties":{"tag":{"type":"string"}}}}}`,
		"_helpers.tpl":       `{{ define "p.name" }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}`,
		"b.yaml":             configMapHead + "data:\n  tag: {{ .Values.image.tag | quote }}\n  kube: {{ .Capabilities.KubeVersion.Minor | quote }}\n",
		"a.yaml":             "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include \"p.name\" . }}\n  namespace: {{ .Release.Namespace }}\n---\n# only a comment\n",
	})
	res, err := Render(Request{Preset: dir, Name: "r", Namespace: "ns", Set: []string{"image.tag=007"}, KubeVersion: "1.31.2"})
	if err != nil {
		t.Fatal(err)
	}
	// The ConfigMap's template writes no namespace: it gets the release's.
	// The document that holds only a comment stays in the manifest, last
	// (it has no kind), as helm template prints it, but is no object.
	want := "---\n# Source: p/templates/a.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: r-p\n  namespace: ns\n" +
		"---\n# Source: p/templates/b.yaml\n" + configMapHead + "  namespace: ns\ndata:\n  tag: \"007\"\n  kube: \"31\"\n" +
		"---\n# Source: p/templates/a.yaml\n# only a comment\n"
	if diff := cmp.Diff(want, string(res.Manifest)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if res.Name != "r" || res.Namespace != "ns" {
		t.Errorf("release = %s/%s, want ns/r", res.Namespace, res.Name)
	}
	if cm, ok := res.Objects[1].Object.(*corev1.ConfigMap); !ok || cm.Namespace != "ns" || res.Objects[1].Namespace != "ns" {
		t.Errorf("ConfigMap not placed in ns: %+v", res.Objects[1])
	}
}

func TestReleaseDefaults(t *testing.T) {
	res, err := Render(Request{Preset: "node-exporter"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := Info("node-exporter")
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != info.Name || res.Namespace != info.Namespace || info.Namespace == "" {
		t.Errorf("release = %s/%s, want the preset's %s/%s", res.Namespace, res.Name, info.Namespace, info.Name)
	}
	dir := writePreset(t, map[string]string{"cm.yaml": configMapHead})
	res, err = Render(Request{Preset: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "p" || res.Namespace != "default" {
		t.Errorf("folder without namespace: release = %s/%s, want default/p", res.Namespace, res.Name)
	}
	folder, err := Info(dir)
	if err != nil || folder.Name != "p" || folder.Version != "0.0.1" {
		t.Errorf("Info(folder) = %+v, %v", folder, err)
	}
	if _, err := Info("nope"); err == nil || !strings.HasPrefix(err.Error(), `unknown preset "nope"`) {
		t.Errorf("Info(nope) error = %v", err)
	}
}

func TestPlaceObjects(t *testing.T) {
	const ns = "ops"
	tests := []struct {
		name, doc      string
		wantNamespaced bool
		wantNamespace  string
		wantYAML       string
	}{
		{
			name:           "written namespace stays",
			doc:            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: mine\n",
			wantNamespaced: true, wantNamespace: "mine",
			wantYAML: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: mine\n",
		},
		{
			name:           "release namespace after the name",
			doc:            "apiVersion: v1\nkind: ConfigMap\nmetadata:   # meta\n    labels:\n      a: b\n    # the name\n    name: cm\n    annotations: {}\ndata: {}\n",
			wantNamespaced: true, wantNamespace: ns,
			wantYAML: "apiVersion: v1\nkind: ConfigMap\nmetadata:   # meta\n    labels:\n      a: b\n    # the name\n    name: cm\n    namespace: ops\n    annotations: {}\ndata: {}\n",
		},
		{
			name:           "explicit empty namespace is replaced",
			doc:            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: \"\"\n",
			wantNamespaced: true, wantNamespace: ns,
			wantYAML: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: ops\n",
		},
		{
			name:           "flow metadata is written anew",
			doc:            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n",
			wantNamespaced: true, wantNamespace: ns,
			wantYAML: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: ops\n",
		},
		{
			name:           "cluster-scoped kind has no namespace",
			doc:            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n  namespace: ignored\n",
			wantNamespaced: false, wantNamespace: "",
			wantYAML: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n  namespace: ignored\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _, err := placer{namespace: ns}.object("p/x.yaml", tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if o.Namespaced != tt.wantNamespaced || o.Namespace != tt.wantNamespace {
				t.Errorf("Namespaced, Namespace = %v, %q; want %v, %q", o.Namespaced, o.Namespace, tt.wantNamespaced, tt.wantNamespace)
			}
			if diff := cmp.Diff(tt.wantYAML, string(o.YAML)); diff != "" {
				t.Errorf("YAML (-want +got):\n%s", diff)
			}
			if got, _, err := decodeDocument("p/x.yaml", string(o.YAML)); err != nil || (tt.wantNamespaced && got.Namespace != tt.wantNamespace) {
				t.Errorf("placed YAML decodes to namespace %q, %v", got.Namespace, err)
			}
		})
	}
}

func TestInstallRank(t *testing.T) {
	order := []string{"Namespace", "ServiceAccount", "Secret", "ConfigMap", "CustomResourceDefinition", "ClusterRole",
		"ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "CSIDriver"}
	for i := 1; i < len(order); i++ {
		if InstallRank(order[i-1]) >= InstallRank(order[i]) {
			t.Errorf("InstallRank(%s) = %d, not before InstallRank(%s) = %d", order[i-1], InstallRank(order[i-1]), order[i], InstallRank(order[i]))
		}
	}
	if InstallRank("CSIDriver") != InstallRank("ServiceMonitor") {
		t.Errorf("kinds outside the order do not share the last rank")
	}
}

func TestRegistry(t *testing.T) {
	var names []string
	for _, p := range List() {
		names = append(names, p.Name)
		if p.Version == "" || p.Description == "" || p.Namespace == "" {
			t.Errorf("preset %s lacks version, description or namespace: %+v", p.Name, p)
		}
	}
	if diff := cmp.Diff([]string{"csi-node", "fluent-bit", "fluentd", "node-exporter", "node-problem-detector", "otel-collector-agent"}, names); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if _, err := DefaultValues("nope"); err == nil || err.Error() != `unknown preset "nope": name a built-in preset (csi-node, fluent-bit, fluentd, node-exporter, node-problem-detector, otel-collector-agent), a chart folder or a packaged chart (.tgz)` {
		t.Errorf("DefaultValues(nope) error = %v", err)
	}
	if b, err := Schema("fluentd"); err != nil || !strings.Contains(string(b), `"elasticsearch"`) {
		t.Errorf("Schema(fluentd) = %.80s, %v", b, err)
	}
}

// BenchmarkRender renders each preset with its defaults in-process, three
// ways: first is a process's first render of the chart (the chart loaded
// and its schema compiled, as a CLI run does); cold renders a loaded chart
// and parses and decodes every rendered document (what a render with new
// values costs); warm renders again what was rendered before, so every
// rendered file is found in documentCache (what the provider's repeated
// renders of one configuration cost). Helm's engine runs in all three.
func BenchmarkRender(b *testing.B) {
	for _, p := range List() {
		req := Request{Preset: p.Name, Set: []string{"priorityClassName=system-node-critical"}}
		if _, err := Render(req); err != nil {
			b.Fatal(err)
		}
		modes := []struct {
			name  string
			reset func()
		}{
			{"first", func() { clearCaches(p.Name) }},
			{"cold", documentCache.clear},
			{"warm", func() {}},
		}
		for _, m := range modes {
			b.Run(p.Name+"/"+m.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu, n := processCPU(b), 0
				for b.Loop() {
					m.reset()
					if _, err := Render(req); err != nil {
						b.Fatal(err)
					}
					n++
				}
				reportCPU(b, cpu, n)
			})
		}
	}
}

// clearCaches forgets a built-in chart and every rendered file.
func clearCaches(preset string) {
	if v, ok := builtinCache.LoadAndDelete(preset); ok {
		chartCache.Delete(v.(*loadedChart).digest)
	}
	documentCache.clear()
}

// TestCustomKindsAndScope: a kind the client libraries do not know passes as
// unstructured; its scope comes from the chart's CRD, else from the
// request's Scope, whose error names the template.
func TestCustomKindsAndScope(t *testing.T) {
	const crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.com\n" +
		"spec:\n  group: example.com\n  scope: Cluster\n  names: {kind: Gadget, plural: gadgets}\n" +
		"  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n"
	dir := writePreset(t, map[string]string{
		"crds/gadget.yaml": crd,
		"custom.yaml": "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n---\n" +
			"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: sm\n",
	})
	res, err := Render(Request{Preset: dir, Namespace: "ns"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range res.Objects {
		if _, ok := o.Object.(*unstructured.Unstructured); !ok {
			t.Errorf("%s is a %T, want unstructured", o.Kind, o.Object)
		}
		got[o.Kind] = o.Namespace
	}
	if diff := cmp.Diff(map[string]string{"Gadget": "", "ServiceMonitor": "ns"}, got); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	if len(res.CRDs) != 1 || res.CRDs[0].Name != "gadgets.example.com" || res.CRDs[0].Namespaced {
		t.Errorf("CRDs = %+v", res.CRDs)
	}

	notServed := func(gvk schema.GroupVersionKind) (bool, error) {
		return false, fmt.Errorf("kind %s is not served", gvk.Kind)
	}
	_, err = Render(Request{Preset: dir, Scope: notServed})
	want := "p/templates/custom.yaml: ServiceMonitor sm: kind ServiceMonitor is not served"
	if err == nil || err.Error() != want {
		t.Errorf("Render with a cluster that serves no ServiceMonitor: error %v, want %q", err, want)
	}
}

// TestHooksAndNotes: hooks are kept apart from the objects, tests known as
// such, and NOTES.txt is text, not an object.
func TestHooksAndNotes(t *testing.T) {
	dir := writePreset(t, map[string]string{
		"cm.yaml":   configMapHead,
		"NOTES.txt": "Installed {{ .Release.Name }}.",
		"test.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n" +
			"spec:\n  containers: [{name: c, image: busybox}]\n",
		"pre.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pre\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n" +
			"    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: before-hook-creation\n",
	})
	res, err := Render(Request{Preset: dir, Name: "r"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 1 || res.Objects[0].Name != "cm" {
		t.Errorf("objects = %+v, want the ConfigMap alone", res.Objects)
	}
	type hook struct {
		Name     string
		Events   []string
		Weight   int
		Policies []string
		Test     bool
	}
	var got []hook
	for _, h := range res.Hooks {
		got = append(got, hook{h.Name, h.Events, h.Weight, h.DeletePolicies, h.IsTest()})
	}
	want := []hook{
		{"pre", []string{"pre-install", "pre-upgrade"}, -5, []string{"before-hook-creation"}, false},
		{"t", []string{"test"}, 0, nil, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("hooks (-want +got):\n%s", diff)
	}
	if res.Notes != "Installed r." {
		t.Errorf("Notes = %q", res.Notes)
	}
	skip, err := Render(Request{Preset: dir, Name: "r", SkipTests: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(skip.Manifest), "name: t\n") || !strings.Contains(string(res.Manifest), "name: t\n") {
		t.Error("SkipTests does not leave the test hook out of the manifest, or it is missing without it")
	}
}

// TestMissingValues: Helm's default renders a missing value empty; Strict
// fails, as helm lint --strict.
func TestMissingValues(t *testing.T) {
	dir := writePreset(t, map[string]string{
		"cm.yaml": configMapHead + "data:\n  a: \"{{ .Values.nope }}\"\n  b: \"{{ if .Values.optional }}yes{{ end }}\"\n",
	})
	res, err := Render(Request{Preset: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Objects[0].YAML), "a: \"\"\n  b: \"\"\n") {
		t.Errorf("missing values are not empty:\n%s", res.Objects[0].YAML)
	}
	if _, err := Render(Request{Preset: dir, Strict: true}); err == nil {
		t.Error("Strict render of a missing value succeeded")
	}
}

// aliasChart has one subchart used twice under two aliases, and one behind
// a condition.
func aliasChart(t *testing.T) string {
	t.Helper()
	return writePreset(t, map[string]string{
		chartFile: "apiVersion: v2\nname: p\nversion: 0.0.1\ndependencies:\n" +
			"  - {name: child, version: 0.1.0, alias: first}\n  - {name: child, version: 0.1.0, alias: second}\n" +
			"  - {name: extra, version: 0.1.0, condition: extra.enabled}\n",
		valuesFile:                 "first: {greeting: hi}\nsecond: {greeting: hello}\nextra: {enabled: false}\n",
		"charts/child/Chart.yaml":  "apiVersion: v2\nname: child\nversion: 0.1.0\n",
		"charts/child/values.yaml": "greeting: default\n",
		"charts/child/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\n" +
			"data:\n  greeting: {{ .Values.greeting }}\n",
		"charts/extra/Chart.yaml":        "apiVersion: v2\nname: extra\nversion: 0.1.0\n",
		"charts/extra/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\n",
	})
}

// TestRenderTwiceWithAliases: Helm's dependency processing writes to the
// chart; a cached chart must render the same way every time.
func TestRenderTwiceWithAliases(t *testing.T) {
	dir := aliasChart(t)
	for i := range 2 {
		res, err := Render(Request{Preset: dir, Name: "r"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range res.Objects {
			got = append(got, o.Name+"="+o.Object.(*corev1.ConfigMap).Data["greeting"])
		}
		if diff := cmp.Diff([]string{"r-first=hi", "r-second=hello"}, got); diff != "" {
			t.Errorf("render %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestConcurrentRendersOfOneChart: renders of one cached chart with other
// values, at the same time, each get their own subcharts (run with -race).
func TestConcurrentRendersOfOneChart(t *testing.T) {
	dir := aliasChart(t)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			enabled := i%2 == 0
			res, err := Render(Request{Preset: dir, Name: "r", Set: []string{fmt.Sprintf("extra.enabled=%t", enabled)}})
			if err == nil && (len(res.Objects) == 3) != enabled {
				err = fmt.Errorf("extra.enabled=%t rendered %d objects", enabled, len(res.Objects))
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestSymlinkedSubchart: a subchart linked into charts/ from a sibling
// folder renders, as Helm's loader follows the link.
func TestSymlinkedSubchart(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"child/Chart.yaml":        "apiVersion: v2\nname: child\nversion: 0.1.0\n",
		"child/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-child\n",
		"parent/Chart.yaml":       "apiVersion: v2\nname: parent\nversion: 0.1.0\n",
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "parent", "charts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "..", "child"), filepath.Join(root, "parent", "charts", "child")); err != nil {
		t.Fatal(err)
	}
	res, err := Render(Request{Preset: filepath.Join(root, "parent"), Name: "r"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Objects) != 1 || res.Objects[0].Name != "r-child" {
		t.Errorf("objects = %+v, want the child's ConfigMap", res.Objects)
	}
}
