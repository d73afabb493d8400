package k8s

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
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
	err := &ConflictError{Object: NodeObject("n1"), What: WhatLabel, Conflicts: []Conflict{
		{Key: "env", Value: "dev", Wanted: "prod", Owners: []string{"kubectl-label"}},
	}}
	want := `node n1: label "env" is "dev" (wanted "prod"), owned by "kubectl-label"`
	if err.Error() != want {
		t.Errorf("got %s, want %s", err, want)
	}
}

// fieldManagerConflict is the API server's 409 for an apply of key that
// owner holds with another value.
func fieldManagerConflict(node, key, owner string) error {
	return &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: http.StatusConflict, Reason: metav1.StatusReasonConflict,
		Message: "Apply failed with 1 conflict",
		Details: &metav1.StatusDetails{Name: node, Kind: "nodes", Causes: []metav1.StatusCause{{
			Type: metav1.CauseTypeFieldManagerConflict, Message: fmt.Sprintf("conflict with %q", owner),
			Field: ".metadata.labels." + key,
		}}},
	}}
}

// TestApplyLabels: one listing, one write per node that is not as wanted,
// and every failure reported at its node. A release of keys the manager
// alone owns is a merge patch conditional on the node as listed; a shared
// key, or a node changed since the listing, is released by apply.
func TestApplyLabels(t *testing.T) {
	const manager = "kubedaemon-labels-abc"
	pool := map[string]string{"pool": "x"}
	mine := managed(manager, "Apply", `{"f:metadata":{"f:labels":{"f:env":{}}}}`)
	node := func(name string, labels map[string]string, fields ...metav1.ManagedFieldsEntry) *corev1.Node {
		n := poolNode(name, labels)
		n.ManagedFields = fields
		return n
	}
	nodes := []*corev1.Node{
		node("ok", pool),
		node("conflict", map[string]string{"pool": "x", "env": "dev"}, managed("kubectl-label", "Update", `{"f:metadata":{"f:labels":{"f:env":{}}}}`)),
		node("broken", pool),
		node("replaced", pool),
		node("as-wanted", map[string]string{"pool": "x", "env": "prod"}, mine),
		node("released", map[string]string{"pool": "x", "env": "prod"}, mine),
		node("released-shared", map[string]string{"pool": "x", "env": "prod"}, mine,
			managed("kubectl-label", "Update", `{"f:metadata":{"f:labels":{"f:env":{}}}}`)),
		node("released-changed", map[string]string{"pool": "x", "env": "prod"}, mine),
		node("nothing-to-release", pool),
	}
	var objs []runtime.Object
	for _, n := range nodes {
		objs = append(objs, n)
	}
	cs := fake.NewClientset(objs...)
	// The listing reads the nodes' metadata alone.
	mc := metadataClient(t, nodes...)
	var applied sync.Map // node -> the apply configuration
	var removed sync.Map // node -> the merge patch
	cs.PrependReactor("get", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.(k8stesting.GetAction).GetName() == "replaced" {
			n := poolNode("replaced", pool)
			n.UID = "uid-new"
			return true, n, nil
		}
		return false, nil, nil
	})
	cs.PrependReactor("patch", "nodes", func(a k8stesting.Action) (bool, runtime.Object, error) {
		p := a.(k8stesting.PatchAction)
		if p.GetPatchType() == types.MergePatchType {
			removed.Store(p.GetName(), string(p.GetPatch()))
			if p.GetName() == "released-changed" {
				return true, nil, apierrors.NewConflict(corev1.Resource("nodes"), p.GetName(), errors.New("the object has been modified"))
			}
			return true, poolNode(p.GetName(), pool), nil
		}
		var cfg struct {
			Metadata struct {
				UID    types.UID         `json:"uid"`
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(p.GetPatch(), &cfg); err != nil {
			return true, nil, err
		}
		applied.Store(p.GetName(), cfg.Metadata.Labels)
		switch p.GetName() {
		case "conflict":
			return true, nil, fieldManagerConflict("conflict", "env", "kubectl-label")
		case "broken":
			return true, nil, apierrors.NewInternalError(errors.New("etcd is down"))
		case "replaced":
			if cfg.Metadata.UID != "uid-new" {
				return true, nil, apierrors.NewConflict(corev1.Resource("nodes"), "replaced", errors.New("uid mismatch"))
			}
		}
		return true, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: p.GetName(), UID: cfg.Metadata.UID}}, nil
	})

	res, err := ApplyLabels(context.Background(), cs, mc, LabelsChange{
		Manager:  manager,
		Labels:   map[string]string{"env": "prod"},
		Apply:    []string{"ok", "conflict", "broken", "replaced", "as-wanted", "gone"},
		Release:  []string{"released", "released-shared", "released-changed", "nothing-to-release"},
		Selector: "pool=x",
	}, EachOptions{Parallel: 3})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"as-wanted", "nothing-to-release", "ok", "released", "released-changed", "released-shared", "replaced"}, res.Done); diff != "" {
		t.Errorf("done (-want +got):\n%s", diff)
	}
	failed := map[string]error{}
	for _, f := range res.Failed {
		failed[f.Node] = f.Err
	}
	var ce *ConflictError
	if !errors.As(failed["conflict"], &ce) || ce.Error() != `node conflict: label "env" is "dev" (wanted "prod"), owned by "kubectl-label"` {
		t.Errorf("conflict: got %v, want a ConflictError naming kubectl-label", failed["conflict"])
	}
	if !errors.Is(failed["gone"], ErrNodeNotFound) || !Unchanged(failed["gone"]) {
		t.Errorf("gone: got %v, want ErrNodeNotFound", failed["gone"])
	}
	if err := failed["broken"]; err == nil || Unchanged(err) || !strings.Contains(err.Error(), "etcd is down") {
		t.Errorf("broken: got %v, want the server's error, not known to leave the node unchanged", err)
	}
	if len(failed) != 3 {
		t.Errorf("failed = %v, want conflict, broken and gone", res.Failed)
	}
	var wrote []string
	applied.Range(func(k, v any) bool {
		wrote = append(wrote, k.(string))
		if labels := v.(map[string]string); strings.HasPrefix(k.(string), "released") && len(labels) > 0 {
			t.Errorf("release applied %v to %s, want no labels", labels, k)
		}
		return true
	})
	sort.Strings(wrote)
	if diff := cmp.Diff([]string{"broken", "conflict", "ok", "released-changed", "released-shared", "replaced"}, wrote); diff != "" {
		t.Errorf("applied to (-want +got):\n%s", diff)
	}
	patches := map[string]string{}
	removed.Range(func(k, v any) bool { patches[k.(string)] = v.(string); return true })
	wantPatch := func(node string) string {
		return `{"metadata":{"labels":{"env":null},"resourceVersion":"1","uid":"uid-` + node + `"}}`
	}
	if diff := cmp.Diff(map[string]string{"released": wantPatch("released"), "released-changed": wantPatch("released-changed")}, patches); diff != "" {
		t.Errorf("merge patches (-want +got):\n%s", diff)
	}
	// One listing of the nodes' metadata, and a GET of the metadata of the
	// node that is not there; whole-node GETs only for the conflict's owners
	// and the replaced node; two applies to the replaced node, a merge patch
	// and then an apply to the node changed since the listing.
	if diff := cmp.Diff(map[string]int{"list": 1, "get": 1}, countVerbs(mc.Actions())); diff != "" {
		t.Errorf("metadata requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"get": 2, "patch": 9}, requests(cs)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
