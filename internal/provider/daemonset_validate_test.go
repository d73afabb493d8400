package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// modelFromDoc builds the model of a DaemonSet's API JSON, as the
// configuration would give it.
func modelFromDoc(t *testing.T, doc map[string]any) *daemonSetResourceModel {
	t.Helper()
	s := daemonSetSchemaV0(context.Background())
	meta, err := jsonToModel(doc["metadata"], s.Blocks["metadata"].Type(), "metadata")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := jsonToModel(doc["spec"], s.Blocks["spec"].Type(), "spec")
	if err != nil {
		t.Fatal(err)
	}
	return &daemonSetResourceModel{Metadata: meta.(basetypes.ObjectValue), Spec: spec.(basetypes.ObjectValue)}
}

func TestValidateDaemonSet(t *testing.T) {
	container := podSpecPath.AtName("container")
	tests := []struct {
		name     string
		mutate   func(ds *appsv1.DaemonSet)
		mutateJS func(doc map[string]any)
		path     path.Path
		summary  string // empty: valid
	}{
		{name: "valid seed"},
		{
			name:    "selector does not match template labels",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Labels = map[string]string{"app": "other"} },
			path:    selectorPath,
			summary: "Selector Does Not Match Template Labels",
		},
		{
			name:    "empty selector",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Selector.MatchLabels = nil },
			path:    selectorPath,
			summary: "Empty Selector",
		},
		{
			name:    "name not DNS-1123",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Name = "Node_Exporter" },
			path:    path.Root("metadata").AtName("name"),
			summary: "Invalid DaemonSet Name",
		},
		{
			name:    "duplicate container name",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[1].Name = "registrar" },
			path:    container.AtListIndex(1).AtName("name"),
			summary: "Duplicate Container Name",
		},
		{
			name: "container name shared with an init container",
			mutate: func(ds *appsv1.DaemonSet) {
				ds.Spec.Template.Spec.InitContainers = []corev1.Container{{Name: "manager", Image: "busybox"}}
			},
			path:    container.AtListIndex(1).AtName("name"),
			summary: "Duplicate Container Name",
		},
		{
			name: "duplicate port name",
			mutate: func(ds *appsv1.DaemonSet) {
				c := &ds.Spec.Template.Spec.Containers[1]
				c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 9101, Name: "metrics", Protocol: corev1.ProtocolTCP})
			},
			path:    container.AtListIndex(1).AtName("port").AtListIndex(1).AtName("name"),
			summary: "Duplicate Port Name",
		},
		{
			name: "duplicate volume name",
			mutate: func(ds *appsv1.DaemonSet) {
				ds.Spec.Template.Spec.Volumes = append(ds.Spec.Template.Spec.Volumes,
					corev1.Volume{Name: "procmount", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
			},
			path:    podSpecPath.AtName("volume").AtListIndex(3).AtName("name"),
			summary: "Duplicate Volume Name",
		},
		{
			name:    "volume mount names no volume",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].VolumeMounts[0].Name = "sockets" },
			path:    container.AtListIndex(0).AtName("volume_mount").AtListIndex(0).AtName("name"),
			summary: "Volume Mount Names No Volume",
		},
		{
			name:    "host port above 65535",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[1].Ports[0].HostPort = 70000 },
			path:    container.AtListIndex(1).AtName("port").AtListIndex(0).AtName("host_port"),
			summary: "Invalid Host Port",
		},
		{
			name:    "host port below 1",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[1].Ports[0].HostPort = -1 },
			path:    container.AtListIndex(1).AtName("port").AtListIndex(0).AtName("host_port"),
			summary: "Invalid Host Port",
		},
		{
			name: "host port repeated with the same protocol",
			mutate: func(ds *appsv1.DaemonSet) {
				ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 9100, Protocol: corev1.ProtocolTCP}}
			},
			path:    container.AtListIndex(1).AtName("port").AtListIndex(0).AtName("host_port"),
			summary: "Duplicate Host Port",
		},
		{
			name: "quantity that does not parse",
			mutateJS: func(doc map[string]any) {
				dig(objectList(dig(doc, "spec", "template", "spec")["containers"])[1], "resources", "requests")["cpu"] = "a lot"
			},
			path:    container.AtListIndex(1).AtName("resources").AtName("requests").AtMapKey("cpu"),
			summary: "Invalid Quantity",
		},
		{
			name: "size limit that does not parse",
			mutateJS: func(doc map[string]any) {
				dig(objectList(dig(doc, "spec", "template", "spec")["volumes"])[2], "emptyDir")["sizeLimit"] = "1 gig"
			},
			path:    podSpecPath.AtName("volume").AtListIndex(2).AtName("empty_dir").AtName("size_limit"),
			summary: "Invalid Quantity",
		},
		{
			name: "percent that does not parse",
			mutate: func(ds *appsv1.DaemonSet) {
				ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("ten%"))
			},
			path:    rollingPath.AtName("max_unavailable"),
			summary: "Invalid Number Or Percent",
		},
		{
			name: "max_surge with OnDelete",
			mutate: func(ds *appsv1.DaemonSet) {
				ds.Spec.UpdateStrategy.Type = appsv1.OnDeleteDaemonSetStrategyType
			},
			path:    rollingPath.AtName("max_surge"),
			summary: "Rolling Update Settings With OnDelete",
		},
		{
			name: "max_surge and max_unavailable both 0",
			mutate: func(ds *appsv1.DaemonSet) {
				ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromInt32(0))
				ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("0%"))
			},
			path:    rollingPath.AtName("max_unavailable"),
			summary: "Rolling Update Cannot Progress",
		},
		{
			name:    "restart policy other than Always",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure },
			path:    podSpecPath.AtName("restart_policy"),
			summary: "Invalid Restart Policy",
		},
		{
			name:    "toleration with Exists and a value",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Tolerations[0].Value = "true" },
			path:    podSpecPath.AtName("toleration").AtListIndex(0).AtName("value"),
			summary: "Value With Exists Operator",
		},
		{
			name:    "bidirectional propagation without privileged",
			mutate:  func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[1].SecurityContext.Privileged = nil },
			path:    container.AtListIndex(1).AtName("volume_mount").AtListIndex(1).AtName("mount_propagation"),
			summary: "Bidirectional Propagation Needs Privileged",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := csiNodeDaemonSet()
			if tt.mutate != nil {
				tt.mutate(ds)
			}
			doc, err := toJSONMap(ds)
			if err != nil {
				t.Fatal(err)
			}
			if tt.mutateJS != nil {
				tt.mutateJS(doc)
			}
			diags := validateDaemonSet(modelFromDoc(t, doc))
			if tt.summary == "" {
				if diags.HasError() {
					t.Fatalf("want no error, got %v", diags)
				}
				return
			}
			if diags.ErrorsCount() != 1 {
				t.Fatalf("want 1 error, got %d: %v", diags.ErrorsCount(), diags)
			}
			d := diags.Errors()[0]
			pd, ok := d.(interface{ Path() path.Path })
			if !ok {
				t.Fatalf("error %q has no attribute path", d.Summary())
			}
			if !pd.Path().Equal(tt.path) {
				t.Errorf("path = %s, want %s", pd.Path(), tt.path)
			}
			if d.Summary() != tt.summary {
				t.Errorf("summary = %q, want %q", d.Summary(), tt.summary)
			}
			if !strings.Contains(d.Detail(), ".") || len(d.Detail()) < 40 {
				t.Errorf("detail %q does not explain the fix", d.Detail())
			}
		})
	}
}

