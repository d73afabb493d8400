package cluster

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Files in the state dir.
const (
	kubeconfigFile = "kubeconfig"
	stagesFile     = "kwok-stages.yaml"
	stateFile      = "state.json"
)

// ContextName is the context (and cluster) name in the written kubeconfig.
const ContextName = "kubedaemon"

// LargeClusterNodes is the node count from which Start applies the large
// cluster settings (see Options.LargeCluster) on its own. At 1 000 nodes on
// two cores, kwok's lease renewals already fall behind with the defaults:
// nodes flap NotReady and a rollout never settles.
const LargeClusterNodes = 1000

// Options configure Start.
type Options struct {
	Nodes      int               // default 3
	NodeLabels map[string]string // extra labels on every node
	NodeTaints []corev1.Taint    // extra taints on every node
	Name       string            // CLI only: named state dir; tests leave empty (temp dir)
	StateDir   string            // optional explicit state dir
	Detach     bool              // CLI `up`: processes outlive this process
	Log        io.Writer         // progress lines; nil = io.Discard

	// LargeCluster trades fidelity for throughput at thousands of nodes: no
	// node-lifecycle controller, no TaintNodesByCondition admission, and no
	// node Leases or status heartbeats (nothing reads them without
	// node-lifecycle). It is on by itself from LargeClusterNodes nodes.
	LargeCluster bool
}

// Cluster is a running local control plane with KWOK nodes.
type Cluster struct {
	Kubeconfig string       // path to the admin kubeconfig
	RESTConfig *rest.Config // admin config
	Dir        string       // state dir (logs, certs)

	log        io.Writer
	removeDir  bool // Stop deletes Dir (temp or named dirs)
	detach     bool
	bins       binaries
	client     kubernetes.Interface
	bulkClient kubernetes.Interface // high QPS, for creating thousands of nodes

	nodesCreated atomic.Int64 // numbers node IPs

	mu         sync.Mutex // serializes RestartAPIServer and Stop
	procMu     sync.Mutex // guards state.Processes
	restarting atomic.Bool
	state      state
}

// state is what `down` and `status` need to find a detached cluster again.
type state struct {
	Ports     ports      `json:"ports"`
	Large     bool       `json:"large"`
	Nodes     int        `json:"nodes"`
	Processes []*process `json:"processes"`
}

type ports struct {
	EtcdClient        int `json:"etcdClient"`
	EtcdPeer          int `json:"etcdPeer"`
	APIServer         int `json:"apiserver"`
	ControllerManager int `json:"controllerManager"`
	Scheduler         int `json:"scheduler"`
}

// Start builds the binaries if they are missing, starts etcd, the apiserver,
// the controller manager, the scheduler and kwok on 127.0.0.1, and creates
// opts.Nodes Ready nodes. On error everything started is stopped again.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	begin := time.Now()
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Nodes >= LargeClusterNodes {
		opts.LargeCluster = true
	}
	if err := EnsureBinaries(ctx, opts.Log); err != nil {
		return nil, err
	}
	bins, err := binaryPaths()
	if err != nil {
		return nil, err
	}
	c := &Cluster{log: opts.Log, detach: opts.Detach, bins: bins}
	c.state.Large, c.state.Nodes = opts.LargeCluster, opts.Nodes
	if err := c.makeDir(opts); err != nil {
		return nil, err
	}
	if err := c.boot(ctx, opts); err != nil {
		if stopErr := c.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		return nil, err
	}
	fmt.Fprintf(c.log, "cluster ready in %s (%d nodes); kubeconfig: %s\n", time.Since(begin).Round(time.Millisecond), opts.Nodes, c.Kubeconfig)
	return c, nil
}

func (c *Cluster) makeDir(opts Options) error {
	switch {
	case opts.StateDir != "":
		c.Dir = opts.StateDir
	case opts.Name != "":
		dir, err := namedDir(opts.Name)
		if err != nil {
			return err
		}
		if old, err := Open(opts.Name); err == nil {
			if old.running() {
				return fmt.Errorf("cluster %q is already running (kubeconfig %s); run `down` first", opts.Name, old.Kubeconfig)
			}
			// Leftovers of a cluster that died: start afresh.
			_ = old.Stop()
		}
		c.Dir, c.removeDir = dir, true
	default:
		removeStaleTempDirs(c.log)
		dir, err := os.MkdirTemp("", tempDirPrefix)
		if err != nil {
			return err
		}
		c.Dir, c.removeDir = dir, true
	}
	c.Dir, _ = filepath.Abs(c.Dir)
	c.Kubeconfig = filepath.Join(c.Dir, kubeconfigFile)
	return os.MkdirAll(c.Dir, 0o755)
}

const tempDirPrefix = "kubedaemon-cluster-"

