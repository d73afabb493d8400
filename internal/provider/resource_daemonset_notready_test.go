package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	corev1 "k8s.io/api/core/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// addNotReadyNode creates a node that no kubelet (and no kwok) runs, with a
// Ready condition False, so a daemon pod there never starts; it is deleted
// after t.
func addNotReadyNode(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("acc-notready-%d", time.Now().UnixNano()%1_000_000)
	pods := corev1.ResourceList{corev1.ResourcePods: apiresource.MustParse("110")}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}},
		// NOTE: the API server keeps a node's status on create.
		Status: corev1.NodeStatus{Capacity: pods, Allocatable: pods, Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletStopped", Message: "no kubelet in this test",
			LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now(),
		}}},
	}
	cs := testCluster.Client()
	if _, err := cs.CoreV1().Nodes().Create(context.Background(), node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// TestAccDaemonSet_skipNotReadyNodes: a DaemonSet that tolerates every taint
// wants a pod on a NotReady node too, where it never starts. Without
// skip_not_ready_nodes the apply waits for that node and its error names
// the node and the attribute; with it, the apply converges on the Ready
// nodes and warns about the NotReady one.
func TestAccDaemonSet_skipNotReadyNodes(t *testing.T) {
	ns := testNamespace(t, "notready")
	node := addNotReadyNode(t)
	config := func(skip bool) string {
		return strings.NewReplacer(
			"host_port      = 6666", "",
			`resource "kubedaemon_daemonset" "logd" {`, fmt.Sprintf(`resource "kubedaemon_daemonset" "logd" {
  skip_not_ready_nodes = %t
  timeouts {
    create = "15s"
  }`, skip),
			"        container {", "        toleration {\n          operator = \"Exists\"\n        }\n        container {",
		).Replace(logdConfig(ns, "alpine:3.20"))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(false),
				ExpectError: regexp.MustCompile(`(?s)DaemonSet Did Not Roll Out.*NotReady nodes holding up the rollout: ` + node +
					`.*set\s+skip_not_ready_nodes\s+=\s+true`),
			},
			{
				// The failed create left a tainted DaemonSet: this step replaces it.
				Config: config(true),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("kubedaemon_daemonset.logd", "skip_not_ready_nodes", "true"),
					resource.TestCheckResourceAttr("kubedaemon_daemonset.logd", "status.ready", "3"),
				),
			},
		},
	})
}