// TestValidateDaemonSetReportsEveryProblem: one plan shows all mistakes.
func TestValidateDaemonSetReportsEveryProblem(t *testing.T) {
	ds := csiNodeDaemonSet()
	ds.Name = "Bad_Name"
	ds.Spec.Template.Spec.Containers[1].Name = "registrar"
	ds.Spec.Template.Spec.Tolerations[0].Value = "x"
	doc, err := toJSONMap(ds)
	if err != nil {
		t.Fatal(err)
	}
	if got := validateDaemonSet(modelFromDoc(t, doc)).ErrorsCount(); got != 3 {
		t.Errorf("errors = %d, want 3", got)
	}
}

// TestValidatorKnown: an unknown value hides the checks of its own path, its
// ancestors and its descendants, and no other: container[10] is not
// container[1].
func TestValidatorKnown(t *testing.T) {
	containers := podSpecPath.AtName("container")
	v := &daemonSetValidator{unknown: []path.Path{containers.AtListIndex(10).AtName("image")}}
	tests := []struct {
		p    path.Path
		want bool
	}{
		{containers.AtListIndex(1), true},
		{containers.AtListIndex(1).AtName("image"), true},
		{containers.AtListIndex(10), false},
		{containers.AtListIndex(10).AtName("image"), false},
		{containers, false},
		{containers.AtListIndex(10).AtName("image_pull_policy"), true},
	}
	for _, tt := range tests {
		if got := v.known(tt.p); got != tt.want {
			t.Errorf("known(%s) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
