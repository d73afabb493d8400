package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Node shape: what every KWOK node reports.
const (
	// NodeCPU is every node's CPU capacity and allocatable.
	NodeCPU = "32"
	// NodeMemory is every node's memory capacity and allocatable.
	NodeMemory = "256Gi"
	// NodePods is every node's pod capacity and allocatable.
	NodePods = "110"
	// NodeTypeLabel is set to "kwok" on every node the harness creates.
	NodeTypeLabel = "type"
)

// nodeParallelism bounds concurrent node creates; with the high-QPS client it
// keeps the apiserver busy without queueing thousands of requests.
const nodeParallelism = 32

// NodeName returns the name of the i-th node Start creates: "kwok-node-0", ...
func NodeName(i int) string {
	return fmt.Sprintf("kwok-node-%d", i)
}

// nodeIP gives the n-th node created by a cluster an InternalIP in
// 172.18.0.0/16, away from the pod (10.244.0.0/16) and service (10.0.0.0/24)
// ranges, so pods report distinct host IPs.
func nodeIP(n int64) string {
	n += 2 // skip the network and gateway addresses
	return fmt.Sprintf("172.18.%d.%d", (n/256)%256, n%256)
}

func newNode(name, ip string, labels map[string]string, taints []corev1.Taint) *corev1.Node {
	l := map[string]string{
		corev1.LabelHostname:   name,
		corev1.LabelOSStable:   "linux",
		corev1.LabelArchStable: "amd64",
		NodeTypeLabel:          "kwok",
	}
	for k, v := range labels {
		l[k] = v
	}
	resources := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(NodeCPU),
		corev1.ResourceMemory: resource.MustParse(NodeMemory),
		corev1.ResourcePods:   resource.MustParse(NodePods),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      l,
			Annotations: map[string]string{KwokNodeAnnotation: KwokNodeAnnotationValue},
		},
		Spec: corev1.NodeSpec{Taints: append([]corev1.Taint(nil), taints...)},
		// NOTE: a node's status is kept on create (kubelets register that
		// way), so capacity is in place before kwok initializes the node.
		Status: corev1.NodeStatus{
			Capacity:    resources,
			Allocatable: resources.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip},
				{Type: corev1.NodeHostName, Address: name},
			},
		},
	}
}

// AddNodes creates KWOK nodes with the given extra labels and taints and
// waits until kwok has made them Ready and the node-lifecycle controller has
// removed the not-ready taint.
func (c *Cluster) AddNodes(ctx context.Context, names []string, labels map[string]string, taints []corev1.Taint) error {
	if len(names) == 0 {
		return nil
	}
	start := time.Now()
	client := c.bulkClient
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		errs     []error
		sem      = make(chan struct{}, nodeParallelism)
		progress = len(names) >= 200
	)
	for i, name := range names {
		ip := nodeIP(c.nodesCreated.Add(1) - 1)
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := client.CoreV1().Nodes().Create(ctx, newNode(name, ip, labels, taints), metav1.CreateOptions{})
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("create node %s: %w", name, err))
				mu.Unlock()
			}
		}()
		if progress && (i+1)%500 == 0 {
			fmt.Fprintf(c.log, "created %d/%d nodes\n", i+1, len(names))
		}
		if ctx.Err() != nil {
			break
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintf(c.log, "created %d nodes in %s; waiting until they are Ready\n", len(names), time.Since(start).Round(time.Millisecond))
	if err := c.waitNodesReady(ctx, names, taints); err != nil {
		return err
	}
	fmt.Fprintf(c.log, "%d nodes Ready after %s\n", len(names), time.Since(start).Round(time.Millisecond))
	return nil
}

// waitNodesReady polls the node list until every named node is Ready and
// carries no taints but the wanted ones.
func (c *Cluster) waitNodesReady(ctx context.Context, names []string, wanted []corev1.Taint) error {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	var notReady []string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, nodeReadyTimeout(len(names)), true, func(ctx context.Context) (bool, error) {
		if err := c.componentsAlive(); err != nil {
			return false, err
		}
		list, err := c.bulkClient.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false, nil //nolint:nilerr // the apiserver may be busy or restarting: poll again
		}
		notReady = notReady[:0]
		seen := 0
		for i := range list.Items {
			n := &list.Items[i]
			if !want[n.Name] {
				continue
			}
			seen++
			if !nodeReady(n, wanted) {
				notReady = append(notReady, n.Name)
			}
		}
		return seen == len(names) && len(notReady) == 0, nil
	})
	if err != nil {
		sort.Strings(notReady)
		if len(notReady) > 10 {
			notReady = append(notReady[:10], "...")
		}
		return fmt.Errorf("wait for %d nodes Ready: %w (not ready: %s; see %s/kwok.log)", len(names), err, strings.Join(notReady, ", "), c.Dir)
	}
	return nil
}

func nodeReadyTimeout(n int) time.Duration {
	return 2*time.Minute + time.Duration(n)*50*time.Millisecond
}

// nodeReady is true when the Ready condition is True and every taint is one
// the caller asked for (the not-ready taint admission adds is gone).
func nodeReady(n *corev1.Node, wanted []corev1.Taint) bool {
	ready := false
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
			ready = true
		}
	}
	if !ready {
		return false
	}
	for _, t := range n.Spec.Taints {
		found := false
		for _, w := range wanted {
			if w.Key == t.Key && w.Effect == t.Effect {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// DeleteNodes deletes nodes and waits until they are gone, then force-deletes
// the pods bound to them, as the pod garbage collector of a real cluster
// would (its own pass waits 40 s before it does).
func (c *Cluster) DeleteNodes(ctx context.Context, names ...string) error {
	for _, name := range names {
		err := c.bulkClient.CoreV1().Nodes().Delete(ctx, name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete node %s: %w", name, err)
		}
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, name := range names {
			if _, err := c.bulkClient.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("wait for nodes to be deleted: %w", err)
	}
	zero := int64(0)
	for _, name := range names {
		pods, err := c.bulkClient.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + name})
		if err != nil {
			return fmt.Errorf("list pods of node %s: %w", name, err)
		}
		for _, p := range pods.Items {
			err := c.bulkClient.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
			if err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete pod %s/%s of node %s: %w", p.Namespace, p.Name, name, err)
			}
		}
	}
	return nil
}
