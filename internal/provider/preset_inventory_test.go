package provider

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const driftTestDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: exporter
  namespace: monitoring
  labels:
    app: exporter
spec:
  template:
    spec:
      containers:
        - name: exporter
          image: "exporter:v1"
          ports:
            - containerPort: 9100
          resources:
            requests:
              cpu: 1000m
      tolerations: []
`

func TestPresetDrift(t *testing.T) {
	live := func(mutate func(m map[string]any)) map[string]any {
		m := map[string]any{
			"apiVersion": "apps/v1", "kind": "DaemonSet",
			"metadata": map[string]any{
				"name": "exporter", "namespace": "monitoring", "uid": "1234",
				"labels":      map[string]any{"app": "exporter", "added-by-someone": "x"},
				"annotations": map[string]any{presetInventoryAnnotation: "monitoring/exporter"},
			},
			"spec": map[string]any{
				"revisionHistoryLimit": int64(10),
				"template": map[string]any{"spec": map[string]any{
					"containers": []any{map[string]any{
						"name": "exporter", "image": "exporter:v1", "imagePullPolicy": "IfNotPresent",
						"ports":     []any{map[string]any{"containerPort": int64(9100), "protocol": "TCP"}},
						"resources": map[string]any{"requests": map[string]any{"cpu": "1"}},
					}},
				}},
			},
			"status": map[string]any{"numberReady": int64(3)},
		}
		if mutate != nil {
			mutate(m)
		}
		return m
	}
	container := func(m map[string]any) map[string]any {
		return m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name string
		live map[string]any
		want []string
	}{
		{
			name: "defaults, other labels, status and equal quantities are no drift",
			live: live(nil),
		},
		{
			name: "changed image",
			live: live(func(m map[string]any) { container(m)["image"] = "exporter:hacked" }),
			want: []string{`spec.template.spec.containers[0].image: "exporter:hacked" in the cluster, "exporter:v1" applied`},
		},
		{
			name: "changed port number and removed label",
			live: live(func(m map[string]any) {
				container(m)["ports"].([]any)[0].(map[string]any)["containerPort"] = int64(9200)
				delete(m["metadata"].(map[string]any)["labels"].(map[string]any), "app")
			}),
			want: []string{
				`metadata.labels.app: missing in the cluster, "exporter" applied`,
				`spec.template.spec.containers[0].ports[0].containerPort: 9200 in the cluster, 9100 applied`,
			},
		},
		{
			name: "removed container",
			live: live(func(m map[string]any) {
				m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"] = []any{}
			}),
			want: []string{`spec.template.spec.containers: [] in the cluster, [{"image":"exporter:v1","name":"exporter","ports":[{"containerPort":9100}],"r... applied`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := presetDrift(driftTestDaemonSet, tt.live)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("presetDrift (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPresetDriftYAMLRoundTrip(t *testing.T) {
	drifted := presetDriftYAML(driftTestDaemonSet, []string{"a: 1 in the cluster, 2 applied", "b: x"})
	if !strings.HasPrefix(drifted, "# drift: a: 1 in the cluster, 2 applied\n# drift: b: x\napiVersion: apps/v1\n") {
		t.Errorf("drift comments are not on top:\n%s", drifted)
	}
	if got := stripDrift(drifted); got != driftTestDaemonSet {
		t.Errorf("stripDrift did not give back the applied YAML:\n%s", got)
	}
	if got := stripDrift(driftTestDaemonSet); got != driftTestDaemonSet {
		t.Errorf("stripDrift changed YAML without drift:\n%s", got)
	}
}

func TestPresetApplyObject(t *testing.T) {
	obj, err := presetApplyObject("DaemonSet/monitoring/exporter", driftTestDaemonSet, "monitoring/exporter")
	if err != nil {
		t.Fatal(err)
	}
	if got := obj.GetLabels()[presetManagedByLabel]; got != presetManagedByValue {
		t.Errorf("label %s = %q, want %q", presetManagedByLabel, got, presetManagedByValue)
	}
	if got := obj.GetLabels()["app"]; got != "exporter" {
		t.Errorf("the template's label app = %q, want it kept", got)
	}
	if got := obj.GetAnnotations()[presetInventoryAnnotation]; got != "monitoring/exporter" {
		t.Errorf("inventory annotation = %q", got)
	}
	if got := obj.GetAnnotations()[presetAppliedAnnotation]; got != driftTestDaemonSet {
		t.Errorf("applied annotation = %q, want the YAML", got)
	}
	// Numbers decode as int64, as the API machinery expects.
	ports := obj.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["ports"].([]any)
	if _, ok := ports[0].(map[string]any)["containerPort"].(int64); !ok {
		t.Errorf("containerPort is %T, want int64", ports[0].(map[string]any)["containerPort"])
	}

	noNamespace := strings.Replace(driftTestDaemonSet, "  namespace: monitoring\n", "", 1)
	obj, err = presetApplyObject("DaemonSet/release-ns/exporter", noNamespace, "release-ns/exporter")
	if err != nil {
		t.Fatal(err)
	}
	if obj.GetNamespace() != "release-ns" {
		t.Errorf("namespace = %q, want the key's release-ns", obj.GetNamespace())
	}
}

func TestPresetObjectKeys(t *testing.T) {
	for _, key := range []string{"DaemonSet/monitoring/exporter", "ClusterRole//fluent-bit"} {
		kind, ns, name, err := parsePresetObjectKey(key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got := presetObjectKey(kind, ns, name); got != key {
			t.Errorf("round trip of %q gave %q", key, got)
		}
	}
	for _, bad := range []string{"", "DaemonSet/x", "/ns/name", "DaemonSet/ns/", "a/b/c/d"} {
		if _, _, _, err := parsePresetObjectKey(bad); err == nil {
			t.Errorf("parsePresetObjectKey(%q) accepted a bad key", bad)
		}
	}
	keys := []string{"DaemonSet/m/a", "Widget/m/w", "Service/m/a", "ClusterRole//a", "ServiceAccount/m/a", "ConfigMap/m/b", "ConfigMap/m/a"}
	sortInventory(keys)
	want := []string{"ServiceAccount/m/a", "ClusterRole//a", "ConfigMap/m/a", "ConfigMap/m/b", "Service/m/a", "DaemonSet/m/a", "Widget/m/w"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("sortInventory (-want +got):\n%s", diff)
	}
}
