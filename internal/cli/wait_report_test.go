package cli

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// testOutcomes are one DaemonSet of each ending: converged with a warning,
// timed out, never seen, and an unreachable cluster.
func testOutcomes() []waitOutcome {
	st := appsv1.DaemonSetStatus{ObservedGeneration: 2, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
		UpdatedNumberScheduled: 3, NumberReady: 3, NumberAvailable: 3}
	slow := appsv1.DaemonSetStatus{ObservedGeneration: 1, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
		UpdatedNumberScheduled: 1, NumberReady: 2, NumberAvailable: 2, NumberMisscheduled: 1}
	return []waitOutcome{
		{namespace: "logging", name: "fluent-bit", result: &rollout.WaitResult{
			DaemonSet: &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Generation: 2}, Status: st},
			Warnings:  []string{"careful"},
		}},
		{namespace: "monitoring", name: "node-exporter", err: &rollout.NotConvergedError{
			Namespace: "monitoring", Name: "node-exporter", Cause: "timeout", Generation: 1, Status: slow,
		}},
		{namespace: "monitoring", name: "gone", err: &rollout.NotConvergedError{
			Namespace: "monitoring", Name: "gone", Cause: "timeout",
		}},
		{namespace: "ops", name: "csi", err: &exitError{code: exitUnreachable, msg: "cannot reach the cluster"}, unreachable: true},
	}
}

func TestBuildWaitReport(t *testing.T) {
	outcomes := testOutcomes()
	want := waitReport{DaemonSets: []daemonSetReport{
		{
			Namespace: "logging", Name: "fluent-bit", Converged: true, Generation: 2,
			Status: &statusCounters{ObservedGeneration: 2, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
				UpdatedNumberScheduled: 3, NumberReady: 3, NumberAvailable: 3},
			Warnings: []string{"careful"},
		},
		{
			Namespace: "monitoring", Name: "node-exporter", Generation: 1,
			Status: &statusCounters{ObservedGeneration: 1, DesiredNumberScheduled: 3, CurrentNumberScheduled: 3,
				UpdatedNumberScheduled: 1, NumberReady: 2, NumberAvailable: 2, NumberMisscheduled: 1},
			Error: outcomes[1].err.Error(), Cause: "timeout",
		},
		{Namespace: "monitoring", Name: "gone", Error: outcomes[2].err.Error(), Cause: "timeout"},
		{Namespace: "ops", Name: "csi", Error: "cannot reach the cluster", Cause: "unreachable"},
	}}
	if diff := cmp.Diff(want, buildWaitReport(outcomes)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

// TestWaitJSONShape pins the document scripts read.
func TestWaitJSONShape(t *testing.T) {
	outcomes := testOutcomes()[:2]
	outcomes[1].err = withFlagRemedy(&rollout.NotConvergedError{Namespace: "monitoring", Name: "node-exporter", Cause: rollout.CauseStuck,
		Generation: 1, Knobs: []rollout.Knob{rollout.KnobFailFast}})
	var out, errOut bytes.Buffer
	err := writeWaitOutcomes(&out, &errOut, "json", outcomes)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitNotConverged {
		t.Fatalf("err = %#v, want exit code 1", err)
	}
	want := `{
  "daemonSets": [
    {
      "namespace": "logging",
      "name": "fluent-bit",
      "converged": true,
      "generation": 2,
      "status": {
        "observedGeneration": 2,
        "desiredNumberScheduled": 3,
        "currentNumberScheduled": 3,
        "updatedNumberScheduled": 3,
        "numberReady": 3,
        "numberAvailable": 3,
        "numberMisscheduled": 0
      },
      "warnings": [
        "careful"
      ]
    },
    {
      "namespace": "monitoring",
      "name": "node-exporter",
      "converged": false,
      "generation": 1,
      "status": {
        "observedGeneration": 0,
        "desiredNumberScheduled": 0,
        "currentNumberScheduled": 0,
        "updatedNumberScheduled": 0,
        "numberReady": 0,
        "numberAvailable": 0,
        "numberMisscheduled": 0
      },
      "error": "daemonset monitoring/node-exporter cannot converge: pods of its current template are stuck (generation 1, status of generation 0: 0 desired, 0 scheduled, 0 updated, 0 ready, 0 available, 0 misscheduled)\nFix the pod template (image, command, configuration, host ports, resources, tolerations) and apply again.\nTo wait out such states instead, pass --no-fail-fast.",
      "cause": "stuck"
    }
  ]
}
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if got := errOut.String(); got != "Warning: careful\n" {
		t.Errorf("stderr = %q, want the warning only", got)
	}
}

func TestWriteWaitOutcomesText(t *testing.T) {
	tests := []struct {
		name       string
		outcomes   []waitOutcome
		wantCode   int
		wantStdout string
	}{
		{
			name:       "converged",
			outcomes:   testOutcomes()[:1],
			wantStdout: "daemonset logging/fluent-bit converged: generation 2 on 3 node(s)\n",
		},
		{
			name:     "one timed out",
			outcomes: testOutcomes()[:2],
			wantCode: 1,
			wantStdout: "daemonset logging/fluent-bit converged: generation 2 on 3 node(s)\n" +
				"daemonset monitoring/node-exporter did not converge (timeout)\n",
		},
		{
			name:     "unreachable wins",
			outcomes: testOutcomes(),
			wantCode: 3,
			wantStdout: "daemonset logging/fluent-bit converged: generation 2 on 3 node(s)\n" +
				"daemonset monitoring/node-exporter did not converge (timeout)\n" +
				"daemonset monitoring/gone did not converge (timeout)\n" +
				"daemonset ops/csi did not converge (unreachable)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := writeWaitOutcomes(&out, &errOut, "text", tt.outcomes)
			code := 0
			if err != nil {
				var ee *exitError
				if !errors.As(err, &ee) {
					t.Fatalf("err = %v, want an *exitError", err)
				}
				code = ee.code
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStdout, out.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}
