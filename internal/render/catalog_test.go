package render

import (
	"encoding/json"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The catalog tests pin what the built-in presets must get right on a real
// node, whatever the release is called: each one names the defect it keeps
// fixed. The golden files show the whole output; these say why it matters.

// renderObjects renders req and indexes the objects by kind and name.
func renderObjects(t *testing.T, req Request) map[string]any {
	t.Helper()
	res, err := Render(req)
	if err != nil {
		t.Fatalf("Render(%s): %v", req.Preset, err)
	}
	all := map[string]any{}
	for _, o := range res.Objects {
		all[o.Kind+"/"+o.Name] = o.Object
	}
	return all
}

// onlyDaemonSet returns the one DaemonSet of a render.
func onlyDaemonSet(t *testing.T, all map[string]any) *appsv1.DaemonSet {
	t.Helper()
	var found []*appsv1.DaemonSet
	for _, o := range all {
		if ds, ok := o.(*appsv1.DaemonSet); ok {
			found = append(found, ds)
		}
	}
	if len(found) != 1 {
		t.Fatalf("render has %d DaemonSets, want 1", len(found))
	}
	return found[0]
}

// kubeletLogFile is the file name the kubelet gives a container's log under
// /var/log/containers: <pod>_<namespace>_<container>-<container id>.log.
func kubeletLogFile(pod, namespace, container string) string {
	return "/var/log/containers/" + pod + "_" + namespace + "_" + container + "-" + strings.Repeat("0123456789abcdef", 4) + ".log"
}

// daemonPodName is the name the DaemonSet controller gives a pod of ds: its
// generateName (the DaemonSet's name and a dash) and five random characters.
func daemonPodName(ds *appsv1.DaemonSet) string { return ds.Name + "-x7k2q" }

func TestFluentBitMetricsPortAnnotation(t *testing.T) {
	all := renderObjects(t, Request{Preset: "fluent-bit", Set: []string{"metricsPort=2021"}})
	svc := all["Service/fluent-bit"].(*corev1.Service)
	if got := svc.Annotations["prometheus.io/port"]; got != "2021" {
		t.Errorf("Service annotation prometheus.io/port = %q, want \"2021\", the metricsPort", got)
	}
	if got := svc.Spec.Ports[0].Port; got != 2021 {
		t.Errorf("Service port = %d, want 2021", got)
	}
}

func TestFluentBitExcludesItsOwnLogs(t *testing.T) {
	for _, tt := range []struct {
		name, release, namespace string
		set                      []string
	}{
		{"default release", "", "", nil},
		{"release name", "logs", "ops", nil},
		{"fullnameOverride", "logs", "ops", []string{"fullnameOverride=shipper"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all := renderObjects(t, Request{Preset: "fluent-bit", Name: tt.release, Namespace: tt.namespace, Set: tt.set})
			ds := onlyDaemonSet(t, all)
			var cfg string
			for _, o := range all {
				if cm, ok := o.(*corev1.ConfigMap); ok {
					cfg = cm.Data["fluent-bit.conf"]
				}
			}
			exclude := configValue(t, cfg, "Exclude_Path")
			own := kubeletLogFile(daemonPodName(ds), ds.Namespace, ds.Spec.Template.Spec.Containers[0].Name)
			if !globMatchAny(t, exclude, own) {
				t.Errorf("Exclude_Path %q does not match the collector's own log file %s", exclude, own)
			}
			// A neighbour whose name only starts like the collector's.
			other := kubeletLogFile(ds.Name+"-web-6f7c9d-x7k2q", ds.Namespace, "web")
			if globMatchAny(t, exclude, other) {
				t.Errorf("Exclude_Path %q also drops another pod's log %s", exclude, other)
			}
		})
	}
}

// configValue returns the value of the first line of a Fluent Bit config
// that sets key.
func configValue(t *testing.T, cfg, key string) string {
	t.Helper()
	for _, line := range strings.Split(cfg, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == key {
			return strings.Join(f[1:], " ")
		}
	}
	t.Fatalf("config sets no %s:\n%s", key, cfg)
	return ""
}

// globMatchAny says whether any of the comma-separated glob patterns
// matches name, as Fluent Bit's and Fluentd's exclude paths read them.
func globMatchAny(t *testing.T, patterns, name string) bool {
	t.Helper()
	for _, p := range strings.Split(patterns, ",") {
		p = strings.Trim(strings.TrimSpace(p), `"[]`)
		ok, err := path.Match(p, name)
		if err != nil {
			t.Fatalf("pattern %q: %v", p, err)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestFluentdExcludesItsOwnLogs(t *testing.T) {
	all := renderObjects(t, Request{Preset: "fluentd", Name: "logs", Namespace: "ops"})
	ds := onlyDaemonSet(t, all)
	cm := all["ConfigMap/logs-config"].(*corev1.ConfigMap)
	var exclude string
	for _, line := range strings.Split(cm.Data["containers.input.conf"], "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "exclude_path" {
			exclude = strings.Join(f[1:], " ")
		}
	}
	own := kubeletLogFile(daemonPodName(ds), ds.Namespace, ds.Spec.Template.Spec.Containers[0].Name)
	if exclude == "" || !globMatchAny(t, exclude, own) {
		t.Errorf("exclude_path %q does not match fluentd's own log file %s", exclude, own)
	}
}

func TestFluentdProbesAndMetrics(t *testing.T) {
	all := renderObjects(t, Request{Preset: "fluentd"})
	ds := onlyDaemonSet(t, all)
	c := ds.Spec.Template.Spec.Containers[0]
	if !strings.HasPrefix(c.Image, "fluent/fluentd-kubernetes-daemonset:v1.") {
		t.Errorf("image %s, want the maintained fluent/fluentd-kubernetes-daemonset line", c.Image)
	}
	if c.LivenessProbe == nil || c.ReadinessProbe == nil {
		t.Errorf("liveness probe %v, readiness probe %v: want both", c.LivenessProbe, c.ReadinessProbe)
	}
	i := slices.IndexFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "metrics" })
	if i < 0 {
		t.Fatalf("container ports %v have no metrics port", c.Ports)
	}
	svc, ok := all["Service/fluentd"].(*corev1.Service)
	if !ok || svc.Spec.Ports[0].Port != c.Ports[i].ContainerPort {
		t.Errorf("Service %+v does not expose the metrics port %d", svc, c.Ports[i].ContainerPort)
	}
}

// TestFluentdPlugins: the plugins value installs gems the image lacks and
// makes Fluentd load them. The image turns bundler off
// (FLUENTD_DISABLE_BUNDLER_INJECTION=1) and loads its gems from its own
// GEM_PATH, so a gem installed anywhere else is never loaded: the plugins
// installer and Fluentd must agree on one Gemfile (the image's own, plus the
// plugins) and one gem path on a volume both mount, and bundler must be on.
func TestFluentdPlugins(t *testing.T) {
	all := renderObjects(t, Request{Preset: "fluentd", ValuesYAML: [][]byte{readTestdata(t, "fluentd", "plugins")}})
	spec := onlyDaemonSet(t, all).Spec.Template.Spec
	if len(spec.InitContainers) == 0 || spec.InitContainers[0].Name != "plugins" {
		t.Fatalf("init containers %v, want the plugins installer first", spec.InitContainers)
	}
	installer, fluentd := spec.InitContainers[0], spec.Containers[0]
	if installer.Image != fluentd.Image {
		t.Errorf("installer image %s, want Fluentd's %s: it installs beside that image's gems", installer.Image, fluentd.Image)
	}
	env := func(c corev1.Container) map[string]string {
		out := map[string]string{}
		for _, e := range c.Env {
			out[e.Name] = e.Value
		}
		return out
	}
	installerEnv, fluentdEnv := env(installer), env(fluentd)
	if fluentdEnv["FLUENTD_DISABLE_BUNDLER_INJECTION"] != "0" {
		t.Errorf("FLUENTD_DISABLE_BUNDLER_INJECTION %q, want 0: the image's 1 ignores --gemfile", fluentdEnv["FLUENTD_DISABLE_BUNDLER_INJECTION"])
	}
	// Fluentd takes the last --gemfile and --gem-path: the entrypoint's
	// own --gemfile comes before FLUENTD_OPT.
	opt := strings.Fields(fluentdEnv["FLUENTD_OPT"])
	want := []string{"--gemfile", installerEnv["BUNDLE_GEMFILE"], "--gem-path", installerEnv["BUNDLE_PATH"], "--suppress-config-dump"}
	if !slices.Equal(opt, want) {
		t.Errorf("FLUENTD_OPT %q, want %q (the installer's Gemfile and gem path, then extraArgs)", opt, want)
	}
	mountOf := func(c corev1.Container, volume string) string {
		for _, m := range c.VolumeMounts {
			if m.Name == volume {
				return m.MountPath
			}
		}
		return ""
	}
	dir := mountOf(installer, "plugins")
	if dir == "" || mountOf(fluentd, "plugins") != dir || !strings.HasPrefix(installerEnv["BUNDLE_PATH"], dir+"/") ||
		!strings.HasPrefix(installerEnv["BUNDLE_GEMFILE"], dir+"/") {
		t.Errorf("plugins volume at %q in the installer, %q in Fluentd; Gemfile %q, gem path %q: want all on the one volume",
			dir, mountOf(fluentd, "plugins"), installerEnv["BUNDLE_GEMFILE"], installerEnv["BUNDLE_PATH"])
	}
	if i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == "plugins" }); i < 0 || spec.Volumes[i].EmptyDir == nil {
		t.Errorf("volumes %v, want an emptyDir plugins", spec.Volumes)
	}
	script := strings.Join(installer.Command, " ")
	for _, step := range []string{"cp -R /fluentd/vendor/bundle/. " + installerEnv["BUNDLE_PATH"] + "/",
		"cp /fluentd/Gemfile.lock " + installerEnv["BUNDLE_GEMFILE"] + ".lock", "bundle install"} {
		if !strings.Contains(script, step) {
			t.Errorf("installer %q does not %s", script, step)
		}
	}
	cm := all["ConfigMap/fluentd-config"].(*corev1.ConfigMap)
	for _, line := range []string{`eval_gemfile "/fluentd/Gemfile"`, `gem "fluent-plugin-out-http"`, `gem "fluent-plugin-s3", "~> 1.7"`} {
		if !slices.Contains(strings.Split(cm.Data["Gemfile"], "\n"), line) {
			t.Errorf("Gemfile has no line %s:\n%s", line, cm.Data["Gemfile"])
		}
	}

	spec = onlyDaemonSet(t, renderObjects(t, Request{Preset: "fluentd"})).Spec.Template.Spec
	if len(spec.InitContainers) > 0 || slices.ContainsFunc(spec.Containers[0].Env, func(e corev1.EnvVar) bool {
		return e.Name == "FLUENTD_OPT" || e.Name == "FLUENTD_DISABLE_BUNDLER_INJECTION"
	}) {
		t.Errorf("without plugins: init containers %v, env %v; want the image's own start", spec.InitContainers, spec.Containers[0].Env)
	}
}

