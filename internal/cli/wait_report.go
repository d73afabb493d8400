package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// waitOutcome is how the wait for one DaemonSet ended.
type waitOutcome struct {
	namespace, name string
	// result is set when the DaemonSet converged, err otherwise.
	result *rollout.WaitResult
	err    error
	// unreachable marks an err that says the cluster could not be reached.
	unreachable bool
}

// flagRemedy is a wait error with what to change said in flags: the rollout
// package states facts and the knobs that would change the outcome, and the
// command line names them.
type flagRemedy struct {
	err *rollout.NotConvergedError
}

// withFlagRemedy wraps a *rollout.NotConvergedError; other errors pass as
// they are.
func withFlagRemedy(err error) error {
	var nce *rollout.NotConvergedError
	if !errors.As(err, &nce) || len(nce.Knobs) == 0 {
		return err
	}
	return &flagRemedy{err: nce}
}

func (f *flagRemedy) Unwrap() error { return f.err }

func (f *flagRemedy) Error() string {
	var b strings.Builder
	b.WriteString(f.err.Error())
	for _, k := range f.err.Knobs {
		switch k {
		case rollout.KnobFailFast:
			b.WriteString("\nTo wait out such states instead, pass --no-fail-fast.")
		case rollout.KnobSkipNotReadyNodes:
			b.WriteString("\nTo converge without the NotReady nodes, pass --skip-not-ready-nodes.")
		case rollout.KnobTimeout:
			b.WriteString("\nIf the rollout is only slow, raise --timeout.")
		}
	}
	return b.String()
}

// waitReport is the document `wait -o json` prints.
type waitReport struct {
	DaemonSets []daemonSetReport `json:"daemonSets"`
}

// daemonSetReport is one DaemonSet of a waitReport. Status is null when the
// DaemonSet was never seen; Error and Cause are set when it did not converge.
type daemonSetReport struct {
	Namespace  string          `json:"namespace"`
	Name       string          `json:"name"`
	Converged  bool            `json:"converged"`
	Generation int64           `json:"generation"`
	Status     *statusCounters `json:"status"`
	Warnings   []string        `json:"warnings,omitempty"`
	Error      string          `json:"error,omitempty"`
	Cause      string          `json:"cause,omitempty"`
}

// statusCounters are the DaemonSet status fields the wait decides on, named
// as in the Kubernetes API.
type statusCounters struct {
	ObservedGeneration     int64 `json:"observedGeneration"`
	DesiredNumberScheduled int32 `json:"desiredNumberScheduled"`
	CurrentNumberScheduled int32 `json:"currentNumberScheduled"`
	UpdatedNumberScheduled int32 `json:"updatedNumberScheduled"`
	NumberReady            int32 `json:"numberReady"`
	NumberAvailable        int32 `json:"numberAvailable"`
	NumberMisscheduled     int32 `json:"numberMisscheduled"`
}

func countersOf(st appsv1.DaemonSetStatus) *statusCounters {
	return &statusCounters{
		ObservedGeneration:     st.ObservedGeneration,
		DesiredNumberScheduled: st.DesiredNumberScheduled,
		CurrentNumberScheduled: st.CurrentNumberScheduled,
		UpdatedNumberScheduled: st.UpdatedNumberScheduled,
		NumberReady:            st.NumberReady,
		NumberAvailable:        st.NumberAvailable,
		NumberMisscheduled:     st.NumberMisscheduled,
	}
}

// cause is why the wait did not converge: rollout's own cause ("timeout",
// "stuck", "deleted", "cancelled"), "unreachable", or "error".
func (o waitOutcome) cause() string {
	var nce *rollout.NotConvergedError
	switch {
	case o.err == nil:
		return ""
	case errors.As(o.err, &nce):
		return string(nce.Cause)
	case o.unreachable:
		return "unreachable"
	default:
		return "error"
	}
}

// report is the outcome as JSON sees it.
func (o waitOutcome) report() daemonSetReport {
	r := daemonSetReport{Namespace: o.namespace, Name: o.name}
	var nce *rollout.NotConvergedError
	switch {
	case o.err == nil && o.result != nil:
		ds := o.result.DaemonSet
		r.Converged, r.Generation, r.Status = true, ds.Generation, countersOf(ds.Status)
		r.Warnings = o.result.Warnings
	case errors.As(o.err, &nce):
		r.Generation = nce.Generation
		if nce.Generation != 0 { // 0: the wait never saw the DaemonSet
			r.Status = countersOf(nce.Status)
		}
	}
	if o.err != nil {
		r.Error, r.Cause = o.err.Error(), o.cause()
	}
	return r
}

// buildWaitReport is the JSON document of outcomes, in their order.
func buildWaitReport(outcomes []waitOutcome) waitReport {
	r := waitReport{DaemonSets: make([]daemonSetReport, 0, len(outcomes))}
	for _, o := range outcomes {
		r.DaemonSets = append(r.DaemonSets, o.report())
	}
	return r
}

// statusLine is the final line of one DaemonSet on standard output.
func (o waitOutcome) statusLine() string {
	key := o.namespace + "/" + o.name
	if o.err == nil && o.result != nil {
		ds := o.result.DaemonSet
		return fmt.Sprintf("daemonset %s converged: generation %d on %d node(s)", key, ds.Generation, ds.Status.DesiredNumberScheduled)
	}
	return fmt.Sprintf("daemonset %s did not converge (%s)", key, o.cause())
}

// writeWaitOutcomes prints the outcomes (text or JSON) on out and the
// warnings on errOut, and returns the error that sets the exit code: 3 when
// a cluster could not be reached, 1 when any DaemonSet did not converge,
// with every diagnosis.
func writeWaitOutcomes(out, errOut io.Writer, output string, outcomes []waitOutcome) error {
	if output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(buildWaitReport(outcomes)); err != nil {
			return err
		}
	}
	code := 0
	var diagnoses []string
	for _, o := range outcomes {
		if output != "json" {
			fmt.Fprintln(out, o.statusLine())
		}
		if o.result != nil {
			for _, w := range o.result.Warnings {
				fmt.Fprintln(errOut, "Warning:", w)
			}
		}
		if o.err == nil {
			continue
		}
		diagnoses = append(diagnoses, o.err.Error())
		if o.unreachable {
			code = exitUnreachable
		} else if code == 0 {
			code = exitNotConverged
		}
	}
	if code == 0 {
		return nil
	}
	return &exitError{code: code, msg: strings.Join(diagnoses, "\n\n")}
}
