package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// rolloutOptions are the flags of `rollout`.
type rolloutOptions struct {
	namespace      string
	kubeconfig     string
	context        string
	waves          []string
	soak           time.Duration
	maxUnavailable string
	maxRestarts    int
	onFailure      string
	timeout        time.Duration
	noFailFast     bool
	stuckGrace     time.Duration
}

const rolloutLong = `Roll a DaemonSet's new template out wave by wave: replace the pods of the first wave's nodes, wait until each new pod is ready and available, let them soak, then go on to the next wave. Nothing is installed in the cluster; the rollout progresses while this command runs.

The DaemonSet must use updateStrategy OnDelete (so that the controller does not replace pods itself) and carry the new template already (kubectl apply, kubectl set image). Each --wave takes, of the nodes no earlier wave took, those a node label selector matches (env=dev), a count (3) or a percent (25%); nodes no wave takes form a last wave. --max-unavailable (a number or a percent of the wave's nodes) paces each wave.

A wave fails when a new pod restarts more than --max-restarts times or is stuck (bad image, crash loop, unschedulable; after --stuck-grace for pulls and crash loops). --on-failure rollback (the default) patches the previous template back from the DaemonSet's revision history, as kubectl rollout undo does, and replaces the new pods with pods of it; halt leaves the nodes of the waves so far on the new template. Progress is recorded in the DaemonSet's kubedaemon.dev/rollout annotation: a rollout that was interrupted (Ctrl-C, --timeout) or halted resumes from its wave when the command runs again.

Exit codes:
  0  every node runs the new template
  1  a wave failed (rolled back or halted) or the rollout was interrupted, with the nodes and reasons
  2  usage or configuration error
  3  the cluster cannot be reached`

func newRolloutCommand(_ string, s streams) *cobra.Command {
	o := rolloutOptions{timeout: 30 * time.Minute, stuckGrace: rollout.DefaultStuckGrace, onFailure: string(rollout.OnFailureRollback),
		maxUnavailable: "1"}
	cmd := &cobra.Command{
		Use:   "rollout (daemonset/NAME | daemonset NAME) --wave SELECTOR|COUNT|PERCENT...",
		Short: "Roll a DaemonSet's new template out in waves of nodes, with automatic rollback",
		Long:  rolloutLong,
		Example: "  kubedaemon rollout daemonset/fluent-bit -n logging --wave env=dev --wave 25% --soak 2m\n" +
			"  kubedaemon rollout ds node-exporter --wave 1 --wave 50% --max-unavailable 10% --on-failure halt",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRollout(cmd.Context(), s, args, o)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return rolloutUsageError("%v", err) })
	f := cmd.Flags()
	f.StringVarP(&o.namespace, "namespace", "n", "", "namespace of the DaemonSet (default: the context's, else \"default\")")
	f.StringArrayVar(&o.waves, "wave", nil, "a wave, in order: a node label selector (env=dev), a count (3) or a percent of the remaining nodes (25%)")
	f.DurationVar(&o.soak, "soak", 0, "how long each wave's new pods must run cleanly before the next wave")
	f.StringVar(&o.maxUnavailable, "max-unavailable", o.maxUnavailable, "nodes of a wave whose pod may be unavailable at a time: a number or a percent of the wave")
	f.IntVar(&o.maxRestarts, "max-restarts", 0, "restarts of a new pod that fail its wave")
	f.StringVar(&o.onFailure, "on-failure", o.onFailure, "what a failed wave does: rollback or halt")
	f.DurationVar(&o.timeout, "timeout", o.timeout, "how long the rollout may take; it resumes from its wave when run again")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else the pod's service account)")
	f.StringVar(&o.context, "context", "", "kubeconfig context (default: the current context)")
	f.BoolVar(&o.noFailFast, "no-fail-fast", false, "do not fail a wave on stuck pods (restarts still count)")
	f.DurationVar(&o.stuckGrace, "stuck-grace", o.stuckGrace, "how long image pull errors and crash loops may last before they fail a wave")
	return cmd
}

func rolloutUsageError(format string, a ...any) *exitError {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, a...) + "\nSee 'kubedaemon rollout --help'."}
}