// TestFluentdPluginNames: a plugin is a gem name with an optional version
// requirement; anything else (a quote would end the Gemfile's string) is
// refused on its values path.
func TestFluentdPluginNames(t *testing.T) {
	for _, tt := range []struct {
		plugin string
		ok     bool
	}{
		{"fluent-plugin-out-http", true},
		{"fluent-plugin-s3:~> 1.7", true},
		{"fluent-plugin-s3:1.7.2", true},
		{"fluent-plugin-s3:>=1.0", true},
		{`fluent-plugin-x", path: "/tmp`, false},
		{"fluent-plugin-x:latest", false},
		{"fluent plugin", false},
		{"", false},
	} {
		t.Run(tt.plugin, func(t *testing.T) {
			_, err := Render(Request{Preset: "fluentd", SetJSON: []string{`plugins=["` + strings.ReplaceAll(tt.plugin, `"`, `\"`) + `"]`}})
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), "plugins[0]")) {
				t.Errorf("error %v, want one on plugins[0]", err)
			}
		})
	}
}

func TestNodeExporterFilesystemExclusions(t *testing.T) {
	all := renderObjects(t, Request{Preset: "node-exporter"})
	c := onlyDaemonSet(t, all).Spec.Template.Spec.Containers[0]
	var exclude string
	for _, a := range c.Args {
		if v, ok := strings.CutPrefix(a, "--collector.filesystem.mount-points-exclude="); ok {
			exclude = v
		}
	}
	re, err := regexp.Compile(exclude)
	if err != nil {
		t.Fatalf("mount-points-exclude %q: %v", exclude, err)
	}
	// node_exporter's own default exclusions, and the kubelet's volumes.
	for _, p := range []string{"/dev", "/proc", "/sys", "/run/credentials/getty.service", "/var/lib/docker/overlay2/x",
		"/var/lib/containers/storage/overlay", "/var/lib/kubelet/pods/x/volumes"} {
		if !re.MatchString(p) {
			t.Errorf("mount point %s is collected; mount-points-exclude %q should skip it", p, exclude)
		}
	}
	for _, p := range []string{"/", "/home", "/var/lib/kubelet", "/run"} {
		if re.MatchString(p) {
			t.Errorf("mount point %s is skipped by mount-points-exclude %q; want it collected", p, exclude)
		}
	}
}

