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
	// GOTCHA: kwok renews node Leases only when this is set; without Leases
	// (the heartbeat stage patches node status only every few minutes) the
	// node-lifecycle controller marks every node NotReady after its 40 s
	// grace period, and their pods with it.
	lease := 40
	if large {
		// Renewing thousands of leases every 10 s saturates two cores.
		lease = 200
	}
	return append(args, "--node-lease-duration-seconds="+strconv.Itoa(lease))
}

// startKwok starts the fake kubelets. kwok gives up listing nodes after about
// 30 s, so it starts only once the apiserver is ready. Its readiness shows in
// the nodes it turns Ready.
func (c *Cluster) startKwok() error {
	stages, err := stagesConfig()
	if err != nil {
		return fmt.Errorf("kwok stages: %w", err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, stagesFile), stages, 0o644); err != nil {
		return err
	}
	_, err = c.start("kwok", c.bins.Kwok, kwokArgs(c.Dir, c.state.Large))
	return err
}
