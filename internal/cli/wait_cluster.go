package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// reachTimeout bounds the first request, which tells an unreachable cluster
// apart before the wait starts (the wait's watch would retry until --timeout).
const reachTimeout = 15 * time.Second

// clusterConfig is the client configuration and default namespace kubectl
// would use with the same --kubeconfig and --context.
type clusterConfig struct {
	rest      *rest.Config
	namespace string
	// source says where the kubeconfig came from, for error messages.
	source string
}

// loadClusterConfig resolves the cluster as kubectl does: --kubeconfig, else
// the files listed in $KUBECONFIG, else ~/.kube/config; --context, else the
// current context; and, when no kubeconfig exists, the pod's service account
// (clientcmd falls back to rest.InClusterConfig itself when
// KUBERNETES_SERVICE_HOST is set and the token is mounted).
func loadClusterConfig(kubeconfig, contextName string) (*clusterConfig, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	source := kubeconfigSource(kubeconfig)
	if kubeconfig != "" {
		if _, err := os.Stat(kubeconfig); err != nil {
			return nil, &exitError{code: exitUsage, msg: fmt.Sprintf(
				"--kubeconfig %s cannot be read (%v): point --kubeconfig or $KUBECONFIG at your cluster's kubeconfig", kubeconfig, err)}
		}
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: contextName})
	if msg := checkContext(cc, contextName, source); msg != "" {
		return nil, &exitError{code: exitUsage, msg: msg}
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, &exitError{code: exitUsage, msg: explainConfigError(err, source)}
	}
	ns, _, err := cc.Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	cfg.QPS, cfg.Burst, cfg.UserAgent = k8s.DefaultQPS, k8s.DefaultBurst, k8s.BuildUserAgent()
	return &clusterConfig{rest: cfg, namespace: ns, source: source}, nil
}

// kubeconfigSource names the kubeconfig the way the user chose it.
func kubeconfigSource(flag string) string {
	if flag != "" {
		return "--kubeconfig " + flag
	}
	if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); env != "" {
		return "$KUBECONFIG (" + env + ")"
	}
	return "~/.kube/config"
}

// explainConfigError says, in the command line's words, why clientcmd could
// not build a client configuration.
func explainConfigError(err error, source string) string {
	switch {
	case clientcmd.IsEmptyConfig(err) && os.Getenv(clientcmd.RecommendedConfigPathEnvVar) != "":
		return fmt.Sprintf("no kubeconfig found: no file listed in $KUBECONFIG (%s) exists, and this is not a pod with a service account; "+
			"point --kubeconfig or $KUBECONFIG at your cluster's kubeconfig", os.Getenv(clientcmd.RecommendedConfigPathEnvVar))
	case clientcmd.IsEmptyConfig(err):
		return "no kubeconfig found: $KUBECONFIG is unset, ~/.kube/config does not exist, and this is not a pod with a service account; " +
			"pass --kubeconfig FILE or set $KUBECONFIG"
	default:
		return fmt.Sprintf("the kubeconfig (%s) cannot be used: %v", source, err)
	}
}

// checkContext says what is wrong when --context names no context of the
// kubeconfig, or when the kubeconfig has contexts but no current one ("" when
// neither). clientcmd's own errors for these name no flag.
func checkContext(cc clientcmd.ClientConfig, contextName, source string) string {
	raw, err := cc.RawConfig()
	if err != nil {
		return "" // ClientConfig reports it
	}
	switch {
	case contextName != "" && raw.Contexts[contextName] == nil:
		return fmt.Sprintf("--context %q is not in the kubeconfig (%s): use one of %s", contextName, source, contextNames(raw))
	case contextName == "" && raw.CurrentContext == "" && len(raw.Contexts) > 0:
		return fmt.Sprintf("the kubeconfig (%s) has no current context: pass --context, one of %s", source, contextNames(raw))
	}
	return ""
}

func contextNames(raw clientcmdapi.Config) string {
	if len(raw.Contexts) == 0 {
		return "(none)"
	}
	names := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		names = append(names, strconv.Quote(n))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// checkReachable asks the API server for its version, so that a cluster that
// cannot be reached ends the command at once with exit code 3 instead of a
// watch that retries until --timeout.
func checkReachable(ctx context.Context, cc *clusterConfig, timeout time.Duration) error {
	cfg := rest.CopyConfig(cc.rest)
	cfg.Timeout = min(timeout, reachTimeout)
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return &exitError{code: exitUsage, msg: fmt.Sprintf("the kubeconfig (%s) cannot be used: %v", cc.source, err)}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	_, err = dc.ServerVersion()
	switch {
	case err == nil:
		return nil
	case apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err):
		return &exitError{code: exitUsage, msg: fmt.Sprintf(
			"the cluster at %s rejected the credentials of the kubeconfig (%s): %v", cc.rest.Host, cc.source, err)}
	default:
		return unreachableError(cc, err)
	}
}

func unreachableError(cc *clusterConfig, err error) *exitError {
	return &exitError{code: exitUnreachable, msg: fmt.Sprintf(
		"cannot reach the cluster at %s: %v\nCheck that the API server is up and reachable from here, and that the kubeconfig (%s) and --context name the right cluster.",
		cc.rest.Host, err, cc.source)}
}

// isUnreachable reports whether err says the API server could not be
// reached or did not answer in time, rather than that it refused a request.
func isUnreachable(err error) bool {
	var (
		opErr    *net.OpError
		dnsErr   *net.DNSError
		urlErr   *url.Error
		authErr  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		certErr  x509.CertificateInvalidError
		verifErr *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &opErr), errors.As(err, &dnsErr), errors.As(err, &urlErr):
		return true
	case errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &certErr),
		errors.As(err, &verifErr), errors.As(err, &recErr):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsServiceUnavailable(err)
}

// connect resolves the cluster as kubectl does (loadClusterConfig, namespace
// overriding the context's when set), checks that it answers within timeout
// and builds the client the commands wait and roll out with.
func connect(ctx context.Context, kubeconfig, contextName, namespace string, timeout time.Duration) (*clusterConfig, *rollout.Client, error) {
	cc, err := loadClusterConfig(kubeconfig, contextName)
	if err != nil {
		return nil, nil, err
	}
	if namespace != "" {
		cc.namespace = namespace
	}
	if err := checkReachable(ctx, cc, timeout); err != nil {
		return nil, nil, err
	}
	client, err := rollout.NewClient(cc.rest, k8s.DefaultFieldManager)
	if err != nil {
		return nil, nil, err
	}
	return cc, client, nil
}
