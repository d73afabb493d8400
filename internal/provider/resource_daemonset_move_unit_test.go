package provider

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// moveState runs the MoveResourceState RPC as Terraform sends it for a
// `moved` block from typeName (of hashicorp/kubernetes, schema version
// version) to target, with the source state's JSON.
func moveState(t *testing.T, typeName string, version int64, target, stateJSON string) (*tfprotov6.MoveResourceStateResponse, tfsdk.State) {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: "registry.terraform.io/hashicorp/kubernetes",
		SourceTypeName:        typeName,
		SourceSchemaVersion:   version,
		SourceState:           &tfprotov6.RawState{JSON: []byte(stateJSON)},
		TargetTypeName:        target,
	})
	if err != nil {
		t.Fatal(err)
	}
	var r resource.Resource
	switch target {
	case "kubedaemon_daemonset":
		r = NewDaemonSetResource()
	case "kubedaemon_node_labels":
		r = NewNodeLabelsResource()
	case "kubedaemon_node_taints":
		r = NewNodeTaintsResource()
	}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	st := tfsdk.State{Schema: sr.Schema}
	if resp.TargetState != nil {
		raw, err := resp.TargetState.Unmarshal(sr.Schema.Type().TerraformType(ctx))
		if err != nil {
			t.Fatal(err)
		}
		st.Raw = raw
	}
	return resp, st
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/move/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func diagSummaries(d []*tfprotov6.Diagnostic) string {
	var out []string
	for _, x := range d {
		out = append(out, x.Summary+": "+x.Detail)
	}
	return strings.Join(out, "\n")
}

// The state hashicorp/kubernetes wrote for the seed's logd (schema version
// 1, as Terraform 1.11.4 stored it; version 0 is the same with the older
// layout of container resources) moves to the state kubedaemon_daemonset
// has after applying the same DaemonSet: only what the configuration sets,
// none of the defaults hashicorp/kubernetes records.
func TestDaemonSetMoveState(t *testing.T) {
	want := map[string]any{
		"apiVersion": "apps/v1", "kind": "DaemonSet",
		"metadata": map[string]any{
			"name": "logd", "namespace": "default", "labels": map[string]any{"app": "logd"},
			"generation": int64(1), "resourceVersion": "267", "uid": "0b995c4a-e9c5-4878-8cb1-d6bca9c12500",
		},
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": map[string]any{"name": "logd"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"name": "logd"}},
				"spec": map[string]any{
					"hostNetwork": false, "hostPID": false, "hostIPC": false,
					"containers": []any{map[string]any{
						"name": "logd", "image": "alpine",
						"args":  []any{"/bin/sh", "-c", "nc -lk -p 6666 -e sh -c \"cat >> /var/node_log\""},
						"ports": []any{map[string]any{"containerPort": int64(6666), "hostPort": int64(6666), "protocol": "TCP"}},
						"env": []any{map[string]any{"name": "HOST_IP", "valueFrom": map[string]any{
							"fieldRef": map[string]any{"fieldPath": "status.hostIP"},
						}}},
						"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "64Mi"}},
					}},
				},
			},
		},
	}
	for _, tt := range []struct {
		name, file, typeName string
		version              int64
	}{
		{"kubernetes_daemon_set_v1 v1", "kubernetes_daemon_set_v1.logd.v1.json", "kubernetes_daemon_set_v1", 1},
		{"kubernetes_daemon_set_v1 v0", "kubernetes_daemon_set_v1.logd.v0.json", "kubernetes_daemon_set_v1", 0},
		{"kubernetes_daemonset v1", "kubernetes_daemon_set_v1.logd.v1.json", "kubernetes_daemonset", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, st := moveState(t, tt.typeName, tt.version, "kubedaemon_daemonset", readTestdata(t, tt.file))
			if len(resp.Diagnostics) > 0 {
				t.Fatalf("diagnostics: %s", diagSummaries(resp.Diagnostics))
			}
			var m daemonSetResourceModel
			if d := st.Get(context.Background(), &m); d.HasError() {
				t.Fatal(d)
			}
			got, _ := modelDocument(&m)
			withoutEmptyLists(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("moved state (-want +got):\n%s", diff)
			}
			if m.ID.ValueString() != "default/logd" || !m.WaitForRollout.ValueBool() || m.DeletePropagation.ValueString() == "" {
				t.Errorf("id %s, wait_for_rollout %s, delete_propagation %s", m.ID, m.WaitForRollout, m.DeletePropagation)
			}
			if string(resp.TargetPrivate) == "" || !strings.Contains(string(resp.TargetPrivate), movedFromKey) {
				t.Errorf("private state %q does not mark the move", resp.TargetPrivate)
			}
		})
	}
}

func TestDaemonSetMoveStateRefuses(t *testing.T) {
	logd := readTestdata(t, "kubernetes_daemon_set_v1.logd.v1.json")
	withLocal := strings.Replace(logd, `"volume": []`, `"volume": [{"name": "data", "local": [{"path": "/mnt/data"}]}]`, 1)
	for _, tt := range []struct {
		name, typeName, state string
		version               int64
		want                  string
	}{
		{name: "a volume kind Kubernetes pods lack", typeName: "kubernetes_daemon_set_v1", version: 1, state: withLocal,
			want: "Attributes Without Counterpart: The kubernetes_daemon_set_v1 in the state sets attributes kubedaemon_daemonset does not have: spec.template.spec.volume[0].local."},
		{name: "a future schema version", typeName: "kubernetes_daemon_set_v1", version: 2, state: logd,
			want: "Unsupported Source Schema Version: kubernetes_daemon_set_v1 has schema version 2"},
		{name: "another resource type", typeName: "kubernetes_deployment_v1", version: 1, state: logd,
			want: "Unable to Move Resource State"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := moveState(t, tt.typeName, tt.version, "kubedaemon_daemonset", tt.state)
			if got := diagSummaries(resp.Diagnostics); !strings.Contains(got, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant them to contain %q", got, tt.want)
			}
		})
	}
}