// removeStaleTempDirs deletes the state dirs of test clusters whose processes
// are all dead: a test binary killed by SIGKILL takes its components with it
// (Pdeathsig) but cannot remove its dir. A dir without a state file is left
// alone for an hour, since its cluster may still be starting.
func removeStaleTempDirs(log io.Writer) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempDirPrefix+"*"))
	for _, dir := range dirs {
		info, err := os.Stat(dir)
		if err != nil || time.Since(info.ModTime()) < time.Minute {
			continue
		}
		var st state
		data, err := os.ReadFile(filepath.Join(dir, stateFile))
		if err != nil {
			if time.Since(info.ModTime()) < time.Hour {
				continue
			}
		} else if json.Unmarshal(data, &st) != nil {
			continue
		}
		alive := false
		for _, p := range st.Processes {
			alive = alive || p.alive()
		}
		if !alive && os.RemoveAll(dir) == nil {
			fmt.Fprintf(log, "removed %s, left behind by a test cluster that was killed\n", dir)
		}
	}
}

func namedDir(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("invalid cluster name %q", name)
	}
	root, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "clusters", name), nil
}

func (c *Cluster) boot(ctx context.Context, opts Options) error {
	p, err := freePorts(5)
	if err != nil {
		return err
	}
	c.state.Ports = ports{EtcdClient: p[0], EtcdPeer: p[1], APIServer: p[2], ControllerManager: p[3], Scheduler: p[4]}
	fmt.Fprintf(c.log, "starting local cluster in %s (apiserver https://127.0.0.1:%d)\n", c.Dir, c.state.Ports.APIServer)
	keys, err := writePKI(c.Dir)
	if err != nil {
		return fmt.Errorf("write certificates: %w", err)
	}
	if err := c.writeKubeconfig(keys); err != nil {
		return err
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"etcd", c.startEtcd},
		{"kube-apiserver", c.startAPIServer},
		{"kube-controller-manager", c.startControllerManager},
		{"kube-scheduler", c.startScheduler},
		{"kwok", func(context.Context) error { return c.startKwok() }},
		{"controllers", c.waitControllers},
	}
	for _, s := range steps {
		t := time.Now()
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("start %s: %w", s.name, err)
		}
		fmt.Fprintf(c.log, "%s up (%s)\n", s.name, time.Since(t).Round(time.Millisecond))
	}
	if err := c.saveState(); err != nil {
		return err
	}
	names := make([]string, opts.Nodes)
	for i := range names {
		names[i] = NodeName(i)
	}
	if err := c.AddNodes(ctx, names, opts.NodeLabels, opts.NodeTaints); err != nil {
		return err
	}
	return c.saveState()
}

// freePorts asks the kernel for n distinct free ports on 127.0.0.1. The
// listeners stay open until all are chosen so no port repeats.
func freePorts(n int) ([]int, error) {
	var out []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		// Keep every listener open until all ports are chosen, so that no
		// port is handed out twice.
		defer func() { _ = l.Close() }()
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("find a free port: unexpected address %v", l.Addr())
		}
		out = append(out, addr.Port)
	}
	return out, nil
}

// writeKubeconfig writes the admin kubeconfig (certificates inline, so it can
// be copied) and builds the clients from it.
func (c *Cluster) writeKubeconfig(keys *pki) error {
	server := fmt.Sprintf("https://127.0.0.1:%d", c.state.Ports.APIServer)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[ContextName] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: keys.caPEM}
	cfg.AuthInfos[ContextName+"-admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: keys.adminCertPEM, ClientKeyData: keys.adminKeyPEM}
	cfg.Contexts[ContextName] = &clientcmdapi.Context{Cluster: ContextName, AuthInfo: ContextName + "-admin", Namespace: "default"}
	cfg.CurrentContext = ContextName
	if err := clientcmd.WriteToFile(*cfg, c.Kubeconfig); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return c.loadClients()
}

func (c *Cluster) loadClients() error {
	rc, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig %s: %w", c.Kubeconfig, err)
	}
	rc.QPS, rc.Burst = 200, 400
	c.RESTConfig = rc
	if c.client, err = kubernetes.NewForConfig(rc); err != nil {
		return err
	}
	bulk := rest.CopyConfig(rc)
	bulk.QPS, bulk.Burst = 1000, 2000
	c.bulkClient, err = kubernetes.NewForConfig(bulk)
	return err
}

// Client returns a clientset for the admin config.
func (c *Cluster) Client() kubernetes.Interface {
	return c.client
}

// start runs a component and records it.
func (c *Cluster) start(name, bin string, args []string) (*process, error) {
	p, err := startProcess(c.Dir, name, bin, args, c.detach)
	if err != nil {
		return nil, err
	}
	c.procMu.Lock()
	defer c.procMu.Unlock()
	replaced := false
	for i, old := range c.state.Processes {
		if old.Name == name {
			c.state.Processes[i], replaced = p, true
		}
	}
	if !replaced {
		c.state.Processes = append(c.state.Processes, p)
	}
	return p, nil
}