func TestCSINodeDriverName(t *testing.T) {
	all := renderObjects(t, Request{Preset: "csi-node"})
	ds := onlyDaemonSet(t, all)
	driver := ds.Spec.Template.Spec.Containers[slices.IndexFunc(ds.Spec.Template.Spec.Containers,
		func(c corev1.Container) bool { return c.Name == "driver" })]
	// The shipped nfs plugin registers nfs.csi.k8s.io unless --drivername says otherwise.
	registered := "nfs.csi.k8s.io"
	for _, a := range driver.Args {
		if v, ok := strings.CutPrefix(a, "--drivername="); ok {
			registered = v
		}
	}
	var names []string
	for _, o := range all {
		if d, ok := o.(*storagev1.CSIDriver); ok {
			names = append(names, d.Name)
		}
	}
	if len(names) != 1 || names[0] != registered {
		t.Errorf("CSIDriver objects %v, want the one the plugin registers, %s", names, registered)
	}
}

func TestCSINodeRegistrarHasNoShell(t *testing.T) {
	ds := onlyDaemonSet(t, renderObjects(t, Request{Preset: "csi-node"}))
	for _, c := range ds.Spec.Template.Spec.Containers {
		for _, h := range []*corev1.LifecycleHandler{lifecycleHook(c, true), lifecycleHook(c, false)} {
			if h != nil && h.Exec != nil && len(h.Exec.Command) > 0 && strings.HasSuffix(h.Exec.Command[0], "sh") {
				t.Errorf("container %s runs %q in a lifecycle hook; its image has no shell", c.Name, h.Exec.Command)
			}
		}
	}
}

