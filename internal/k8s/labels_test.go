package k8s

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func managed(manager, op, fields string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{
		Manager: manager, Operation: metav1.ManagedFieldsOperationType(op), APIVersion: "v1",
		FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)},
	}
}

func labelledNode() *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:   "n1",
		Labels: map[string]string{"env": "dev", "kubernetes.io/hostname": "n1", "host": "high-cpu", "team": "a"},
		ManagedFields: []metav1.ManagedFieldsEntry{
			managed("kubelet", "Update", `{"f:metadata":{"f:labels":{".":{},"f:kubernetes.io/hostname":{}}}}`),
			managed("kubectl-label", "Update", `{"f:metadata":{"f:labels":{"f:env":{}}}}`),
			managed("kubedaemon-labels-abc", "Apply", `{"f:metadata":{"f:labels":{"f:host":{},"f:team":{}}}}`),
			managed("kubedaemon-labels-def", "Apply", `{"f:metadata":{"f:labels":{"f:team":{}}}}`),
			managed("kubelet", "Update", `{"f:status":{"f:conditions":{}}}`),
		},
	}}
}

func TestLabelOwners(t *testing.T) {
	want := map[string][]string{
		"kubernetes.io/hostname": {"kubelet"},
		"env":                    {"kubectl-label"},
		"host":                   {"kubedaemon-labels-abc"},
		"team":                   {"kubedaemon-labels-abc", "kubedaemon-labels-def"},
	}
	if diff := cmp.Diff(want, LabelOwners(labelledNode())); diff != "" {
		t.Errorf("owners (-want +got):\n%s", diff)
	}
}

func TestOwnedLabels(t *testing.T) {
	want := map[string]string{"host": "high-cpu", "team": "a"}
	if diff := cmp.Diff(want, OwnedLabels(labelledNode(), "kubedaemon-labels-abc")); diff != "" {
		t.Errorf("owned (-want +got):\n%s", diff)
	}
}

func TestLabelsManagerOwning(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{name: "one instance owns every key", keys: []string{"host", "team"}, want: "kubedaemon-labels-abc"},
		{name: "two instances own the key", keys: []string{"team"}, want: ""},
		{name: "a key owned by kubectl", keys: []string{"env", "host"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LabelsManagerOwning(labelledNode(), tt.keys); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLabelConflictError(t *testing.T) {
	err := &ConflictError{Node: "n1", What: "label", Conflicts: []Conflict{
		{Key: "env", Value: "dev", Wanted: "prod", Owners: []string{"kubectl-label"}},
	}}
	want := `node n1: label "env" is "dev" (wanted "prod"), owned by "kubectl-label"`
	if err.Error() != want {
		t.Errorf("got %s, want %s", err, want)
	}
}
