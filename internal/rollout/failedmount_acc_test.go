package rollout

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestAccWaitFailedMountFailsFast: a hostPath volume of type Directory whose
// path does not exist on the nodes (a wrong kubeletDir) keeps every pod in
// ContainerCreating; only the kubelet's FailedMount event on each pod says
// why. The wait fails fast once the grace period has passed, naming the
// event's message on every node, instead of waiting for the deadline.
//
// KWOK produces the event: the local cluster's mount-failure stage
// (internal/cluster/stages/pod-mount-failure.yaml) writes it, worded and
// sourced as the kubelet's, for a hostPath path that contains "nonexistent";
// this test creates no event itself.
func TestAccWaitFailedMountFailsFast(t *testing.T) {
	c, ns := newTestClient(t), testNamespace(t)
	ds := testDaemonSetSpec(ns, "csi", "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.15.0")
	dir := corev1.HostPathDirectory
	spec := &ds.Spec.Template.Spec
	spec.Volumes = []corev1.Volume{{Name: "registration-dir", VolumeSource: corev1.VolumeSource{
		HostPath: &corev1.HostPathVolumeSource{Path: "/nonexistent/kubelet/plugins_registry", Type: &dir}}}}
	spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "registration-dir", MountPath: "/registration"}}
	start := time.Now()
	_, err := applyAndWait(t, c, ds, WaitOptions{FailFast: true, StuckGrace: 2 * time.Second}, 2*time.Minute)
	took := time.Since(start)
	nce := notConverged(t, err, CauseStuck)
	stuckOnEveryNode(t, nce, "FailedMount", "")
	const want = `MountVolume.SetUp failed for volume "registration-dir" : hostPath type check failed: /nonexistent/kubelet/plugins_registry is not a directory`
	for _, s := range nce.Stuck {
		if s.Message != want || s.Phase != string(corev1.PodPending) {
			t.Errorf("stuck pod %+v, want phase Pending and message %q", s, want)
		}
	}
	if !strings.Contains(err.Error(), ": FailedMount: "+want) || nce.Failing != len(allNodes) || nce.PastGrace != len(allNodes) {
		t.Errorf("Failing = %d, PastGrace = %d, want %d each; error:\n%v", nce.Failing, nce.PastGrace, len(allNodes), err)
	}
	if took > 30*time.Second {
		t.Errorf("fail-fast took %s, want it soon after the grace period of 2s", took)
	}
}