func lifecycleHook(c corev1.Container, preStop bool) *corev1.LifecycleHandler {
	if c.Lifecycle == nil {
		return nil
	}
	if preStop {
		return c.Lifecycle.PreStop
	}
	return c.Lifecycle.PostStart
}

func TestCSINodeSecretsOnlyWhenAsked(t *testing.T) {
	readsSecrets := func(set ...string) bool {
		all := renderObjects(t, Request{Preset: "csi-node", Set: set})
		for _, o := range all {
			if r, ok := o.(*rbacv1.ClusterRole); ok {
				for _, rule := range r.Rules {
					if slices.Contains(rule.Resources, "secrets") || slices.Contains(rule.Resources, "*") {
						return true
					}
				}
			}
		}
		return false
	}
	if readsSecrets() {
		t.Error("the default node role reads Secrets cluster-wide")
	}
	if !readsSecrets("rbac.secrets=true") {
		t.Error("rbac.secrets=true does not let the node plugin read Secrets")
	}
}

func TestCSINodeKubeletDirsMustExist(t *testing.T) {
	ds := onlyDaemonSet(t, renderObjects(t, Request{Preset: "csi-node"}))
	for _, v := range ds.Spec.Template.Spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		p := v.HostPath.Path
		if p != "/var/lib/kubelet/pods" && p != "/var/lib/kubelet/plugins_registry" {
			continue
		}
		if v.HostPath.Type == nil || *v.HostPath.Type != corev1.HostPathDirectory {
			t.Errorf("volume %s (%s) has hostPath type %q, want Directory: a wrong kubeletDir must fail the pod, not create an empty folder",
				v.Name, p, ptrString(v.HostPath.Type))
		}
	}
}