// withoutEmptyLists removes the empty lists of a model's API JSON: the
// blocks a state leaves out are empty lists in it, which the API drops.
func withoutEmptyLists(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case []any:
			if len(v) == 0 {
				delete(m, k)
			}
			for _, e := range v {
				if em, ok := e.(map[string]any); ok {
					withoutEmptyLists(em)
				}
			}
		case map[string]any:
			withoutEmptyLists(v)
		}
	}
}

// kubernetes_labels and kubernetes_node_taint states, as hashicorp/kubernetes
// wrote them (schema version 0), move to one node's labels and taints; the
// labels keep the field manager that owns them on the node.
func TestNodeLabelsAndTaintsMoveState(t *testing.T) {
	ctx := context.Background()
	resp, st := moveState(t, "kubernetes_labels", 0, "kubedaemon_node_labels", readTestdata(t, "kubernetes_labels.v0.json"))
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("labels: %s", diagSummaries(resp.Diagnostics))
	}
	var lm nodeLabelsResourceModel
	if d := st.Get(ctx, &lm); d.HasError() {
		t.Fatal(d)
	}
	if got := fmt.Sprint(lm.NodeName.ValueString(), " ", mapStrings(lm.Labels), " ", lm.FieldManager.ValueString(), " ",
		nodeNames(lm.Nodes), " ", lm.ForceConflicts.ValueBool(), " ", lm.NodeSelector.IsNull(), " ", lm.ID.ValueString() != ""); got !=
		"kwok-node-0 map[example.com/pool:logging] Terraform [kwok-node-0] false true true" {
		t.Errorf("labels state: %s", got)
	}

	resp, st = moveState(t, "kubernetes_node_taint", 0, "kubedaemon_node_taints", readTestdata(t, "kubernetes_node_taint.v0.json"))
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("taints: %s", diagSummaries(resp.Diagnostics))
	}
	var tm nodeTaintsResourceModel
	if d := st.Get(ctx, &tm); d.HasError() {
		t.Fatal(d)
	}
	var taints []nodeTaintModel
	if d := tm.Taint.ElementsAs(ctx, &taints, false); d.HasError() {
		t.Fatal(d)
	}
	if got := fmt.Sprint(tm.NodeName.ValueString(), " ", taints, " ", nodeNames(tm.Nodes)); got !=
		`kwok-node-0 [{"dedicated" "logging" "NoSchedule"}] [kwok-node-0]` {
		t.Errorf("taints state: %s", got)
	}

	pod := strings.Replace(readTestdata(t, "kubernetes_labels.v0.json"), `"kind": "Node"`, `"kind": "Pod"`, 1)
	resp, _ = moveState(t, "kubernetes_labels", 0, "kubedaemon_node_labels", pod)
	if got := diagSummaries(resp.Diagnostics); !strings.Contains(got, "Only Node Labels Move: This kubernetes_labels labels a Pod (v1)") {
		t.Errorf("labels of a pod: %s", got)
	}
}

// An empty namespace_selector or label_selector in a pod affinity term
// selects every namespace or pod, and an absent one does not: the move keeps
// the empty blocks hashicorp/kubernetes recorded (one object of empty
// values) as {}, and moves a namespace_selector that sets labels.
func TestDaemonSetMoveStateKeepsEmptySelectors(t *testing.T) {
	logd := readTestdata(t, "kubernetes_daemon_set_v1.logd.v1.json")
	term := func(nsSelector string) string {
		return `{"label_selector": [{"match_expressions": [], "match_labels": {}}], "namespace_selector": [` + nsSelector +
			`], "namespaces": [], "topology_key": "kubernetes.io/hostname"}`
	}
	affinity := `"affinity": [{"node_affinity": [], "pod_affinity": [], "pod_anti_affinity": [{` +
		`"preferred_during_scheduling_ignored_during_execution": [{"weight": 10, "pod_affinity_term": [` +
		term(`{"match_expressions": [{"key": "team", "operator": "In", "values": ["a"]}], "match_labels": {"env": "prod"}}`) + `]}], ` +
		`"required_during_scheduling_ignored_during_execution": [` + term(`{"match_expressions": [], "match_labels": {}}`) + `]}]}]`
	state := strings.Replace(logd, `"affinity": []`, affinity, 1)
	if state == logd {
		t.Fatal("the testdata has no empty affinity to replace")
	}
	resp, st := moveState(t, "kubernetes_daemon_set_v1", 1, "kubedaemon_daemonset", state)
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("diagnostics: %s", diagSummaries(resp.Diagnostics))
	}
	var m daemonSetResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	ds, _, err := daemonSetFromModel(&m)
	if err != nil {
		t.Fatal(err)
	}
	got := ds.Spec.Template.Spec.Affinity
	want := &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{}, NamespaceSelector: &metav1.LabelSelector{},
			TopologyKey: "kubernetes.io/hostname",
		}},
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 10, PodAffinityTerm: corev1.PodAffinityTerm{
			LabelSelector: &metav1.LabelSelector{},
			NamespaceSelector: &metav1.LabelSelector{
				MatchLabels:      map[string]string{"env": "prod"},
				MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: metav1.LabelSelectorOpIn, Values: []string{"a"}}},
			},
			TopologyKey: "kubernetes.io/hostname",
		}}},
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("moved affinity (-want +got):\n%s", diff)
	}
}
