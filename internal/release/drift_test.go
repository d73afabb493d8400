package release

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
    app.kubernetes.io/managed-by: Helm
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

func TestDrift(t *testing.T) {
	live := func(mutate func(m map[string]any)) map[string]any {
		m := map[string]any{
			"apiVersion": "apps/v1", "kind": "DaemonSet",
			"metadata": map[string]any{
				"name": "exporter", "namespace": "monitoring", "uid": "1234",
				"labels": map[string]any{"app": "exporter", "added-by-someone": "x", ManagedByLabel: ManagedByValue},
				"annotations": map[string]any{
					InventoryAnnotation: "monitoring/exporter", AppliedAnnotation: driftTestDaemonSet,
				},
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
			name: "marks, defaults, other labels, status and equal quantities are no drift",
			live: live(nil),
		},
		{
			name: "changed image",
			live: live(func(m map[string]any) { container(m)["image"] = "exporter:hacked" }),
			want: []string{`spec.template.spec.containers[0].image: "exporter:hacked" in the cluster, "exporter:v1" applied`},
		},
		{
			name: "changed mark",
			live: live(func(m map[string]any) {
				m["metadata"].(map[string]any)["labels"].(map[string]any)[ManagedByLabel] = "Helm"
			}),
			want: []string{`metadata.labels.app.kubernetes.io/managed-by: "Helm" in the cluster, "kubedaemon" applied`},
		},
		{
			name: "changed quantity",
			live: live(func(m map[string]any) {
				container(m)["resources"].(map[string]any)["requests"].(map[string]any)["cpu"] = "500m"
			}),
			want: []string{`spec.template.spec.containers[0].resources.requests.cpu: "500m" in the cluster, "1000m" applied`},
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
			inv := &Inventory{ID: "monitoring/exporter"}
			got, err := inv.drift(Entry{Key: "DaemonSet/monitoring/exporter", YAML: driftTestDaemonSet}, tt.live)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Inventory.drift (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScalarEqual(t *testing.T) {
	tests := []struct {
		name          string
		applied, live any
		want          bool
	}{
		{name: "same string", applied: "exporter:v1", live: "exporter:v1", want: true},
		{name: "same number", applied: float64(9100), live: float64(9100), want: true},
		{name: "quantity stored in canonical form", applied: "1000m", live: "1", want: true},
		{name: "fraction stored in canonical form", applied: "0.5", live: "500m", want: true},
		{name: "binary quantity stored in canonical form", applied: "1024Mi", live: "1Gi", want: true},
		{name: "another amount", applied: "1000m", live: "2", want: false},
		// The cluster stores quantities canonically: a non-canonical live
		// value is a string someone changed, e.g. in a ConfigMap.
		{name: "live value not canonical", applied: "1", live: "1000m", want: false},
		{name: "not a quantity", applied: "exporter:v1", live: "exporter:v2", want: false},
		{name: "string and number", applied: "1", live: float64(1), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scalarEqual(tt.applied, tt.live); got != tt.want {
				t.Errorf("scalarEqual(%v, %v) = %t, want %t", tt.applied, tt.live, got, tt.want)
			}
		})
	}
}

func TestDriftYAMLRoundTrip(t *testing.T) {
	drifted := driftYAML(driftTestDaemonSet, []string{"a: 1 in the cluster, 2 applied", "b: x"})
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

// TestDriftZeroValues: zero values the chart renders (initialDelaySeconds: 0,
// hostNetwork: false, a "" string) come back missing from Kubernetes, which
// leaves zero values of plain fields out: no drift. A value someone set in
// their place is.
func TestDriftZeroValues(t *testing.T) {
	const applied = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  hostNetwork: false\n" +
		"  containers:\n  - name: c\n    image: busybox\n    workingDir: \"\"\n    livenessProbe:\n      initialDelaySeconds: 0\n" +
		"      tcpSocket: {port: 80}\n"
	live := func(delay any) map[string]any {
		probe := map[string]any{"tcpSocket": map[string]any{"port": int64(80)}}
		if delay != nil {
			probe["initialDelaySeconds"] = delay
		}
		return map[string]any{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]any{
				"name": "p", "namespace": "ns",
				"labels":      map[string]any{ManagedByLabel: ManagedByValue},
				"annotations": map[string]any{InventoryAnnotation: "ns/rel", AppliedAnnotation: applied},
			},
			"spec": map[string]any{"containers": []any{map[string]any{
				"name": "c", "image": "busybox", "livenessProbe": probe,
			}}},
		}
	}
	inv := &Inventory{ID: "ns/rel"}
	for name, tc := range map[string]struct {
		live map[string]any
		want []string
	}{
		"zeros left out":    {live: live(nil)},
		"zero set in place": {live: live(int64(5)), want: []string{"spec.containers[0].livenessProbe.initialDelaySeconds: 5 in the cluster, 0 applied"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := inv.drift(Entry{Key: "Pod/ns/p", YAML: applied}, tc.live)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Inventory.drift (-want +got):\n%s", diff)
			}
		})
	}
}
