package cluster

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

func etcdArgs(dir string, p ports) []string {
	client := "http://127.0.0.1:" + strconv.Itoa(p.EtcdClient)
	peer := "http://127.0.0.1:" + strconv.Itoa(p.EtcdPeer)
	return []string{
		"--name=kubedaemon",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=kubedaemon=" + peer,
		"--quota-backend-bytes=8589934592",
		"--auto-compaction-retention=1",
		// A throwaway test store: durability is not worth the fsync latency,
		// which dominates node creation at 1000 nodes and more.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}
}

func (c *Cluster) startEtcd(ctx context.Context) error {
	p, err := c.start("etcd", c.bins.Etcd, etcdArgs(c.Dir, c.state.Ports))
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/health", c.state.Ports.EtcdClient)
	return c.waitFor(ctx, "etcd healthy", p, func(ctx context.Context) error {
		body, err := httpGet(ctx, url)
		if err != nil {
			return err
		}
		if !containsHealthy(body) {
			return fmt.Errorf("etcd /health: %s", body)
		}
		return nil
	})
}
