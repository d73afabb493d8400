package k8s

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Default client rate limits. client-go's own defaults (5 QPS, burst 10) make
// a wait or an apply of a few objects crawl once a cluster has many nodes.
// Labels or taints on thousands of nodes are one write per node: at 50 QPS
// (kubectl's rate, with burst 300) 5 000 nodes take 100 s however fast the
// API server is, so the defaults are higher. The node writes are also
// bounded by max_parallel (DefaultMaxParallel requests in flight), and the
// API server protects itself with API Priority and Fairness (on by default
// since Kubernetes 1.20), queueing or refusing with 429 what it cannot take,
// which client-go retries; controller-runtime relies on that alone and turns
// client-side rate limiting off. The waits watch rather than poll, so they
// do not come near these rates.
const (
	DefaultQPS          = 300
	DefaultBurst        = 600
	DefaultFieldManager = "kubedaemon"
)

// ExecConfig runs a command that prints an ExecCredential, as kubectl does
// for cloud logins (aws eks get-token, gke-gcloud-auth-plugin, ...).
type ExecConfig struct {
	APIVersion string
	Command    string
	Args       []string
	Env        map[string]string
}

// Config is how to reach a cluster: the same settings, with the same names and
// environment variables, as the hashicorp/kubernetes provider.
type Config struct {
	ConfigPath            string
	ConfigPaths           []string
	ConfigContext         string
	ConfigContextAuthInfo string
	ConfigContextCluster  string
	Host                  string
	Token                 string
	Username              string
	Password              string
	ClientCertificate     string
	ClientKey             string
	ClusterCACertificate  string
	Insecure              *bool
	TLSServerName         string
	ProxyURL              string
	Exec                  *ExecConfig
	QPS                   float32
	Burst                 int

	// fromEnv records which attributes were filled from which environment
	// variable, so that errors can name the one the user actually set.
	fromEnv map[string]string
}

// envVars maps each attribute to its environment variable.
var envVars = []struct{ attr, env string }{
	{"config_path", "KUBE_CONFIG_PATH"},
	{"config_paths", "KUBE_CONFIG_PATHS"},
	{"config_context", "KUBE_CTX"},
	{"config_context_auth_info", "KUBE_CTX_AUTH_INFO"},
	{"config_context_cluster", "KUBE_CTX_CLUSTER"},
	{"host", "KUBE_HOST"},
	{"token", "KUBE_TOKEN"},
	{"username", "KUBE_USER"},
	{"password", "KUBE_PASSWORD"},
	{"client_certificate", "KUBE_CLIENT_CERT_DATA"},
	{"client_key", "KUBE_CLIENT_KEY_DATA"},
	{"cluster_ca_certificate", "KUBE_CLUSTER_CA_CERT_DATA"},
	{"insecure", "KUBE_INSECURE"},
	{"tls_server_name", "KUBE_TLS_SERVER_NAME"},
	{"proxy_url", "KUBE_PROXY_URL"},
}

// EnvVar returns the environment variable that backs attr, or "".
func EnvVar(attr string) string {
	for _, e := range envVars {
		if e.attr == attr {
			return e.env
		}
	}
	return ""
}

// WithEnv returns c with every unset attribute taken from its environment
// variable (lookup is os.LookupEnv in production). An attribute set in the
// configuration always wins over the environment.
func (c Config) WithEnv(lookup func(string) (string, bool)) (Config, error) {
	c.fromEnv = map[string]string{}
	get := func(attr string) (string, bool) {
		v, ok := lookup(EnvVar(attr))
		if ok && v != "" {
			c.fromEnv[attr] = EnvVar(attr)
			return v, true
		}
		return "", false
	}
	str := func(dst *string, attr string) {
		if *dst == "" {
			if v, ok := get(attr); ok {
				*dst = v
			}
		}
	}
	str(&c.ConfigPath, "config_path")
	if len(c.ConfigPaths) == 0 {
		if v, ok := get("config_paths"); ok {
			c.ConfigPaths = filepath.SplitList(v)
		}
	}
	str(&c.ConfigContext, "config_context")
	str(&c.ConfigContextAuthInfo, "config_context_auth_info")
	str(&c.ConfigContextCluster, "config_context_cluster")
	str(&c.Host, "host")
	str(&c.Token, "token")
	str(&c.Username, "username")
	str(&c.Password, "password")
	str(&c.ClientCertificate, "client_certificate")
	str(&c.ClientKey, "client_key")
	str(&c.ClusterCACertificate, "cluster_ca_certificate")
	str(&c.TLSServerName, "tls_server_name")
	str(&c.ProxyURL, "proxy_url")
	if c.Insecure == nil {
		if v, ok := get("insecure"); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return c, &ConfigError{
					Attribute: "insecure", Env: "KUBE_INSECURE",
					Detail: fmt.Sprintf("KUBE_INSECURE is %q, which is not a boolean. Set it to true or false, or unset it.", v),
				}
			}
			c.Insecure = &b
		}
	}
	return c, nil
}

