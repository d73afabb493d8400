package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// waitOptions are the flags of `wait`.
type waitOptions struct {
	namespace         string
	allNamespaces     bool
	selector          string
	output            string
	timeout           time.Duration
	kubeconfig        string
	context           string
	noFailFast        bool
	skipNotReadyNodes bool
	stuckGrace        time.Duration
}

const waitLong = `Wait until each DaemonSet's controller has seen its latest generation and every node it should run on runs a ready, available pod of the current template (and none runs where it should not).

Name the DaemonSets as kubectl does (daemonset/NAME, daemonset NAME, ds/NAME, ds NAME, several names) or select them with -l in the namespace (-n, else the context's), or in every namespace with -A -l. Several DaemonSets are waited for concurrently, each with the same options and the same --timeout.

Each DaemonSet is watched, not polled. A line goes to standard error each time a counter changes; the final status of each DaemonSet goes to standard output, as text or, with -o json, as one JSON document {"daemonSets": [{"namespace", "name", "converged", "generation", "status": {the counters}, "warnings", "error", "cause"}]} where cause is timeout, stuck, deleted, cancelled, unreachable or error. The wait ends early when a pod of the current template can never start (bad image name, missing config, host port taken; image pulls and crash loops after --stuck-grace) unless --no-fail-fast is given; the stuck nodes, pods and reasons go to standard error.

Cluster, as kubectl finds it: --kubeconfig, else the files in $KUBECONFIG, else ~/.kube/config, else (in a pod) the service account; --context, else the current context.

Exit codes:
  0  every DaemonSet converged
  1  a DaemonSet did not converge (timeout, stuck pods, deleted, not found, none matches -l), with the diagnosis
  2  usage or configuration error (bad arguments or flags, no kubeconfig, unknown context, bad selector, credentials rejected)
  3  the cluster cannot be reached (connection refused, DNS, TLS, the API server timing out)`

func newWaitCommand(_ string, s streams) *cobra.Command {
	o := waitOptions{timeout: defaultWaitTimeout, stuckGrace: rollout.DefaultStuckGrace, output: "text"}
	cmd := &cobra.Command{
		Use:   "wait (daemonset/NAME... | daemonset NAME... | daemonset -l SELECTOR)",
		Short: "Wait until DaemonSets have converged, or say why they cannot",
		Long:  waitLong,
		Example: "  kubedaemon wait daemonset/fluent-bit -n logging --timeout 10m\n" +
			"  kubedaemon wait ds node-exporter --context prod --skip-not-ready-nodes\n" +
			"  kubedaemon wait ds -A -l app.kubernetes.io/part-of=observability -o json",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWait(cmd.Context(), s, args, o)
		},
	}
	// Bad flags are usage errors (exit 2) like bad arguments.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	f := cmd.Flags()
	f.StringVarP(&o.namespace, "namespace", "n", "", "namespace of the DaemonSets (default: the context's, else \"default\")")
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "with -l, select DaemonSets in every namespace")
	f.StringVarP(&o.selector, "selector", "l", "", "wait for every DaemonSet whose labels match, e.g. app=fluent-bit,tier!=test")
	f.StringVarP(&o.output, "output", "o", o.output, "final status format: text or json")
	f.DurationVar(&o.timeout, "timeout", o.timeout, "how long to wait before giving up with a diagnosis (more than 0)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else the pod's service account)")
	f.StringVar(&o.context, "context", "", "kubeconfig context (default: the current context)")
	f.BoolVar(&o.noFailFast, "no-fail-fast", false, "keep waiting until the timeout even when pods are stuck for good")
	f.BoolVar(&o.skipNotReadyNodes, "skip-not-ready-nodes", false, "converge on the Ready nodes and warn about NotReady ones")
	f.DurationVar(&o.stuckGrace, "stuck-grace", o.stuckGrace, "how long image pull errors and crash loops may last before they count as stuck")
	return cmd
}

func runWait(ctx context.Context, s streams, args []string, o waitOptions) error {
	targets, err := parseWaitTargets(args, o.selector, o.allNamespaces)
	if err != nil {
		return err
	}
	if err := validateWaitFlags(o); err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cc, client, err := connect(ctx, o.kubeconfig, o.context, o.namespace, o.timeout)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	keys, err := resolveTargets(ctx, client, cc, targets)
	if err != nil {
		return err
	}
	outcomes := waitAll(ctx, client, cc, keys, o, &lockedWriter{w: s.errOut})
	return writeWaitOutcomes(s.out, s.errOut, o.output, outcomes)
}

// objectKey is one DaemonSet to wait for.
type objectKey struct{ namespace, name string }

// resolveTargets lists the DaemonSets that match the selector, or returns
// the named ones.
func resolveTargets(ctx context.Context, client *rollout.Client, cc *clusterConfig, t waitTargets) ([]objectKey, error) {
	if t.selector == "" {
		keys := make([]objectKey, 0, len(t.names))
		for _, n := range t.names {
			keys = append(keys, objectKey{cc.namespace, n})
		}
		return keys, nil
	}
	ns, where := cc.namespace, fmt.Sprintf("in namespace %q", cc.namespace)
	if t.allNamespaces {
		ns, where = metav1.NamespaceAll, "in any namespace"
	}
	list, err := client.Clientset.AppsV1().DaemonSets(ns).List(ctx, metav1.ListOptions{LabelSelector: t.selector})
	switch {
	case err != nil && isUnreachable(err):
		return nil, unreachableError(cc, err)
	case err != nil:
		return nil, fmt.Errorf("list daemonsets %s matching -l %s: %w", where, t.selector, err)
	case len(list.Items) == 0:
		return nil, &exitError{code: exitNotConverged, msg: fmt.Sprintf("no DaemonSet %s matches -l %s", where, t.selector)}
	}
	keys := make([]objectKey, 0, len(list.Items))
	for _, ds := range list.Items {
		keys = append(keys, objectKey{ds.Namespace, ds.Name})
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].namespace != keys[j].namespace {
			return keys[i].namespace < keys[j].namespace
		}
		return keys[i].name < keys[j].name
	})
	return keys, nil
}

// waitAll waits for every DaemonSet at once and returns the outcomes in the
// order of keys. Progress lines go to progress as they come.
func waitAll(ctx context.Context, client *rollout.Client, cc *clusterConfig, keys []objectKey, o waitOptions, progress io.Writer) []waitOutcome {
	outcomes := make([]waitOutcome, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.WaitDaemonSet(ctx, k.namespace, k.name, rollout.WaitOptions{
				FailFast:          !o.noFailFast,
				SkipNotReadyNodes: o.skipNotReadyNodes,
				StuckGrace:        o.stuckGrace,
				Progress:          func(line string) { fmt.Fprintln(progress, line) },
			})
			outcomes[i] = waitOutcome{namespace: k.namespace, name: k.name, result: res, err: withFlagRemedy(err)}
			if err != nil && isUnreachable(err) {
				outcomes[i].unreachable = true
				outcomes[i].err = unreachableError(cc, err)
			}
		}()
	}
	wg.Wait()
	return outcomes
}

// lockedWriter serialises the progress lines of concurrent waits.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
