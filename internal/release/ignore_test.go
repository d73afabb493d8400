package release

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const ignoreTestDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: exporter
  namespace: monitoring
  labels:
    team: a
    example.com/owner: a
  annotations:
    example.com/revision: "1"
spec:
  template:
    metadata:
      labels:
        example.com/owner: a
      annotations:
        example.com/revision: "1"
        checksum/config: abc
    spec:
      containers:
        - name: exporter
          image: "exporter:v1"
`

func TestDriftIgnore(t *testing.T) {
	e := Entry{Key: "DaemonSet/monitoring/exporter", YAML: ignoreTestDaemonSet}
	live := func() map[string]any {
		return map[string]any{
			"apiVersion": "apps/v1", "kind": "DaemonSet",
			"metadata": map[string]any{
				"name": "exporter", "namespace": "monitoring",
				"labels": map[string]any{"team": "b", "example.com/owner": "b", ManagedByLabel: "Helm"},
				"annotations": map[string]any{
					InventoryAnnotation: "monitoring/exporter", AppliedAnnotation: ignoreTestDaemonSet,
					"example.com/revision": "2",
				},
			},
			"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{
					"labels":      map[string]any{"example.com/owner": "b"},
					"annotations": map[string]any{"example.com/revision": "2", "checksum/config": "def"},
				},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "exporter", "image": "exporter:v1"}}},
			}},
		}
	}
	tests := []struct {
		name   string
		ignore MetadataIgnore
		want   []string
	}{
		{
			name: "no rules",
			want: []string{
				`metadata.annotations.example.com/revision: "2" in the cluster, "1" applied`,
				`metadata.labels.app.kubernetes.io/managed-by: "Helm" in the cluster, "kubedaemon" applied`,
				`metadata.labels.example.com/owner: "b" in the cluster, "a" applied`,
				`metadata.labels.team: "b" in the cluster, "a" applied`,
				`spec.template.metadata.annotations.checksum/config: "def" in the cluster, "abc" applied`,
				`spec.template.metadata.annotations.example.com/revision: "2" in the cluster, "1" applied`,
				`spec.template.metadata.labels.example.com/owner: "b" in the cluster, "a" applied`,
			},
		},
		{
			name: "matching keys of the object and its pod template; the marks stay",
			ignore: MetadataIgnore{
				Labels:      []*regexp.Regexp{regexp.MustCompile(`^example\.com/`), regexp.MustCompile(`managed-by`)},
				Annotations: []*regexp.Regexp{regexp.MustCompile(`revision`)},
			},
			want: []string{
				`metadata.labels.app.kubernetes.io/managed-by: "Helm" in the cluster, "kubedaemon" applied`,
				`metadata.labels.team: "b" in the cluster, "a" applied`,
				`spec.template.metadata.annotations.checksum/config: "def" in the cluster, "abc" applied`,
			},
		},
		{
			name:   "a label rule does not cover annotations",
			ignore: MetadataIgnore{Labels: []*regexp.Regexp{regexp.MustCompile(`.`)}},
			want: []string{
				`metadata.annotations.example.com/revision: "2" in the cluster, "1" applied`,
				`metadata.labels.app.kubernetes.io/managed-by: "Helm" in the cluster, "kubedaemon" applied`,
				`spec.template.metadata.annotations.checksum/config: "def" in the cluster, "abc" applied`,
				`spec.template.metadata.annotations.example.com/revision: "2" in the cluster, "1" applied`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &Inventory{ID: "monitoring/exporter", Ignore: tt.ignore}
			got, err := inv.drift(e, live())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Inventory.drift (-want +got):\n%s", diff)
			}
		})
	}
}
