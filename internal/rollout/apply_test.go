package rollout

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

func TestConflictFrom(t *testing.T) {
	applyConflict := apierrors.NewApplyConflict([]metav1.StatusCause{
		{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "kubectl-client-side-apply" using apps/v1`,
			Field: `.spec.template.spec.containers[name="logd"].image`},
		{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "helm"`, Field: ".metadata.labels.app"},
	}, "Apply failed with 2 conflicts")
	tests := []struct {
		name string
		err  error
		want *k8s.ConflictError
	}{
		{
			name: "two managers",
			err:  fmt.Errorf("wrapped: %w", applyConflict),
			want: &k8s.ConflictError{Object: "DaemonSet default/logd", What: k8s.WhatField, Conflicts: []k8s.Conflict{
				{Key: ".metadata.labels.app", Owners: []string{"helm"}},
				{Key: `.spec.template.spec.containers[name="logd"].image`, Owners: []string{"kubectl-client-side-apply"}},
			}},
		},
		{
			name: "optimistic-lock conflict is not a field conflict",
			err:  apierrors.NewConflict(appsv1.Resource("daemonsets"), "logd", errors.New("the object has been modified")),
		},
		{
			name: "not found",
			err:  apierrors.NewNotFound(appsv1.Resource("daemonsets"), "logd"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := conflictFrom("DaemonSet default/logd", tt.err)
			if tt.want == nil {
				if got != nil {
					t.Fatalf("conflictFrom() = %v, want nil", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("conflictFrom() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConflictErrorMessage(t *testing.T) {
	e := &k8s.ConflictError{Object: "DaemonSet default/logd", What: k8s.WhatField, Conflicts: []k8s.Conflict{
		{Key: `.spec.template.spec.containers[name="logd"].image`, Owners: []string{"kubectl-client-side-apply"}},
	}}
	want := "apply DaemonSet default/logd: 1 field(s) are owned by another field manager, so nothing was changed:\n" +
		`  - .spec.template.spec.containers[name="logd"].image (owned by "kubectl-client-side-apply")`
	if got := e.Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}

func TestDaemonSetToUnstructured(t *testing.T) {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "logd"}}
	obj, err := daemonSetToUnstructured(ds)
	if err != nil {
		t.Fatal(err)
	}
	if obj.GetAPIVersion() != "apps/v1" || obj.GetKind() != "DaemonSet" {
		t.Errorf("type = %s %s, want apps/v1 DaemonSet", obj.GetAPIVersion(), obj.GetKind())
	}
	for _, f := range [][]string{{"status"}, {"metadata", "creationTimestamp"}, {"spec", "template", "metadata", "creationTimestamp"}} {
		m := obj.Object
		found := true
		for i, k := range f {
			v, ok := m[k]
			if !ok {
				found = false
				break
			}
			if i < len(f)-1 {
				m, _ = v.(map[string]any)
			}
		}
		if found {
			t.Errorf("field %v is in the apply configuration; want it dropped", f)
		}
	}
}