func ptrString[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// readTestdata reads a values file of a preset's testdata.
func readTestdata(t *testing.T, preset, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(presetsDir, preset, "testdata", name+".values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var monitorKinds = []string{"monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PodMonitor"}

func TestPresetMonitorsOnlyWhenServed(t *testing.T) {
	for _, preset := range []string{"node-exporter", "fluent-bit", "fluentd", "csi-node"} {
		t.Run(preset, func(t *testing.T) {
			values := [][]byte{readTestdata(t, preset, "escape-hatches")}
			kinds := func(apis []string) map[string]*unstructured.Unstructured {
				res, err := Render(Request{Preset: preset, ValuesYAML: values, APIVersions: apis})
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]*unstructured.Unstructured{}
				for _, o := range res.Objects {
					if u, ok := o.Object.(*unstructured.Unstructured); ok {
						out[o.Kind] = u
					}
				}
				return out
			}
			if got := kinds(nil); len(got) != 0 {
				t.Errorf("a cluster without the Prometheus Operator gets %v", slices.Collect(maps.Keys(got)))
			}
			got := kinds(monitorKinds)
			all := renderObjects(t, Request{Preset: preset, ValuesYAML: values, APIVersions: monitorKinds})
			ds := onlyDaemonSet(t, all)
			podLabels := ds.Spec.Template.Labels
			var ports []string
			for _, c := range ds.Spec.Template.Spec.Containers {
				for _, p := range c.Ports {
					ports = append(ports, p.Name)
				}
			}
			for _, kind := range []string{"ServiceMonitor", "PodMonitor"} {
				m, ok := got[kind]
				if !ok {
					t.Errorf("no %s when the cluster serves it", kind)
					continue
				}
				sel, _, _ := unstructured.NestedStringMap(m.Object, "spec", "selector", "matchLabels")
				for k, v := range sel {
					if podLabels[k] != v {
						t.Errorf("%s selects %s=%s, which the pods do not carry (%v)", kind, k, v, podLabels)
					}
				}
				field := map[string]string{"ServiceMonitor": "endpoints", "PodMonitor": "podMetricsEndpoints"}[kind]
				eps, _, _ := unstructured.NestedSlice(m.Object, "spec", field)
				if len(eps) != 1 {
					t.Fatalf("%s has %d endpoints, want 1", kind, len(eps))
				}
				port, _ := eps[0].(map[string]any)["port"].(string)
				if kind == "PodMonitor" && !slices.Contains(ports, port) {
					t.Errorf("PodMonitor scrapes port %q; the pod's ports are %v", port, ports)
				}
				if kind == "ServiceMonitor" {
					var svcPorts []string
					for _, o := range all {
						if svc, ok := o.(*corev1.Service); ok {
							for _, p := range svc.Spec.Ports {
								svcPorts = append(svcPorts, p.Name)
							}
						}
					}
					if !slices.Contains(svcPorts, port) {
						t.Errorf("ServiceMonitor scrapes port %q; the Service's ports are %v", port, svcPorts)
					}
				}
			}
		})
	}
}

// TestCSINodeHwameistor renders the seed's hwameistor node driver from
// values alone.
func TestCSINodeHwameistor(t *testing.T) {
	all := renderObjects(t, Request{Preset: "csi-node", ValuesYAML: [][]byte{readTestdata(t, "csi-node", "hwameistor")}})
	ds := onlyDaemonSet(t, all)
	spec := ds.Spec.Template.Spec
	if !spec.HostPID || !spec.HostNetwork || spec.ServiceAccountName != "hwameistor-admin" {
		t.Errorf("hostPID=%v hostNetwork=%v serviceAccount=%q", spec.HostPID, spec.HostNetwork, spec.ServiceAccountName)
	}
	i := slices.IndexFunc(spec.Containers, func(c corev1.Container) bool { return c.Name == "driver" })
	driver := spec.Containers[i]
	if driver.Image != "ghcr.io/hwameistor/local-disk-manager:v0.6.1" || !slices.Equal(driver.Command, []string{"/local-disk-manager"}) {
		t.Errorf("driver image %s, command %q", driver.Image, driver.Command)
	}
	env := map[string]string{}
	for _, e := range driver.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			env[e.Name] = e.ValueFrom.FieldRef.FieldPath
		}
	}
	for name, field := range map[string]string{"NAMESPACE": "metadata.namespace", "POD_NAME": "metadata.name", "NODENAME": "spec.nodeName"} {
		if env[name] != field {
			t.Errorf("driver env %s from %q, want the downward API's %s", name, env[name], field)
		}
	}
	hostPaths := map[string]string{}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			hostPaths[v.Name] = v.HostPath.Path
		}
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range driver.VolumeMounts {
		mounts[hostPaths[m.Name]] = m
	}
	for host, want := range map[string]string{"/dev": "/dev", "/run/udev": "/run/udev", "/proc": "/host/proc"} {
		if got := mounts[host].MountPath; got != want {
			t.Errorf("host %s mounted at %q in the driver, want %s", host, got, want)
		}
	}
	if !mounts["/proc"].ReadOnly {
		t.Error("the host's /proc is writable in the driver")
	}
	if slices.ContainsFunc(spec.Containers, func(c corev1.Container) bool { return c.Name == "liveness-probe" }) || driver.LivenessProbe != nil {
		t.Error("livenessProbe.enabled=false still runs the liveness-probe sidecar or the driver's probe")
	}
	if _, ok := all["CSIDriver/disk.hwameistor.io"].(*storagev1.CSIDriver); !ok {
		t.Error("no CSIDriver disk.hwameistor.io")
	}
}

