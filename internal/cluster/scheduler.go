package cluster

import (
	"context"
	"path/filepath"
	"strconv"
)

func schedulerArgs(dir string, p ports) []string {
	return []string{
		"--kubeconfig=" + filepath.Join(dir, kubeconfigFile),
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.Scheduler),
		"--cert-dir=" + filepath.Join(dir, "scheduler-certs"),
		"--leader-elect=false",
		"--kube-api-qps=500",
		"--kube-api-burst=1000",
	}
}

// startScheduler starts kube-scheduler, which binds DaemonSet pods to nodes.
func (c *Cluster) startScheduler(ctx context.Context) error {
	p, err := c.start("kube-scheduler", c.bins.Scheduler, schedulerArgs(c.Dir, c.state.Ports))
	if err != nil {
		return err
	}
	return c.waitHealthz(ctx, p, c.state.Ports.Scheduler)
}
