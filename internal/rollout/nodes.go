package rollout

import (
	"context"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/placement"
)

// explainNoNodes says why the controller wants the DaemonSet on no node: how
// many nodes there are and how many its node selector, required affinity
// and untolerated taints exclude (a node may count under several). It lists
// the nodes page by page and evaluates them with internal/placement, the same
// rules as the controller's.
func (c *Client) explainNoNodes(ctx context.Context, ds *appsv1.DaemonSet) (string, error) {
	var nodes []corev1.Node
	if err := c.eachNode(ctx, func(n *corev1.Node) { nodes = append(nodes, *n) }); err != nil {
		return "", err
	}
	return noNodesMessage(ds, nodes), nil
}

// noNodesMessage is the desired == 0 warning for ds given every node.
func noNodesMessage(ds *appsv1.DaemonSet, nodes []corev1.Node) string {
	head := fmt.Sprintf("daemonset %s/%s runs on no node", ds.Namespace, ds.Name)
	if len(nodes) == 0 {
		return head + ": the cluster has no nodes"
	}
	fits, excluded := placement.Evaluate(nodes, &ds.Spec.Template.Spec)
	kinds := map[string]map[string]bool{}
	example := map[string]string{}
	for _, e := range excluded {
		if kinds[e.Kind] == nil {
			kinds[e.Kind] = map[string]bool{}
			example[e.Kind] = fmt.Sprintf("%s: %s", e.Node, e.Reason)
		}
		kinds[e.Kind][e.Node] = true
	}
	names := map[string]string{
		placement.KindNodeName:      "spec.nodeName",
		placement.KindNodeSelector:  fmt.Sprintf("the node selector %s", selectorString(ds.Spec.Template.Spec.NodeSelector)),
		placement.KindAffinity:      "the required node affinity",
		placement.KindTaint:         "untolerated taints",
		placement.KindNotReady:      "not-ready taints",
		placement.KindUnschedulable: "cordons",
	}
	order := []string{placement.KindNodeName, placement.KindNodeSelector, placement.KindAffinity, placement.KindTaint, placement.KindNotReady, placement.KindUnschedulable}
	var parts []string
	for _, k := range order {
		if n := len(kinds[k]); n > 0 {
			parts = append(parts, fmt.Sprintf("%s exclude(s) %d (e.g. %s)", names[k], n, example[k]))
		}
	}
	msg := fmt.Sprintf("%s: of %d node(s), %s", head, len(nodes), strings.Join(parts, "; "))
	if len(parts) == 0 {
		msg = fmt.Sprintf("%s: of %d node(s) none is excluded by its placement rules, yet the controller reports 0 desired", head, len(nodes))
	}
	if len(fits) > 0 {
		sort.Strings(fits)
		msg += fmt.Sprintf("; %d node(s) match now (%s): the node list changed since the controller counted", len(fits), strings.Join(fits, ", "))
	}
	return msg + ". Change the node selector, affinity or tolerations if the daemon should run somewhere."
}
