package cluster

import (
	"context"
	"path/filepath"
	"strconv"
)

func controllerManagerArgs(dir string, p ports, large bool) []string {
	// The default controller set: besides the DaemonSet controller the
	// harness relies on serviceaccount (the `default` ServiceAccount),
	// garbagecollector (cascade delete) and node-lifecycle (removes the
	// not-ready taint from new nodes).
	controllers := "*"
	if large {
		// At thousands of nodes the two cores saturate, kwok's lease renewals
		// fall behind and node-lifecycle would mark nodes and pods NotReady.
		controllers = "*,-node-lifecycle-controller"
	}
	return []string{
		"--kubeconfig=" + filepath.Join(dir, kubeconfigFile),
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.ControllerManager),
		"--cert-dir=" + filepath.Join(dir, "kcm-certs"),
		"--leader-elect=false",
		"--controllers=" + controllers,
		"--service-account-private-key-file=" + filepath.Join(dir, saPrivateFile),
		"--root-ca-file=" + filepath.Join(dir, caCertFile),
		"--use-service-account-credentials=false",
		// The default 20 QPS makes 1000 nodes take 51 s instead of 10.
		"--kube-api-qps=500",
		"--kube-api-burst=1000",
		// NOTE: no --authentication-kubeconfig/--authorization-kubeconfig:
		// delegated authn fails on the missing requestheader CA, and /healthz
		// is always allowed anyway.
	}
}

func (c *Cluster) startControllerManager(ctx context.Context) error {
	p, err := c.start("kube-controller-manager", c.bins.ControllerManager, controllerManagerArgs(c.Dir, c.state.Ports, c.state.Large))
	if err != nil {
		return err
	}
	return c.waitHealthz(ctx, p, c.state.Ports.ControllerManager)
}