// processes returns the components in start order.
func (c *Cluster) processes() []*process {
	c.procMu.Lock()
	defer c.procMu.Unlock()
	return append([]*process(nil), c.state.Processes...)
}

func (c *Cluster) process(name string) *process {
	for _, p := range c.processes() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// componentsAlive fails as soon as a component has died, with its log's tail.
func (c *Cluster) componentsAlive() error {
	for _, p := range c.processes() {
		if p.Name == "kube-apiserver" && c.restarting.Load() {
			continue
		}
		if err := p.exited(c.Dir); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) running() bool {
	for _, p := range c.processes() {
		if p.alive() {
			return true
		}
	}
	return false
}

// waitFor polls check until it succeeds, p exits, or a minute passes.
func (c *Cluster) waitFor(ctx context.Context, what string, p *process, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var last error
	for {
		if err := p.exited(c.Dir); err != nil {
			return err
		}
		if last = check(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w (last error: %w; see %s)", what, ctx.Err(), last, p.logPath(c.Dir))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitHealthz waits for a component's /healthz on its self-signed port.
func (c *Cluster) waitHealthz(ctx context.Context, p *process, port int) error {
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", port)
	return c.waitFor(ctx, p.Name+" /healthz", p, func(ctx context.Context) error {
		body, err := httpGet(ctx, url)
		if err != nil {
			return err
		}
		if strings.TrimSpace(body) != "ok" {
			return fmt.Errorf("%s: %s", url, body)
		}
		return nil
	})
}

// waitControllers waits until the controllers act: the serviceaccount
// controller has made the `default` ServiceAccount, which pods need.
func (c *Cluster) waitControllers(ctx context.Context) error {
	p := c.process("kube-controller-manager")
	return c.waitFor(ctx, "the default ServiceAccount", p, func(ctx context.Context) error {
		if err := c.componentsAlive(); err != nil {
			return err
		}
		_, err := c.client.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

var insecureHTTP = &http.Client{
	Timeout: 5 * time.Second,
	// The controller manager and scheduler serve /healthz with a certificate
	// they made up themselves.
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // loopback health checks only
}

func httpGet(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := insecureHTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("%s: %s: %s", url, resp.Status, body)
	}
	return string(body), nil
}

func containsHealthy(body string) bool {
	var h struct {
		Health string `json:"health"`
	}
	return json.Unmarshal([]byte(body), &h) == nil && h.Health == "true"
}

func (c *Cluster) saveState() error {
	c.procMu.Lock()
	data, err := json.MarshalIndent(c.state, "", "  ")
	c.procMu.Unlock()
	if err != nil {
		return err
	}
	tmp := filepath.Join(c.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(c.Dir, stateFile))
}

// Open finds the cluster that `up` started under name (default "default").
// Its processes are known by pid only; Stop kills them and removes the state.
func Open(name string) (*Cluster, error) {
	if name == "" {
		name = "default"
	}
	dir, err := namedDir(name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, fmt.Errorf("cluster %q: no state in %s: %w", name, dir, err)
	}
	c := &Cluster{Dir: dir, Kubeconfig: filepath.Join(dir, kubeconfigFile), log: io.Discard, removeDir: true, detach: true}
	if err := json.Unmarshal(data, &c.state); err != nil {
		return nil, fmt.Errorf("cluster %q: read %s: %w", name, stateFile, err)
	}
	if err := c.loadClients(); err != nil {
		return nil, err
	}
	return c, nil
}

// ComponentStatus describes one process of a cluster.
type ComponentStatus struct {
	Name   string
	Pid    int
	Alive  bool
	RSSKiB int64 // resident memory from /proc; 0 if not running
	Log    string
}

// Components lists the cluster's processes in start order.
func (c *Cluster) Components() []ComponentStatus {
	var out []ComponentStatus
	for _, p := range c.processes() {
		s := ComponentStatus{Name: p.Name, Pid: p.Pid, Alive: p.alive(), Log: p.logPath(c.Dir)}
		if s.Alive {
			s.RSSKiB = p.rssKiB()
		}
		out = append(out, s)
	}
	return out
}

// Stop kills every component (newest first) and removes the state dir unless
// it was given as Options.StateDir. It is safe to call more than once.
func (c *Cluster) Stop() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	grace := time.Duration(0)
	if c.detach {
		grace = 5 * time.Second // let etcd flush; the apiserver is killed after 5 s anyway
	}
	var errs []error
	procs := c.processes()
	for i := len(procs) - 1; i >= 0; i-- {
		if err := procs[i].stop(grace); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 && c.removeDir && c.Dir != "" {
		if err := os.RemoveAll(c.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
