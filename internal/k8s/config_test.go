package k8s

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
)

const testKubeconfig = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://127.0.0.1:6443
    insecure-skip-tls-verify: true
- name: prod-cluster
  cluster:
    server: https://10.0.0.1:6443
    insecure-skip-tls-verify: true
users:
- name: dev-user
  user:
    token: secret-dev-token
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user}
- name: prod
  context: {cluster: prod-cluster, user: dev-user}
`

func writeKubeconfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRESTConfig(t *testing.T) {
	kc := writeKubeconfig(t, testKubeconfig)
	noContext := writeKubeconfig(t, strings.Replace(testKubeconfig, "current-context: dev\n", "", 1))
	yes := true
	tests := []struct {
		name       string
		cfg        Config
		env        map[string]string
		wantHost   string
		wantAttr   string
		wantEnv    string
		wantErr    string
		wantQPS    float32
		wantInsec  bool
		wantBearer string
	}{
		{name: "current context", cfg: Config{ConfigPath: kc}, wantHost: "https://127.0.0.1:6443", wantQPS: DefaultQPS, wantInsec: true, wantBearer: "secret-dev-token"},
		{name: "explicit context", cfg: Config{ConfigPath: kc, ConfigContext: "prod"}, wantHost: "https://10.0.0.1:6443", wantQPS: DefaultQPS, wantInsec: true},
		{name: "context cluster override", cfg: Config{ConfigPath: kc, ConfigContextCluster: "prod-cluster"}, wantHost: "https://10.0.0.1:6443", wantQPS: DefaultQPS, wantInsec: true},
		{name: "config_paths", cfg: Config{ConfigPaths: []string{kc}}, wantHost: "https://127.0.0.1:6443", wantQPS: DefaultQPS, wantInsec: true},
		{name: "host and token", cfg: Config{Host: "https://192.0.2.1:443", Token: "t0k3n", Insecure: &yes, QPS: 7, Burst: 9}, wantHost: "https://192.0.2.1:443", wantQPS: 7, wantInsec: true, wantBearer: "t0k3n"},
		{name: "host overrides kubeconfig", cfg: Config{ConfigPath: kc, Host: "https://192.0.2.9"}, wantHost: "https://192.0.2.9", wantQPS: DefaultQPS, wantInsec: true},
		{name: "env fallback", env: map[string]string{"KUBE_CONFIG_PATH": kc, "KUBE_CTX": "prod"}, wantHost: "https://10.0.0.1:6443", wantQPS: DefaultQPS, wantInsec: true},
		{name: "attribute wins over env", cfg: Config{ConfigPath: kc}, env: map[string]string{"KUBE_CONFIG_PATH": "/nope"}, wantHost: "https://127.0.0.1:6443", wantQPS: DefaultQPS, wantInsec: true},
		{name: "nothing configured", wantErr: "does not know which cluster to use"},
		{name: "missing kubeconfig", cfg: Config{ConfigPath: "/does/not/exist"}, wantAttr: "config_path", wantErr: `The kubeconfig file "/does/not/exist" named by the provider attribute "config_path" does not exist`},
		{name: "missing kubeconfig from env", env: map[string]string{"KUBE_CONFIG_PATH": "/does/not/exist"}, wantAttr: "config_path", wantEnv: "KUBE_CONFIG_PATH", wantErr: "named by the environment variable KUBE_CONFIG_PATH does not exist"},
		{name: "missing in config_paths", cfg: Config{ConfigPaths: []string{kc, "/nope/2"}}, wantAttr: "config_paths", wantErr: `"/nope/2" named by the provider attribute "config_paths"`},
		{name: "unknown context", cfg: Config{ConfigPath: kc, ConfigContext: "staging"}, wantAttr: "config_context", wantErr: `The provider attribute "config_context" names "staging", which is not in the kubeconfig. Available: "dev", "prod".`},
		{name: "unknown context from env", cfg: Config{ConfigPath: kc}, env: map[string]string{"KUBE_CTX": "staging"}, wantAttr: "config_context", wantEnv: "KUBE_CTX", wantErr: `The environment variable KUBE_CTX names "staging"`},
		{name: "unknown auth info", cfg: Config{ConfigPath: kc, ConfigContextAuthInfo: "root"}, wantAttr: "config_context_auth_info", wantErr: `names "root", which is not in the kubeconfig. Available: "dev-user".`},
		{name: "unknown cluster", cfg: Config{ConfigPath: kc, ConfigContextCluster: "x"}, wantAttr: "config_context_cluster", wantErr: `Available: "dev-cluster", "prod-cluster".`},
		{name: "no current context", cfg: Config{ConfigPath: noContext}, wantAttr: "config_path", wantErr: `has no current-context. Set config_context (or KUBE_CTX) to one of: "dev", "prod".`},
		{name: "bad KUBE_INSECURE", env: map[string]string{"KUBE_HOST": "https://x", "KUBE_INSECURE": "maybe"}, wantAttr: "insecure", wantEnv: "KUBE_INSECURE", wantErr: `KUBE_INSECURE is "maybe", which is not a boolean`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			cfg, err := tt.cfg.WithEnv(lookup)
			if err == nil {
				restCfg := func() error {
					r, e := cfg.RESTConfig()
					if e != nil {
						return e
					}
					if r.Host != tt.wantHost {
						t.Errorf("host = %q, want %q", r.Host, tt.wantHost)
					}
					if r.QPS != tt.wantQPS {
						t.Errorf("qps = %v, want %v", r.QPS, tt.wantQPS)
					}
					if r.Insecure != tt.wantInsec {
						t.Errorf("insecure = %v, want %v", r.Insecure, tt.wantInsec)
					}
					if tt.wantBearer != "" && r.BearerToken != tt.wantBearer {
						t.Errorf("token not taken from the configuration")
					}
					return nil
				}
				err = restCfg()
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q, got none", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret-dev-token") {
				t.Errorf("error leaks a credential: %q", err)
			}
			ce, ok := IsConfigError(err)
			if !ok {
				t.Fatalf("error %T is not a *ConfigError", err)
			}
			if ce.Attribute != tt.wantAttr || ce.Env != tt.wantEnv {
				t.Errorf("attribute, env = %q, %q; want %q, %q", ce.Attribute, ce.Env, tt.wantAttr, tt.wantEnv)
			}
		})
	}
}

func TestWithEnvPaths(t *testing.T) {
	cfg, err := Config{}.WithEnv(func(k string) (string, bool) {
		if k == "KUBE_CONFIG_PATHS" {
			return "/a" + string(os.PathListSeparator) + "/b", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.ConfigPaths, ","); got != "/a,/b" {
		t.Errorf("config paths = %q, want /a,/b", got)
	}
}

// TestInClusterFallback: with nothing configured, a provider in a pod uses
// the pod's service account, as hashicorp/kubernetes does; outside a pod the
// error says what to set.
func TestInClusterFallback(t *testing.T) {
	saved := inClusterConfig
	t.Cleanup(func() { inClusterConfig = saved })

	inClusterConfig = func() (*rest.Config, error) { return &rest.Config{Host: "https://10.0.0.1:443"}, nil }
	cfg, err := Config{}.RESTConfig()
	if err != nil {
		t.Fatalf("in a pod: %v", err)
	}
	if cfg.Host != "https://10.0.0.1:443" || cfg.QPS != DefaultQPS || cfg.UserAgent != UserAgent("dev", "") {
		t.Errorf("in-cluster config = host %q, QPS %v, user agent %q", cfg.Host, cfg.QPS, cfg.UserAgent)
	}

	inClusterConfig = func() (*rest.Config, error) { return nil, rest.ErrNotInCluster }
	_, err = Config{}.RESTConfig()
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Summary != "No Cluster Configured" {
		t.Errorf("outside a pod: error %v, want No Cluster Configured", err)
	}
}

// TestUserAgent: the build's version and commit reach the API server in the
// shape of client-go's default user agent.
func TestUserAgent(t *testing.T) {
	saved := userAgent
	t.Cleanup(func() { userAgent = saved })

	for _, tc := range []struct{ name, version, commit, want string }{
		{name: "release", version: "0.1.0", commit: "0123abc", want: "kubedaemon/0.1.0 (" + runtime.GOOS + "/" + runtime.GOARCH + ") 0123abc"},
		{name: "development build", version: "", commit: "none", want: "kubedaemon/dev (" + runtime.GOOS + "/" + runtime.GOARCH + ") unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			SetBuild(tc.version, tc.commit)
			cfg := &rest.Config{}
			Config{}.tune(cfg)
			if cfg.UserAgent != tc.want {
				t.Errorf("user agent = %q, want %q", cfg.UserAgent, tc.want)
			}
		})
	}
}