// writableRoot lists the containers whose daemon writes to its root file
// system: Fluentd's supervisor keeps its socket in /tmp, and with plugins
// bundler keeps its state in the home folder, as does the plugins installer.
var writableRoot = map[string]bool{"fluentd/fluentd": true, "fluentd/plugins": true}

func TestPresetSecurityDefaults(t *testing.T) {
	for _, tt := range []struct {
		preset string
		values string
	}{
		{"node-exporter", ""}, {"node-exporter", "escape-hatches"},
		{"fluent-bit", ""}, {"fluent-bit", "escape-hatches"},
		{"fluentd", ""}, {"fluentd", "plugins"},
		{"csi-node", ""}, {"csi-node", "escape-hatches"},
		// The detector reads the kernel's messages from the journal, with
		// every capability dropped; only kernelMonitor.source=kmsg (the
		// escape hatches) makes it privileged.
		{"node-problem-detector", ""}, {"node-problem-detector", "custom-plugins"},
		{"node-problem-detector", "journal-in-memory"},
		{"otel-collector-agent", ""}, {"otel-collector-agent", "escape-hatches"},
	} {
		t.Run(tt.preset+"/"+tt.values, func(t *testing.T) {
			req := Request{Preset: tt.preset}
			if tt.values != "" {
				req.ValuesYAML = [][]byte{readTestdata(t, tt.preset, tt.values)}
			}
			ds := onlyDaemonSet(t, renderObjects(t, req))
			spec := ds.Spec.Template.Spec
			for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
				if c.Name == "sidecar" || c.Name == "init" { // the escape hatches' own containers
					continue
				}
				sc := c.SecurityContext
				if sc == nil {
					t.Errorf("container %s has no securityContext", c.Name)
					continue
				}
				if sc.Privileged != nil && *sc.Privileged {
					if tt.preset != "csi-node" || c.Name != "driver" {
						t.Errorf("container %s is privileged; only the CSI driver may be", c.Name)
					}
					continue
				}
				if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
					t.Errorf("container %s capabilities %+v, want drop ALL and nothing added", c.Name, sc.Capabilities)
				}
				if sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
					t.Errorf("container %s seccompProfile %+v, want RuntimeDefault", c.Name, sc.SeccompProfile)
				}
				if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
					t.Errorf("container %s may escalate privileges", c.Name)
				}
				ro := sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem
				if !ro && !writableRoot[tt.preset+"/"+c.Name] {
					t.Errorf("container %s has a writable root file system", c.Name)
				}
			}
		})
	}
}

