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
// the nodes page by page and evaluates each with internal/placement, the
// same rules as the controller's, keeping counts and one example per rule.
func (c *Client) explainNoNodes(ctx context.Context, ds *appsv1.DaemonSet) (string, error) {
	t := newNoNodesTally(ds)
	if err := c.eachNode(ctx, t.add); err != nil {
		return "", err
	}
	return t.message(), nil
}

// noNodesMessage is the desired == 0 warning for ds given every node.
func noNodesMessage(ds *appsv1.DaemonSet, nodes []corev1.Node) string {
	t := newNoNodesTally(ds)
	for i := range nodes {
		t.add(&nodes[i])
	}
	return t.message()
}

// noNodesTally counts, node by node, what keeps a DaemonSet off the nodes.
type noNodesTally struct {
	ds      *appsv1.DaemonSet
	eval    *placement.Evaluator
	total   int
	fits    []string
	kinds   map[string]int
	example map[string]string
}

func newNoNodesTally(ds *appsv1.DaemonSet) *noNodesTally {
	return &noNodesTally{ds: ds, eval: placement.NewEvaluator(&ds.Spec.Template.Spec),
		kinds: map[string]int{}, example: map[string]string{}}
}

func (t *noNodesTally) add(n *corev1.Node) {
	t.total++
	excluded := t.eval.Explain(n)
	if len(excluded) == 0 {
		t.fits = append(t.fits, n.Name)
		return
	}
	counted := map[string]bool{}
	for _, e := range excluded {
		if counted[e.Kind] {
			continue
		}
		counted[e.Kind] = true
		if t.kinds[e.Kind] == 0 {
			t.example[e.Kind] = fmt.Sprintf("%s: %s", e.Node, e.Reason)
		}
		t.kinds[e.Kind]++
	}
}

func (t *noNodesTally) message() string {
	ds := t.ds
	head := fmt.Sprintf("daemonset %s/%s runs on no node", ds.Namespace, ds.Name)
	if t.total == 0 {
		return head + ": the cluster has no nodes"
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
		if n := t.kinds[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s exclude(s) %d (e.g. %s)", names[k], n, t.example[k]))
		}
	}
	msg := fmt.Sprintf("%s: of %d node(s), %s", head, t.total, strings.Join(parts, "; "))
	if len(parts) == 0 {
		msg = fmt.Sprintf("%s: of %d node(s) none is excluded by its placement rules, yet the controller reports 0 desired", head, t.total)
	}
	if len(t.fits) > 0 {
		sort.Strings(t.fits)
		msg += fmt.Sprintf("; %d node(s) match now (%s): the node list changed since the controller counted", len(t.fits), nodeList(t.fits))
	}
	return msg + ". Change the node selector, affinity or tolerations if the daemon should run somewhere."
}
