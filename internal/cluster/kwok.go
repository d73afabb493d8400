package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

const (
	// KwokNodeAnnotation marks the nodes that kwok manages.
	KwokNodeAnnotation = "kwok.x-k8s.io/node"
	// KwokNodeAnnotationValue is the value of KwokNodeAnnotation on them.
	KwokNodeAnnotationValue = "fake"
)

// nodeLeaseSeconds is the node Lease duration kwok renews, as the kubelet's
// default: a renewal every 10 s.
const nodeLeaseSeconds = 40

func kwokArgs(dir string, large bool) []string {
	args := []string{
		"--kubeconfig=" + filepath.Join(dir, kubeconfigFile),
		"--config=" + filepath.Join(dir, stagesFile),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector=" + KwokNodeAnnotation + "=" + KwokNodeAnnotationValue,
		// The default pod CIDR collides with the service range.
		"--cidr=10.244.0.0/16",
		// INFO logs a line per lease renewal.
		"--v=WARN",
	}
	if large {
		// No node Leases: the large cluster runs without the node-lifecycle
		// controller, the only reader of node Leases, so renewing them is
		// work nothing uses. At 5 000 nodes that work, even with 200 s
		// leases, kept the idle cluster at 0.9 of its two cores
		// (kube-apiserver 0.57, kwok 0.16, etcd 0.15: 62 Lease PUTs a
		// second), which every benchmark on the cluster then competed with;
		// without it the idle cluster takes 0.04. Nodes stay Ready: nothing
		// marks them NotReady (and the large cluster has no heartbeat stage
		// either, see stagesConfig).
		return args
	}
	// GOTCHA: kwok renews node Leases only when this is set; without Leases
	// (the heartbeat stage patches node status only every few minutes) the
	// node-lifecycle controller marks every node NotReady after its 40 s
	// grace period, and their pods with it.
	return append(args, "--node-lease-duration-seconds="+strconv.Itoa(nodeLeaseSeconds))
}

// startKwok starts the fake kubelets. kwok gives up listing nodes after about
// 30 s, so it starts only once the apiserver is ready. Its readiness shows in
// the nodes it turns Ready.
func (c *Cluster) startKwok() error {
	stages, err := stagesConfig(c.state.Large)
	if err != nil {
		return fmt.Errorf("kwok stages: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, stagesFile), stages, 0o644); err != nil {
		return err
	}
	_, err = c.start("kwok", c.bins.Kwok, kwokArgs(c.Dir, c.state.Large))
	return err
}
