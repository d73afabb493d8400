package release

import (
	"strings"
	"testing"
)

func TestApplyObject(t *testing.T) {
	obj, err := applyObject(Entry{Key: "DaemonSet/monitoring/exporter", YAML: driftTestDaemonSet}, "monitoring/exporter")
	if err != nil {
		t.Fatal(err)
	}
	if got := obj.GetLabels()[ManagedByLabel]; got != ManagedByValue {
		t.Errorf("label %s = %q, want %q", ManagedByLabel, got, ManagedByValue)
	}
	if got := obj.GetLabels()["app"]; got != "exporter" {
		t.Errorf("the template's label app = %q, want it kept", got)
	}
	if got := obj.GetAnnotations()[InventoryAnnotation]; got != "monitoring/exporter" {
		t.Errorf("inventory annotation = %q", got)
	}
	if got := obj.GetAnnotations()[AppliedAnnotation]; got != driftTestDaemonSet {
		t.Errorf("applied annotation = %q, want the YAML", got)
	}
	// Numbers decode as int64, as the API machinery expects.
	ports := obj.Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["ports"].([]any)
	if _, ok := ports[0].(map[string]any)["containerPort"].(int64); !ok {
		t.Errorf("containerPort is %T, want int64", ports[0].(map[string]any)["containerPort"])
	}

	noNamespace := strings.Replace(driftTestDaemonSet, "  namespace: monitoring\n", "", 1)
	obj, err = applyObject(Entry{Key: "DaemonSet/release-ns/exporter", YAML: noNamespace}, "release-ns/exporter")
	if err != nil {
		t.Fatal(err)
	}
	if obj.GetNamespace() != "release-ns" {
		t.Errorf("namespace = %q, want the key's release-ns", obj.GetNamespace())
	}
}

func TestApplyObjectErrors(t *testing.T) {
	tests := []struct {
		name  string
		entry Entry
		want  string
	}{
		{
			name:  "bad key",
			entry: Entry{Key: "DaemonSet/exporter", YAML: driftTestDaemonSet},
			want:  `inventory key "DaemonSet/exporter" is not kind/namespace/name`,
		},
		{
			name:  "not an object",
			entry: Entry{Key: "ConfigMap/m/c", YAML: "- a\n- b\n"},
			want:  "object ConfigMap/m/c: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := applyObject(tt.entry, "m/r")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("applyObject error = %v, want it to start with %q", err, tt.want)
			}
		})
	}
}
