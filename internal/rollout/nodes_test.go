package rollout

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestNoNodesMessage(t *testing.T) {
	node := func(name string, labels map[string]string, taints ...corev1.Taint) corev1.Node {
		return corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Taints: taints}}
	}
	ds := func(selector map[string]string) *appsv1.DaemonSet {
		d := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "logd"}}
		d.Spec.Template.Spec.NodeSelector = selector
		return d
	}
	gpu := corev1.Taint{Key: "gpu", Value: "true", Effect: corev1.TaintEffectNoSchedule}
	tests := []struct {
		name  string
		ds    *appsv1.DaemonSet
		nodes []corev1.Node
		want  string
	}{
		{
			name: "no nodes at all",
			ds:   ds(nil),
			want: "daemonset default/logd runs on no node: the cluster has no nodes",
		},
		{
			name:  "selector and taint",
			ds:    ds(map[string]string{"env": "prod"}),
			nodes: []corev1.Node{node("a", map[string]string{"env": "dev"}), node("b", map[string]string{"env": "prod"}, gpu)},
			want: "daemonset default/logd runs on no node: of 2 node(s), the node selector env=prod exclude(s) 1 " +
				"(e.g. a: label env=prod not matched (node has env=dev)); untolerated taints exclude(s) 1 " +
				"(e.g. b: untolerated taint gpu=true:NoSchedule). Change the node selector, affinity or tolerations if the daemon should run somewhere.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := noNodesMessage(tt.ds, tt.nodes); got != tt.want {
				t.Errorf("noNodesMessage() =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
