package provider

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// csiNodeDaemonSet is the hwameistor CSI node driver of the seeds, with a
// few more fields so that every kind of conversion is exercised.
func csiNodeDaemonSet() *appsv1.DaemonSet {
	bidi := corev1.MountPropagationBidirectional
	dir := corev1.HostPathDirectory
	fieldEnv := func(name, fieldPath string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: fieldPath}}}
	}
	return &appsv1.DaemonSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: "hwameistor-local-disk-manager", Namespace: "hwameistor", Labels: map[string]string{"app.kubernetes.io/managed-by": "kubedaemon"}},
		Spec: appsv1.DaemonSetSpec{
			Selector:             &metav1.LabelSelector{MatchLabels: map[string]string{"app": "ldm"}},
			RevisionHistoryLimit: ptr.To[int32](5),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
				Type:          appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr.To(intstr.FromInt32(1)), MaxSurge: ptr.To(intstr.FromString("10%"))},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "ldm"}},
				Spec: corev1.PodSpec{
					HostNetwork: true, HostPID: true,
					ServiceAccountName: "hwameistor-admin",
					PriorityClassName:  "system-node-critical",
					NodeSelector:       map[string]string{"env": "prod"},
					Containers: []corev1.Container{{
						Name:  "registrar",
						Image: "csi-node-driver-registrar:v2.5.0",
						Args:  []string{"--v=5", "--csi-address=/csi/csi.sock"},
						Env:   []corev1.EnvVar{fieldEnv("KUBE_NODE_NAME", "spec.nodeName")},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "socket-dir", MountPath: "/csi"},
						},
						Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"/bin/sh", "-c", "rm -rf /registration/x"}}}},
					}, {
						Name:    "manager",
						Image:   "local-disk-manager:v0.6.1",
						Command: []string{"/local-disk-manager"},
						Env: []corev1.EnvVar{
							{Name: "CSI_ENDPOINT", Value: "unix://csi.sock"},
							fieldEnv("HOST_IP", "status.hostIP"),
						},
						Ports: []corev1.ContainerPort{{ContainerPort: 9100, HostPort: 9100, Protocol: corev1.ProtocolTCP, Name: "metrics"}},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("50Mi")},
						},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "procmount", MountPath: "/host/proc", ReadOnly: true},
							{Name: "plugin-dir", MountPath: "/var/lib/kubelet/plugins", MountPropagation: &bidi},
						},
						SecurityContext: &corev1.SecurityContext{Privileged: ptr.To(true), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"SYS_ADMIN"}}},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(9100)}},
							PeriodSeconds: 5,
						},
						// A named port stays a name; a grpc port is a plain number.
						LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("metrics")}}},
						StartupProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9000}}},
					}},
					Volumes: []corev1.Volume{
						{Name: "procmount", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/proc", Type: &dir}}},
						{Name: "plugin-dir", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/kubelet/plugins"}}},
						{Name: "socket-dir", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr.To(resource.MustParse("1Gi"))}}},
					},
					Tolerations: []corev1.Toleration{
						{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
						{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
					},
					Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
						RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
							MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"kwok-node-0"}}},
						}}},
					}},
				},
			},
		},
	}
}

func TestDaemonSetConvertRoundTrip(t *testing.T) {
	ctx := context.Background()
	want := csiNodeDaemonSet()
	mask, err := toJSONMap(want)
	if err != nil {
		t.Fatal(err)
	}
	var m daemonSetResourceModel
	if diags := daemonSetToModel(ctx, want, mask, &m); diags.HasError() {
		t.Fatalf("to model: %v", diags)
	}
	if got := m.ID.ValueString(); got != "hwameistor/hwameistor-local-disk-manager" {
		t.Errorf("id = %q", got)
	}
	got, unknown, err := daemonSetFromModel(&m)
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown paths in a known model: %v", unknown)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestDaemonSetToModelKeepsManagedFields: Kubernetes defaults and other
// managers' labels do not reach the state; a managed field changed behind
// Terraform's back does, with its live value.
func TestDaemonSetToModelKeepsManagedFields(t *testing.T) {
	ctx := context.Background()
	applied := csiNodeDaemonSet()
	mask, err := toJSONMap(applied)
	if err != nil {
		t.Fatal(err)
	}
	live := applied.DeepCopy()
	live.Labels["added-by"] = "someone-else"
	live.Annotations = map[string]string{"deprecated.daemonset.template.generation": "1"}
	spec := &live.Spec.Template.Spec
	spec.DNSPolicy = corev1.DNSClusterFirst
	spec.SchedulerName = corev1.DefaultSchedulerName
	spec.Containers[0].ImagePullPolicy = corev1.PullIfNotPresent
	spec.Containers[0].TerminationMessagePath = "/dev/termination-log"
	spec.Containers[1].Image = "local-disk-manager:v0.7.0"
	spec.Containers[1].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("52428800")
	spec.Containers = append(spec.Containers, corev1.Container{Name: "injected", Image: "sidecar"})

	var m daemonSetResourceModel
	if diags := daemonSetToModel(ctx, live, mask, &m); diags.HasError() {
		t.Fatalf("to model: %v", diags)
	}
	got, _, err := daemonSetFromModel(&m)
	if err != nil {
		t.Fatal(err)
	}
	want := applied.DeepCopy()
	want.Spec.Template.Spec.Containers[1].Image = "local-disk-manager:v0.7.0"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestJSONName(t *testing.T) {
	for tf, want := range map[string]string{
		"termination_grace_period_seconds": "terminationGracePeriodSeconds",
		"host_pid":                         "hostPID",
		"container":                        "containers",
		"port":                             "ports",
		"required_during_scheduling_ignored_during_execution": "requiredDuringSchedulingIgnoredDuringExecution",
		"image": "image",
	} {
		if got := jsonName(tf, true); got != want {
			t.Errorf("jsonName(%q) = %q, want %q", tf, got, want)
		}
	}
}