// TestNodeProblemDetectorKernelSource: the kernel monitor reads the journal
// by default, unprivileged, from the preset's own monitor files; reading
// /dev/kmsg is the opt-in that makes the container privileged.
func TestNodeProblemDetectorKernelSource(t *testing.T) {
	for _, tt := range []struct {
		name, journal string
		set           []string
	}{
		{name: "journald", journal: "/var/log/journal"},
		{name: "journal in memory", journal: "/run/log/journal", set: []string{"kernelMonitor.journalPath=/run/log/journal"}},
		{name: "kmsg", set: []string{"kernelMonitor.source=kmsg"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			all := renderObjects(t, Request{Preset: "node-problem-detector", Set: tt.set})
			ds := onlyDaemonSet(t, all)
			spec := ds.Spec.Template.Spec
			c := spec.Containers[0]
			privileged := c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
			hostPaths := map[string]*corev1.HostPathVolumeSource{}
			for _, v := range spec.Volumes {
				if v.HostPath != nil {
					hostPaths[v.Name] = v.HostPath
				}
			}
			mounts := map[string]corev1.VolumeMount{}
			for _, m := range c.VolumeMounts {
				mounts[m.Name] = m
			}
			cm, _ := all["ConfigMap/node-problem-detector-custom-config"].(*corev1.ConfigMap)
			if tt.journal == "" { // kmsg
				if !privileged {
					t.Error("kernelMonitor.source=kmsg runs the detector unprivileged: it cannot read /dev/kmsg")
				}
				if hp := hostPaths["kmsg"]; hp == nil || hp.Path != "/dev/kmsg" || mounts["kmsg"].MountPath != "/dev/kmsg" {
					t.Errorf("no /dev/kmsg mount: volume %+v, mount %+v", hp, mounts["kmsg"])
				}
				if !slices.Contains(c.Args, "--config.system-log-monitor=/config/kernel-monitor.json,/config/readonly-monitor.json") {
					t.Errorf("args %q, want the image's kmsg monitors", c.Args)
				}
				if cm != nil {
					t.Errorf("a ConfigMap of journald monitors beside kmsg: %v", cm.Data)
				}
				return
			}
			if privileged {
				t.Error("the journald kernel monitor runs privileged")
			}
			if _, ok := hostPaths["kmsg"]; ok {
				t.Error("/dev/kmsg is mounted without kernelMonitor.source=kmsg")
			}
			hp := hostPaths["journal"]
			if hp == nil || hp.Path != tt.journal || hp.Type == nil || *hp.Type != corev1.HostPathDirectory {
				t.Errorf("journal volume %+v, want hostPath %s of type Directory", hp, tt.journal)
			}
			if m := mounts["journal"]; m.MountPath != tt.journal || !m.ReadOnly {
				t.Errorf("journal mount %+v, want %s read-only", m, tt.journal)
			}
			if cm == nil {
				t.Fatal("no ConfigMap with the journald monitors")
			}
			var files []string
			for _, name := range []string{"kubedaemon-kernel-monitor.json", "kubedaemon-readonly-monitor.json"} {
				files = append(files, "/custom-config/"+name)
				var monitor struct {
					Plugin       string            `json:"plugin"`
					PluginConfig map[string]string `json:"pluginConfig"`
					LogPath      string            `json:"logPath"`
					Rules        []struct {
						Pattern string `json:"pattern"`
					} `json:"rules"`
				}
				if err := json.Unmarshal([]byte(cm.Data[name]), &monitor); err != nil {
					t.Fatalf("%s: %v\n%s", name, err, cm.Data[name])
				}
				// journald gives the kernel's messages SYSLOG_IDENTIFIER=kernel.
				if monitor.Plugin != "journald" || monitor.PluginConfig["source"] != "kernel" || monitor.LogPath != tt.journal {
					t.Errorf("%s reads plugin %q source %q at %q, want journald, kernel, %s", name, monitor.Plugin,
						monitor.PluginConfig["source"], monitor.LogPath, tt.journal)
				}
				if len(monitor.Rules) == 0 {
					t.Errorf("%s has no rules", name)
				}
				for _, r := range monitor.Rules {
					if _, err := regexp.Compile(r.Pattern); err != nil {
						t.Errorf("%s: the detector cannot compile pattern %q: %v", name, r.Pattern, err)
					}
				}
			}
			if want := "--config.system-log-monitor=" + strings.Join(files, ","); !slices.Contains(c.Args, want) {
				t.Errorf("args %q, want %s", c.Args, want)
			}
		})
	}
}
