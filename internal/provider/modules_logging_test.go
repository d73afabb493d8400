package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestAccModuleNodeLoggingFluentd applies the node-logging module's fluentd
// branch: Elasticsearch output, a release name and image tag of its own, on
// two nodes labelled for it.
func TestAccModuleNodeLoggingFluentd(t *testing.T) {
	const (
		ns     = "acc-mod-logging-fluentd"
		name   = "acc-fluentd"
		esHost = "es-acc.logging.svc"
		esPort = 9243
		tag    = "v2.5.2-acc"
		image  = "fluent/fluentd-kubernetes-daemonset:" + tag
		labelK = "logging.kubedaemon.dev/fluentd"
		labelV = "acc"
		node0  = "acc-fluentd-0"
		node1  = "acc-fluentd-1"
	)
	addTestNodes(t, map[string]string{labelK: labelV}, node0, node1)
	cfg := moduleTestConfig(t, "node-logging", fmt.Sprintf(`
  collector  = "fluentd"
  name       = %q
  namespace  = %q
  node_label = { key = %q, value = %q }
  output     = { type = "elasticsearch", host = %q, port = %d }
  image_tag  = %q
`, name, ns, labelK, labelV, esHost, esPort, tag), "daemonset", "desired", "ready", "node_selector")
	moduleTest(t, cfg, []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValue("daemonset", knownvalue.StringExact(ns+"/"+name)),
		statecheck.ExpectKnownOutputValue("desired", knownvalue.Int64Exact(2)),
		statecheck.ExpectKnownOutputValue("ready", knownvalue.Int64Exact(2)),
		statecheck.ExpectKnownOutputValue("node_selector", knownvalue.MapExact(map[string]knownvalue.Check{
			labelK: knownvalue.StringExact(labelV),
		})),
		clusterCheck(checkPodNodes(ns, name, node0, node1)),
		clusterCheck(checkFluentdDaemonSet(ns, name, image, esHost, fmt.Sprint(esPort))),
		clusterCheck(checkFluentdConfig(ns, name)),
	}, resource.ComposeAggregateTestCheckFunc(checkPresetGone(ns, name), checkFluentdGone(ns, name)))
}

// checkFluentdDaemonSet wants the fluentd container to run image and to get
// the Elasticsearch host and port the pipeline reads from its environment.
func checkFluentdDaemonSet(ns, name, image, host, port string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ds, err := testCluster.Client().AppsV1().DaemonSets(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		containers := ds.Spec.Template.Spec.Containers
		if len(containers) != 1 {
			return fmt.Errorf("DaemonSet %s/%s has %d containers, want 1", ns, name, len(containers))
		}
		c := containers[0]
		if c.Image != image {
			return fmt.Errorf("DaemonSet %s/%s runs image %q, want %q", ns, name, c.Image, image)
		}
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		want := map[string]string{"OUTPUT_HOST": host, "OUTPUT_PORT": port, "OUTPUT_SCHEME": "http"}
		for k, v := range want {
			if env[k] != v {
				return fmt.Errorf("DaemonSet %s/%s container env %s = %q, want %q", ns, name, k, env[k], v)
			}
		}
		return nil
	}
}

// checkFluentdConfig wants the pipeline's ConfigMap to ship to
// Elasticsearch at the host and port of the container's environment.
func checkFluentdConfig(ns, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cm, err := testCluster.Client().CoreV1().ConfigMaps(ns).Get(context.Background(), name+"-config", metav1.GetOptions{})
		if err != nil {
			return err
		}
		out := cm.Data["output.conf"]
		for _, line := range []string{
			"@type elasticsearch",
			`host "#{ENV['OUTPUT_HOST']}"`,
			`port "#{ENV['OUTPUT_PORT']}"`,
		} {
			if !strings.Contains(out, line) {
				return fmt.Errorf("ConfigMap %s/%s-config output.conf lacks %q:\n%s", ns, name, line, out)
			}
		}
		return nil
	}
}

// checkFluentdGone wants the objects checkPresetGone does not look at, the
// ConfigMap and the cluster-scoped RBAC, gone too.
func checkFluentdGone(ns, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		var left []string
		if _, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, name+"-config", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			left = append(left, fmt.Sprintf("ConfigMap %s/%s-config (get: %v)", ns, name, err))
		}
		if _, err := cs.RbacV1().ClusterRoles().Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			left = append(left, fmt.Sprintf("ClusterRole %s (get: %v)", name, err))
		}
		if _, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			left = append(left, fmt.Sprintf("ClusterRoleBinding %s (get: %v)", name, err))
		}
		if len(left) > 0 {
			return fmt.Errorf("destroy left %s", strings.Join(left, ", "))
		}
		return nil
	}
}
