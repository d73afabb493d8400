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
	if large {
		// Renewing thousands of leases every 10 s saturates two cores.
		args = append(args, "--node-lease-duration-seconds="+strconv.Itoa(200))
	}
	return args
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