// wavesFromFlags checks the flags and builds the rollout's options.
func wavesFromFlags(o rolloutOptions) (rollout.WavesOptions, error) {
	opts := rollout.WavesOptions{MaxRestarts: int32(o.maxRestarts), OnFailure: rollout.OnFailure(o.onFailure)}
	switch {
	case o.onFailure != string(rollout.OnFailureRollback) && o.onFailure != string(rollout.OnFailureHalt):
		return opts, rolloutUsageError("--on-failure %q: want rollback or halt", o.onFailure)
	case o.timeout <= 0:
		return opts, rolloutUsageError("--timeout must be longer than 0, e.g. 30m (got %s)", o.timeout)
	case o.soak < 0:
		return opts, rolloutUsageError("--soak must not be negative (got %s)", o.soak)
	case o.soak > 0 && len(o.waves) == 0:
		return opts, rolloutUsageError("--soak needs at least one --wave: it is how long each wave soaks before the next")
	case o.maxRestarts < 0:
		return opts, rolloutUsageError("--max-restarts must be 0 or more (got %d)", o.maxRestarts)
	}
	mu := intstr.Parse(o.maxUnavailable)
	if n, err := intstr.GetScaledValueFromIntOrPercent(&mu, 100, true); err != nil || n < 1 ||
		(mu.Type == intstr.String && !strings.HasSuffix(o.maxUnavailable, "%")) || (strings.HasSuffix(o.maxUnavailable, "%") && n > 100) {
		return opts, rolloutUsageError("--max-unavailable %q: want a number of at least 1 (2) or a percent from 1%% to 100%% (25%%)", o.maxUnavailable)
	}
	for i, s := range o.waves {
		w, err := rollout.ParseWave(s)
		if err != nil {
			return opts, rolloutUsageError("--wave[%d]: %v", i, err)
		}
		for j, prev := range opts.Waves {
			if w.Selector != nil && prev.Selector != nil && !rollout.Disjoint(prev.Selector, w.Selector) {
				return opts, rolloutUsageError("--wave[%d] %q overlaps --wave[%d] %q: a node could match both; make them exclusive on one label (env=dev, then env!=dev)",
					i, s, j, o.waves[j])
			}
		}
		w.MaxUnavailable, w.Soak = &mu, o.soak
		opts.Waves = append(opts.Waves, w)
	}
	// The nodes no --wave takes (every node, without --wave) go at the
	// same pace.
	opts.Default = rollout.Wave{MaxUnavailable: &mu, Soak: o.soak}
	return opts, nil
}

func runRollout(ctx context.Context, s streams, args []string, o rolloutOptions) error {
	names, err := parseDaemonSetNames(args)
	if err != nil {
		return rolloutUsageError("%s", strings.TrimSuffix(err.Error(), "\nSee 'kubedaemon wait --help'."))
	}
	if len(names) != 1 {
		return rolloutUsageError("name one DaemonSet: daemonset/NAME or daemonset NAME")
	}
	opts, err := wavesFromFlags(o)
	if err != nil {
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
	ds, err := client.Clientset.AppsV1().DaemonSets(cc.namespace).Get(ctx, names[0], metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return &exitError{code: exitNotConverged, msg: fmt.Sprintf("daemonset %s/%s not found", cc.namespace, names[0])}
	case err != nil:
		return &exitError{code: exitNotConverged, msg: err.Error()}
	case ds.Spec.UpdateStrategy.Type != appsv1.OnDeleteDaemonSetStrategyType:
		return rolloutUsageError("daemonset %s/%s uses updateStrategy %s, so its controller replaces the pods itself. Switch it to "+
			"OnDelete before changing its template: kubectl patch ds %s -n %s -p '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}'",
			cc.namespace, names[0], ds.Spec.UpdateStrategy.Type, names[0], cc.namespace)
	}
	errOut := &lockedWriter{w: s.errOut}
	opts.Wait = rollout.WaitOptions{FailFast: !o.noFailFast, StuckGrace: o.stuckGrace,
		Progress: func(line string) { fmt.Fprintln(errOut, line) }}
	res, err := client.RolloutWaves(ctx, cc.namespace, names[0], opts)
	if err != nil {
		if isUnreachable(err) {
			return unreachableError(cc, err)
		}
		// A *rollout.WaveError names the wave, its nodes and the reasons.
		return &exitError{code: exitNotConverged, msg: err.Error()}
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(errOut, "Warning:", w)
	}
	fmt.Fprintf(s.out, "daemonset %s/%s rolled out: %d wave(s), %d/%d nodes updated\n", cc.namespace, names[0],
		res.Record.Waves, res.DaemonSet.Status.UpdatedNumberScheduled, res.DaemonSet.Status.DesiredNumberScheduled)
	return nil
}
