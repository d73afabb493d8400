package rollout

import (
	"context"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// RolloutAnnotation is the DaemonSet annotation where a progressive rollout
// records how far it got, so that a later apply (or `kubedaemon rollout`)
// resumes it and a plan can tell an unfinished rollout from a finished one.
// It is written by its own field manager (the client's, suffixed
// "-rollout"), so applying the DaemonSet never removes it.
const RolloutAnnotation = "kubedaemon.dev/rollout"

// Result is where a rollout stands.
type Result string

// The results of a rollout.
const (
	// ResultProgressing: the rollout runs, or was interrupted (Terraform
	// stopped, the provider crashed, the deadline passed) and can resume.
	ResultProgressing Result = "progressing"
	// ResultComplete: every node runs the current template.
	ResultComplete Result = "complete"
	// ResultHalted: a wave failed and on_failure = "halt" left the earlier
	// waves on the new template and the rest on the old one.
	ResultHalted Result = "halted"
	// ResultRolledBack: a wave failed and the previous template was applied
	// again and rolled out to the nodes that had the new one.
	ResultRolledBack Result = "rolled-back"
)

// Record is what RolloutAnnotation holds.
type Record struct {
	// Generation is the DaemonSet generation the rollout rolls out; a record
	// of another generation describes an older template.
	Generation int64 `json:"generation"`
	// From is the revision hash the nodes ran before (the rollback target).
	From string `json:"from,omitempty"`
	// Waves is the number of waves, Done how many of them finished.
	Waves int `json:"waves"`
	Done  int `json:"done"`
	// Wave names the wave in progress or the one that failed.
	Wave   string `json:"wave,omitempty"`
	Result Result `json:"result"`
	// Message is why the rollout halted or rolled back.
	Message string `json:"message,omitempty"`
}

// Status is what a plan and the state show of a DaemonSet's rollout.
type Status struct {
	// Generation is the DaemonSet generation the status is about.
	Generation int64
	// Updated and Desired count nodes (the DaemonSet's status).
	Updated, Desired int32
	// Waves and Done count waves; both 0 without a progressive rollout.
	Waves, Done int
	Wave        string
	Result      Result
	Message     string
}

// Unfinished reports whether the rollout still has to run: it is
// progressing (or was interrupted) or halted.
func (s Status) Unfinished() bool {
	return s.Result == ResultProgressing || s.Result == ResultHalted
}

// Summary is a short line for a plan: "resume rollout: wave 2/3 (env=prod)".
func (s Status) Summary() string {
	switch {
	case s.Result == ResultHalted:
		return fmt.Sprintf("rollout halted in wave %d/%d (%s): %s", s.Done+1, s.Waves, s.Wave, s.Message)
	case s.Result == ResultProgressing && s.Waves > 0:
		return fmt.Sprintf("resume rollout: wave %d/%d (%s), %d/%d nodes updated", min(s.Done+1, s.Waves), s.Waves, s.Wave, s.Updated, s.Desired)
	case s.Result == ResultProgressing:
		return fmt.Sprintf("rollout of generation %d unfinished: %d/%d nodes updated", s.Generation, s.Updated, s.Desired)
	}
	return string(s.Result)
}

// RecordOf reads the DaemonSet's rollout record; ok is false when it has none
// or the one it has is of another generation.
func RecordOf(ds *appsv1.DaemonSet) (Record, bool) {
	raw := ds.Annotations[RolloutAnnotation]
	if raw == "" {
		return Record{}, false
	}
	var r Record
	if err := json.Unmarshal([]byte(raw), &r); err != nil || r.Generation != ds.Generation {
		return Record{}, false
	}
	return r, true
}

// StatusOf says where the DaemonSet's rollout stands, from the object alone
// (no request): its rollout record when it has one for its generation, else
// its status counters. Without a record the rollout is unfinished when the
// controller has not seen the generation yet, or when a RollingUpdate has not
// reached every node with the current template (an update whose wait was
// interrupted or failed). Pods that are merely not ready do not count: a
// crash-looping pod or a NotReady node is the status's to show, not a reason
// to plan an update on every refresh. With skipNotReady the template's reach
// is not judged either, since a NotReady node keeps its old pod and the
// counters cannot tell which nodes are NotReady.
func StatusOf(ds *appsv1.DaemonSet, skipNotReady bool) Status {
	s := Status{Generation: ds.Generation, Updated: ds.Status.UpdatedNumberScheduled, Desired: ds.Status.DesiredNumberScheduled,
		Result: ResultComplete}
	if r, ok := RecordOf(ds); ok {
		s.Waves, s.Done, s.Wave, s.Result, s.Message = r.Waves, r.Done, r.Wave, r.Result, r.Message
		return s
	}
	onDelete := ds.Spec.UpdateStrategy.Type == appsv1.OnDeleteDaemonSetStrategyType
	switch {
	case ds.Status.ObservedGeneration < ds.Generation:
		s.Result = ResultProgressing
	case !onDelete && !skipNotReady && s.Updated < s.Desired:
		s.Result = ResultProgressing
	}
	return s
}

// writeRecord stores r on the DaemonSet with a merge patch of its own field
// manager; it returns the patched DaemonSet.
func (c *Client) writeRecord(ctx context.Context, ds *appsv1.DaemonSet, r Record) (*appsv1.DaemonSet, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{RolloutAnnotation: string(raw)}}})
	if err != nil {
		return nil, err
	}
	out, err := c.Clientset.AppsV1().DaemonSets(ds.Namespace).Patch(ctx, ds.Name, types.MergePatchType, patch,
		metav1.PatchOptions{FieldManager: c.FieldManager + "-rollout"})
	if err != nil {
		return nil, fmt.Errorf("record rollout progress on daemonset %s/%s: %w", ds.Namespace, ds.Name, err)
	}
	return out, nil
}
