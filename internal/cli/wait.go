package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// waitOptions are the flags of `wait`.
type waitOptions struct {
	namespace         string
	timeout           time.Duration
	kubeconfig        string
	context           string
	noFailFast        bool
	skipNotReadyNodes bool
	stuckGrace        time.Duration
}

// daemonSetTypes are the spellings of the resource type `wait` accepts, as
// kubectl accepts them.
var daemonSetTypes = []string{"daemonset", "daemonsets", "ds", "daemonset.apps", "daemonsets.apps"}

func newWaitCommand(_ string, s streams) *cobra.Command {
	var o waitOptions
	cmd := &cobra.Command{
		Use:   "wait daemonset/NAME",
		Short: "Wait until a DaemonSet has converged, or say why it cannot",
		Long: "Wait until the DaemonSet's controller has seen its latest generation and every node it should run on " +
			"runs a ready, available pod of the current template (and none runs where it should not), printing a line " +
			"each time a counter changes. It exits 0 when the DaemonSet converged and 1 otherwise, with the stuck " +
			"nodes, pods and reasons on standard error.\n\n" +
			"It watches the one DaemonSet instead of polling, and ends early when a pod of the current template can " +
			"never start (bad image name, missing config, host port taken; image pulls and crash loops after " +
			"--stuck-grace) unless --no-fail-fast is given.\n\n" +
			"Cluster: --kubeconfig, else $KUBECONFIG, else ~/.kube/config; --context, else its current context.",
		Example: "  kubedaemon wait daemonset/fluent-bit -n logging --timeout 10m\n" +
			"  kubedaemon wait ds/node-exporter --context prod --skip-not-ready-nodes",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWait(cmd.Context(), s, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.namespace, "namespace", "n", "", "namespace of the DaemonSet (default: the context's, else \"default\")")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long to wait before giving up with a diagnosis")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&o.context, "context", "", "kubeconfig context (default: the current context)")
	f.BoolVar(&o.noFailFast, "no-fail-fast", false, "keep waiting until the timeout even when pods are stuck for good")
	f.BoolVar(&o.skipNotReadyNodes, "skip-not-ready-nodes", false, "converge on the Ready nodes and warn about NotReady ones")
	f.DurationVar(&o.stuckGrace, "stuck-grace", rollout.DefaultStuckGrace, "how long image pull errors and crash loops may last before they count as stuck")
	return cmd
}

// parseDaemonSetArg reads "daemonset/NAME" (or ds/NAME, daemonsets.apps/NAME).
func parseDaemonSetArg(arg string) (string, error) {
	kind, name, ok := strings.Cut(arg, "/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", fmt.Errorf("argument %q: want daemonset/NAME, e.g. daemonset/fluent-bit", arg)
	}
	for _, t := range daemonSetTypes {
		if strings.EqualFold(kind, t) {
			return name, nil
		}
	}
	return "", fmt.Errorf("argument %q: wait supports DaemonSets only (%s); want daemonset/NAME", arg, strings.Join(daemonSetTypes, ", "))
}

// kubeconfigPaths picks the kubeconfig as kubectl does: the flag, else every
// file in $KUBECONFIG, else ~/.kube/config.
func kubeconfigPaths(flag string) []string {
	if flag != "" {
		return []string{flag}
	}
	if env := os.Getenv("KUBECONFIG"); env != "" {
		var paths []string
		for _, p := range filepath.SplitList(env) {
			if p != "" {
				paths = append(paths, p)
			}
		}
		if len(paths) > 0 {
			return paths
		}
	}
	return []string{"~/.kube/config"}
}

func runWait(ctx context.Context, s streams, arg string, o waitOptions) error {
	name, err := parseDaemonSetArg(arg)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	paths := expandHome(kubeconfigPaths(o.kubeconfig))
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("kubeconfig %s cannot be read (%w): point --kubeconfig or $KUBECONFIG at your cluster's kubeconfig", p, err)
		}
	}
	cfg := k8s.Config{ConfigPath: paths[0], ConfigPaths: paths[1:], ConfigContext: o.context}
	restConfig, err := cfg.RESTConfig()
	if err != nil {
		if ce, ok := k8s.IsConfigError(err); ok && ce.Attribute == "config_context" {
			return fmt.Errorf("--context %q is not in the kubeconfig: %w", o.context, err)
		}
		return err
	}
	namespace := o.namespace
	if namespace == "" {
		namespace = contextNamespace(cfg, paths)
	}
	client, err := rollout.NewClient(restConfig, k8s.DefaultFieldManager)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	res, err := client.WaitDaemonSet(ctx, namespace, name, rollout.WaitOptions{
		FailFast:          !o.noFailFast,
		SkipNotReadyNodes: o.skipNotReadyNodes,
		StuckGrace:        o.stuckGrace,
		Progress:          func(line string) { fmt.Fprintln(s.out, line) },
	})
	if err != nil {
		var nce *rollout.NotConvergedError
		if errors.As(err, &nce) {
			return &exitError{code: 1, msg: err.Error()}
		}
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(s.out, "Warning:", w)
	}
	st := res.DaemonSet.Status
	_, err = fmt.Fprintf(s.out, "daemonset %s/%s converged: generation %d on %d node(s)\n", namespace, name, res.DaemonSet.Generation, st.DesiredNumberScheduled)
	return err
}

// contextNamespace is the namespace of the kubeconfig context in use, or
// "default".
func contextNamespace(cfg k8s.Config, paths []string) string {
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{Precedence: paths},
		&clientcmd.ConfigOverrides{CurrentContext: cfg.ConfigContext})
	ns, _, err := cc.Namespace()
	if err != nil || ns == "" {
		return "default"
	}
	return ns
}

// expandHome replaces a leading "~/" by the home directory.
func expandHome(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if strings.HasPrefix(p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				p = filepath.Join(home, p[2:])
			}
		}
		out = append(out, p)
	}
	return out
}