// ConfigError is a connection setting that cannot work. Attribute is the
// provider attribute at fault ("" when the problem is that none is set).
type ConfigError struct {
	Attribute string
	Env       string
	Summary   string
	Detail    string
	Err       error
}

func (e *ConfigError) Error() string {
	msg := e.Detail
	if e.Err != nil {
		msg += "\n\nOriginal Error: " + e.Err.Error()
	}
	return msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

// source names an attribute the way the user set it, for error messages.
func (c Config) source(attr string) string {
	if env, ok := c.fromEnv[attr]; ok {
		return fmt.Sprintf("the environment variable %s", env)
	}
	return fmt.Sprintf("the provider attribute %q", attr)
}

func (c Config) configError(attr, summary, detail string, err error) *ConfigError {
	e := &ConfigError{Attribute: attr, Summary: summary, Detail: detail, Err: err}
	if env, ok := c.fromEnv[attr]; ok {
		e.Env = env
	}
	return e
}

// paths returns the kubeconfig files to load, in precedence order, and the
// attribute each came from.
func (c Config) paths() ([]string, []string, error) {
	var paths, attrs []string
	add := func(p, attr string) error {
		expanded, err := expandHome(p)
		if err != nil {
			return err
		}
		paths = append(paths, expanded)
		attrs = append(attrs, attr)
		return nil
	}
	if c.ConfigPath != "" {
		if err := add(c.ConfigPath, "config_path"); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range c.ConfigPaths {
		if err := add(p, "config_paths"); err != nil {
			return nil, nil, err
		}
	}
	return paths, attrs, nil
}

func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expand %q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

// inClusterConfig is the pod's service account configuration; a variable so
// that tests can stand in for a pod.
var inClusterConfig = rest.InClusterConfig

// RESTConfig builds the client configuration: the kubeconfig files (if
// any) loaded and checked, the provider's attributes laid over them, or the
// pod's service account when nothing is configured. Every problem the user
// can fix comes back as a *ConfigError that names the attribute; no
// credential is ever part of an error.
func (c Config) RESTConfig() (*rest.Config, error) {
	paths, attrs, err := c.paths()
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 && c.Host == "" {
		return c.inCluster()
	}
	rules, err := c.loadKubeconfigs(paths, attrs)
	if err != nil {
		return nil, err
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, c.overrides())
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, &ConfigError{
			Summary: "Invalid Cluster Configuration",
			Detail: "The cluster settings do not make a usable client configuration. Check host, the " +
				"kubeconfig's current context, and the credentials.",
			Err: err,
		}
	}
	// NOTE: client-go refuses a CA together with insecure; a kubeconfig's CA
	// plus insecure = true in HCL means "skip verification", as in kubectl's
	// --insecure-skip-tls-verify.
	if cfg.Insecure {
		cfg.CAData, cfg.CAFile = nil, ""
	}
	c.tune(cfg)
	return cfg, nil
}

// inCluster is the configuration when neither a kubeconfig nor a host is
// set: as hashicorp/kubernetes, a provider that runs in a pod uses the pod's
// service account; anywhere else it is an error that says what to set.
func (c Config) inCluster() (*rest.Config, error) {
	if cfg, err := inClusterConfig(); err == nil {
		c.tune(cfg)
		return cfg, nil
	}
	return nil, &ConfigError{
		Summary: "No Cluster Configured",
		Detail: "The kubedaemon provider does not know which cluster to use. Set config_path " +
			"(or KUBE_CONFIG_PATH) to a kubeconfig file, for example \"~/.kube/config\", or set host " +
			"(or KUBE_HOST) with token or client_certificate/client_key. (Running in a pod, it would use " +
			"the pod's service account.)",
	}
}

// loadKubeconfigs checks that each kubeconfig of paths (named by the
// attribute of the same index in attrs) exists and parses, and that the
// context, cluster and user the attributes name are in them.
func (c Config) loadKubeconfigs(paths, attrs []string) (*clientcmd.ClientConfigLoadingRules, error) {
	for i, p := range paths {
		if _, statErr := os.Stat(p); statErr != nil {
			return nil, c.configError(attrs[i], "Kubeconfig Not Found",
				fmt.Sprintf("The kubeconfig file %q named by %s does not exist or cannot be read. "+
					"Fix the path, or remove the setting and configure host and credentials instead.", p, c.source(attrs[i])),
				statErr)
		}
	}
	rules := &clientcmd.ClientConfigLoadingRules{Precedence: paths}
	if len(paths) == 0 {
		return rules, nil
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, c.configError(attrs[0], "Invalid Kubeconfig",
			fmt.Sprintf("The kubeconfig named by %s cannot be parsed. Check that it is a kubeconfig file.", c.source(attrs[0])),
			err)
	}
	if err := c.checkNames(raw); err != nil {
		return nil, err
	}
	return rules, nil
}

// overrides lays the provider's attributes over the kubeconfig: its context
// choice, the cluster's address and TLS settings, and the credentials.
func (c Config) overrides() *clientcmd.ConfigOverrides {
	o := &clientcmd.ConfigOverrides{
		CurrentContext: c.ConfigContext,
		Context: clientcmdapi.Context{
			AuthInfo: c.ConfigContextAuthInfo,
			Cluster:  c.ConfigContextCluster,
		},
	}
	o.ClusterInfo.Server = c.Host
	o.ClusterInfo.TLSServerName = c.TLSServerName
	o.ClusterInfo.ProxyURL = c.ProxyURL
	if c.Insecure != nil {
		o.ClusterInfo.InsecureSkipTLSVerify = *c.Insecure
	}
	if c.ClusterCACertificate != "" {
		o.ClusterInfo.CertificateAuthorityData = []byte(c.ClusterCACertificate)
	}
	if c.ClientCertificate != "" {
		o.AuthInfo.ClientCertificateData = []byte(c.ClientCertificate)
	}
	if c.ClientKey != "" {
		o.AuthInfo.ClientKeyData = []byte(c.ClientKey)
	}
	o.AuthInfo.Token = c.Token
	o.AuthInfo.Username = c.Username
	o.AuthInfo.Password = c.Password
	if c.Exec != nil {
		o.AuthInfo.Exec = execConfig(c.Exec)
	}
	return o
}

// tune sets the rate limits and the user agent of a client configuration.
func (c Config) tune(cfg *rest.Config) {
	cfg.QPS, cfg.Burst = c.QPS, c.Burst
	if cfg.QPS == 0 {
		cfg.QPS = DefaultQPS
	}
	if cfg.Burst == 0 {
		cfg.Burst = DefaultBurst
	}
	cfg.UserAgent = userAgent
}

// userAgent is the User-Agent header of every client this package configures.
// main sets it once, before any client exists, with SetBuild; tests and tools
// that never call SetBuild send the development build's.
var userAgent = UserAgent("dev", "")

// SetBuild makes the clients configured from now on send the User-Agent of
// this build: main calls it with the version and commit that -ldflags set.
func SetBuild(version, commit string) {
	userAgent = UserAgent(version, commit)
}

// BuildUserAgent is the User-Agent header that SetBuild chose, for clients
// configured outside this package (the command line's).
func BuildUserAgent() string { return userAgent }

// UserAgent is the User-Agent header of a kubedaemon build, in the shape of
// client-go's rest.DefaultKubernetesUserAgent so that API server audit logs
// and metrics group it like kubectl: "kubedaemon/VERSION (OS/ARCH) COMMIT".
func UserAgent(version, commit string) string {
	if version == "" {
		version = "dev"
	}
	if commit == "" || commit == "none" {
		commit = "unknown"
	}
	return fmt.Sprintf("kubedaemon/%s (%s/%s) %s", version, runtime.GOOS, runtime.GOARCH, commit)
}

// checkNames verifies that the context, cluster and user the configuration
// asks for exist in the kubeconfig, and lists those that do when not.
func (c Config) checkNames(raw *clientcmdapi.Config) error {
	check := func(attr, want string, have []string) error {
		if want == "" {
			return nil
		}
		for _, h := range have {
			if h == want {
				return nil
			}
		}
		sort.Strings(have)
		return c.configError(attr, "Kubeconfig Entry Not Found",
			fmt.Sprintf("%s names %q, which is not in the kubeconfig. Available: %s. Use one of them, or "+
				"remove the setting to use the kubeconfig's current context.",
				capitalize(c.source(attr)), want, quoteList(have)), nil)
	}
	if err := check("config_context", c.ConfigContext, keys(raw.Contexts)); err != nil {
		return err
	}
	if err := check("config_context_auth_info", c.ConfigContextAuthInfo, keys(raw.AuthInfos)); err != nil {
		return err
	}
	if err := check("config_context_cluster", c.ConfigContextCluster, keys(raw.Clusters)); err != nil {
		return err
	}
	if c.ConfigContext == "" && raw.CurrentContext == "" && c.Host == "" && c.ConfigContextCluster == "" {
		_, attrs, _ := c.paths()
		return c.configError(attrs[0], "No Current Context",
			fmt.Sprintf("The kubeconfig named by %s has no current-context. Set config_context (or KUBE_CTX) "+
				"to one of: %s.", c.source(attrs[0]), quoteList(keys(raw.Contexts))), nil)
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quoteList(items []string) string {
	if len(items) == 0 {
		return "(none)"
	}
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func execConfig(e *ExecConfig) *clientcmdapi.ExecConfig {
	out := &clientcmdapi.ExecConfig{
		APIVersion:      e.APIVersion,
		Command:         e.Command,
		Args:            e.Args,
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}
	for _, k := range keys(e.Env) {
		out.Env = append(out.Env, clientcmdapi.ExecEnvVar{Name: k, Value: e.Env[k]})
	}
	return out
}

// Clients builds the REST config and clientset on first use, so that a
// provider whose cluster does not exist yet (created in the same apply) can
// still validate and plan.
type Clients struct {
	// FieldManager is the server-side apply field manager of every write.
	FieldManager string

	config Config
	once   sync.Once
	rest   *rest.Config
	cs     kubernetes.Interface
	err    error

	// The metadata client, which only kubedaemon_node_labels' refresh
	// uses, is built on its first use.
	metaOnce sync.Once
	meta     metadata.Interface
	metaErr  error
}

// NewClients returns lazily built clients for cfg.
func NewClients(cfg Config, fieldManager string) *Clients {
	if fieldManager == "" {
		fieldManager = DefaultFieldManager
	}
	return &Clients{config: cfg, FieldManager: fieldManager}
}

// NewClientsFromREST wraps an already built configuration (tests, the CLI).
func NewClientsFromREST(cfg *rest.Config, fieldManager string) *Clients {
	c := NewClients(Config{}, fieldManager)
	c.once.Do(func() { c.rest = cfg; c.cs, c.err = kubernetes.NewForConfig(cfg) })
	return c
}

func (c *Clients) init() {
	c.once.Do(func() {
		c.rest, c.err = c.config.RESTConfig()
		if c.err != nil {
			return
		}
		c.cs, c.err = kubernetes.NewForConfig(c.rest)
	})
}

// REST returns the client configuration.
func (c *Clients) REST() (*rest.Config, error) {
	c.init()
	return c.rest, c.err
}

// Clientset returns the typed clientset.
func (c *Clients) Clientset() (kubernetes.Interface, error) {
	c.init()
	return c.cs, c.err
}

// Metadata returns the client that reads objects' metadata alone.
func (c *Clients) Metadata() (metadata.Interface, error) {
	c.init()
	if c.err != nil {
		return nil, c.err
	}
	c.metaOnce.Do(func() {
		c.meta, c.metaErr = metadata.NewForConfig(c.rest)
	})
	return c.meta, c.metaErr
}

// IsConfigError reports whether err is a user-fixable connection setting.
func IsConfigError(err error) (*ConfigError, bool) {
	var ce *ConfigError
	ok := errors.As(err, &ce)
	return ce, ok
}
