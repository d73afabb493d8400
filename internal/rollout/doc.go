// Package rollout applies objects with server-side apply, waits until a
// DaemonSet has really converged, says why when it cannot, and deletes
// objects and waits until they are gone. The provider's resources and the
// `wait` command use it; it knows nothing of Terraform.
//
// # Apply
//
// Apply is server-side apply as Client.FieldManager. A field that another
// manager owns makes the API server answer 409 with one FieldManagerConflict
// cause per field; Apply turns that into a *ConflictError naming each field
// and its manager; the caller says how to take them over (ApplyOptions.Force,
// the provider's force_conflicts). Nothing is overwritten without Force.
//
// # When a DaemonSet has converged
//
// decide (status.go) is a pure function of the DaemonSet, table-tested by
// scenario. Converged means status.observedGeneration >= metadata.generation
// (so the counters of the previous generation, which still read 3/3 right
// after an update, never end a wait) and desired == current == updated ==
// ready == available, and no misscheduled pod. That is kubectl's
// DaemonSetStatusViewer plus current, ready and misscheduled. Special cases:
//
//   - OnDelete: updated pods appear only when someone deletes the old ones,
//     so the wait ends when current == ready == available == desired and
//     warns how many pods still run an old template (pods whose
//     pod-template-generation label, or controller-revision-hash, is not the
//     DaemonSet's current one).
//   - Misscheduled pods the controller leaves running: a pod whose node got
//     a NoSchedule taint it does not tolerate stays (only NoExecute evicts)
//     and is counted misscheduled for good. When the counters fall short
//     only by such pods, one listing of the pods and nodes
//     (placement.ContinuesRunning) confirms it, and the wait ends with a
//     warning naming their nodes.
//   - desired == 0: the wait ends at once with a warning that counts the
//     nodes and how many the node selector, the required affinity and
//     untolerated taints exclude, evaluated by internal/placement with the
//     controller's rules.
//   - NotReady nodes: by default they are named in a progress line and in
//     the diagnosis, and the wait goes on; a NotReady node counts whether
//     its pod lags or it has no live pod at all (an old pod stays
//     Terminating on a node without a kubelet, and the controller creates
//     the new one only after it is gone). With SkipNotReadyNodes the
//     counters may fall short of desired by the number of such nodes, but
//     only once a listing of the pods shows that every other node that
//     should run the daemon runs a current, ready pod (the counters cannot
//     tell which node falls short); the result warns which nodes it
//     skipped.
//
// # Requests: watch the DaemonSet, list pods only when it stands still
//
// The wait is watchtools.UntilWithSync on a ListWatch narrowed to the one
// DaemonSet by a metadata.name field selector: one list, then one watch
// that client-go resumes from the last resourceVersion, re-lists after
// 410 Gone and reconnects when the connection drops or the API server
// restarts. There is no poll loop: the condition runs on every event, so the
// wait returns as soon as the event that completes the status arrives. The
// DaemonSet's status carries every counter the decision needs, whatever the
// number of nodes, so a rollout that progresses costs two requests.
//
// Pods are read only when the status has stood still for a quiet period:
// 2 s at first, doubling after each diagnosis up to 1 min, and never shorter
// than twice the longest pause between two changes of the status seen so
// far in this wait (capped at 1 min). A rollout whose status keeps changing
// at its own pace, however slow (a controller that needs seconds per sync
// at thousands of nodes, image pulls of half a minute), is thus never
// diagnosed: its progress is in the status. A diagnosis lists the pods once
// through the selector, 500 per page, and keeps of each page only what it
// needs of the pods that lag (node, pod name, phase, reason, message), never
// the pods themselves, so its memory does not grow with the cluster; the
// nodes of the pods that lag are read (one by one up to 10, else listed by
// pages, keeping their names and readiness) to tell NotReady nodes. When
// fewer nodes hold a live pod than desired, the nodes are listed instead
// (500 per page) and evaluated one by one with the controller's rules
// (internal/placement) to name the nodes without a pod. When fewer pods of
// the current template exist than desired, one list of the DaemonSet's
// Warning events (by its UID) tells whether the controller fails to create
// them. Pod events are read only for the at most 10 pods an error names,
// when their status carries no message. A problem in its grace period
// schedules one more diagnosis when the grace ends. With SkipNotReadyNodes,
// a status whose counters reach desired but for the skipped nodes triggers
// one diagnosis at once, to check the pods before converging; that happens
// only near the end of a rollout, on a status change. A wait of duration T
// therefore makes at most about log2(T/2s) + T/1min diagnoses (10 in a
// 10-minute wait) while the status stands still, and none while it moves,
// each of ceil(pods/500) + ceil(nodes/500) requests plus a bounded few, and
// one more at the deadline. The counters come from the watch only.
//
// # Diagnosis
//
// The DaemonSet controller itself may fail: when the API server refuses the
// pods it creates (a ServiceAccount that does not exist, an exceeded
// ResourceQuota, a pod security admission), no pod exists to diagnose and
// the controller records a FailedCreate Warning event on the DaemonSet;
// pods that keep failing on a node give FailedDaemonPod. The latest such
// event since the spec last changed (the newest managed-fields time outside
// the status; older events describe an older template) is stuck at once for
// a forbidden pod and after StuckGrace otherwise, and is reported as
// "daemonset controller: REASON: MESSAGE".
//
// A pod of the current template on a node that is not NotReady is stuck when
// it waits with InvalidImageName, ErrImageNeverPull or
// CreateContainerConfigError (at once), with ErrImagePull, ImagePullBackOff
// or CrashLoopBackOff for longer than StuckGrace (counted from the pod's last
// Ready transition), waits for its sandbox (Pending, PodReadyToStartContainers
// not True) with a FailedMount Warning event of the kubelet on it for longer
// than StuckGrace (counted from the first such event; its message is the
// pod's), or is Unschedulable: at once when the scheduler says a
// host port is taken, resources are insufficient or a taint is not tolerated,
// after StuckGrace otherwise. With FailFast such a pod ends the wait with a
// *NotConvergedError (Cause CauseStuck) naming node, pod, phase, container,
// reason and message (the last termination for crash loops, the latest
// Warning event when the status has none), 10 at most, then how many more
// pods of the current template are failing and how many of those are past
// the grace period: every failing pod is counted, not only the stuck ones.
// At the deadline the same error (CauseTimeout) lists every pod that lags,
// stuck ones first, with the same counts. Cancellation and deletion during
// the wait end it with CauseCancelled and CauseDeleted. The error states
// facts; its Knobs say which setting (fail-fast, skipping NotReady nodes, the
// timeout) would have changed the outcome, and the caller names it in its
// own terms: the provider an attribute, the command line a flag.
//
// # Progressive rollouts
//
// RolloutWaves (waves_run.go) replaces the pods of an OnDelete DaemonSet
// itself, wave by wave, instead of letting the controller replace them all:
// each Wave takes, of the nodes that run the daemon and that no earlier wave
// took, those its node label selector matches or a count or percent of them
// in name order (assignWaves, a pure function); the nodes left over form a
// last wave. Per wave it deletes old pods, at most MaxUnavailable of the
// wave's nodes without an available pod at a time (old pods that are not
// available go first and cost nothing), lets the controller create their
// replacements from the current template, waits until each is available
// (ready for minReadySeconds) and soaks. A new pod that restarts more than
// MaxRestarts times, or is stuck as the wait decides it (FailFast), fails the
// wave: OnFailureHalt stops there; OnFailureRollback applies the template of
// the revision the nodes ran before (from the ControllerRevisions) and
// replaces the failed template's pods at once. Pods are matched to the current
// revision as the controller matches them: by template generation or by hash,
// since a rollback makes an older hash current again.
//
// The pods come from one informer (one list, one watch) trimmed to what the
// rollout reads; nodes are listed once. Progress is a Record in the
// kubedaemon.dev/rollout annotation, written by a field manager of its own
// (the client's plus "-rollout", so applying the DaemonSet keeps it): the
// generation, the revision rolled out from, the waves done and the result.
// A run for the same generation resumes after the last finished wave, so an
// interrupted or halted rollout continues where it stopped; StatusOf reads
// the record (or, without one, the status counters) to tell a caller, such as
// a Terraform plan, that a rollout is unfinished.
//
// # Delete
//
// Delete removes an object with Foreground propagation by default (the
// garbage collector removes the owner only after its dependents that block
// owner deletion, such as a DaemonSet's pods), Background, or Orphan, and
// watches until the object with that UID is gone. An object already gone
// is a success.
package rollout
