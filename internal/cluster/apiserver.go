package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

func apiserverArgs(dir string, p ports, large bool) []string {
	args := []string{
		"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(p.EtcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(p.APIServer),
		"--tls-cert-file=" + filepath.Join(dir, servingCertFile),
		"--tls-private-key-file=" + filepath.Join(dir, servingKeyFile),
		"--client-ca-file=" + filepath.Join(dir, caCertFile),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(dir, saPublicFile),
		"--service-account-signing-key-file=" + filepath.Join(dir, saPrivateFile),
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true",
		// A loopback advertise address makes the reconciled `kubernetes`
		// Endpoints invalid every few seconds; nothing here needs them.
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + filepath.Join(dir, "apiserver-certs"),
	}
	if large {
		// Without node-lifecycle nobody removes the not-ready taint this
		// admission plugin puts on new nodes, and DaemonSets would want 0 pods.
		args = append(args, "--disable-admission-plugins=TaintNodesByCondition")
	}
	return args
}

func (c *Cluster) startAPIServer(ctx context.Context) error {
	p, err := c.start("kube-apiserver", c.bins.APIServer, apiserverArgs(c.Dir, c.state.Ports, c.state.Large))
	if err != nil {
		return err
	}
	return c.waitAPIServerReady(ctx, p)
}

func (c *Cluster) waitAPIServerReady(ctx context.Context, p *process) error {
	rc := c.client.Discovery().RESTClient()
	return c.waitFor(ctx, "kube-apiserver /readyz", p, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		body, err := rc.Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("%w: %s", err, body)
		}
		return nil
	})
}

// RestartAPIServer stops the apiserver and starts it again with the same
// flags, port and etcd, then waits until it is ready. Clients keep working
// after it returns; watches they held are closed while it is down.
func (c *Cluster) RestartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.process("kube-apiserver")
	if old == nil {
		return fmt.Errorf("restart kube-apiserver: not running")
	}
	// Concurrent waits (AddNodes) must not take the planned exit for a crash.
	c.restarting.Store(true)
	defer c.restarting.Store(false)
	// NOTE: a graceful apiserver shutdown waits for long-running requests for
	// half a minute; a restart in tests need not be that polite.
	if err := old.stop(3 * time.Second); err != nil {
		return fmt.Errorf("restart kube-apiserver: %w", err)
	}
	fmt.Fprintf(c.log, "kube-apiserver stopped; starting it again on port %d\n", c.state.Ports.APIServer)
	p, err := c.start("kube-apiserver", old.Path, old.Args)
	if err != nil {
		return fmt.Errorf("restart kube-apiserver: %w", err)
	}
	if err := c.waitAPIServerReady(ctx, p); err != nil {
		return fmt.Errorf("restart kube-apiserver: %w", err)
	}
	return c.saveState()
}
