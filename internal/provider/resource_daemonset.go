package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

var (
	_ resource.ResourceWithConfigure      = (*daemonSetResource)(nil)
	_ resource.ResourceWithImportState    = (*daemonSetResource)(nil)
	_ resource.ResourceWithValidateConfig = (*daemonSetResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*daemonSetResource)(nil)
)

// Default timeouts of the operations, overridable in the timeouts block.
const (
	defaultCreateTimeout = 10 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

// NewDaemonSetResource returns the kubedaemon_daemonset resource.
func NewDaemonSetResource() resource.Resource {
	return withIdentity(&daemonSetResource{})
}

type daemonSetResource struct {
	data *providerData
}

func (r *daemonSetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_daemonset"
}

func (r *daemonSetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withBlockTypes(daemonSetSchemaV0(ctx))
}

func (r *daemonSetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *daemonSetResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m daemonSetResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(validateDaemonSet(&m)...)
	resp.Diagnostics.Append(validateTimeouts(m.Timeouts)...)
	resp.Diagnostics.Append(validateRollout(ctx, &m)...)
}

// ModifyPlan checks the planned DaemonSet with the API server (a
// server-side dry run) when the plan creates or changes it, checks that the
// rollout's waves match nodes, plans an update that resumes an unfinished
// rollout, and warns when a template change will not reach running pods by
// itself: with OnDelete, Kubernetes replaces a pod only when it is deleted.
func (r *daemonSetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan daemonSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	waves := rolloutOf(ctx, plan.Rollout, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		r.dryRun(ctx, &plan, false, false, &resp.Diagnostics)
		r.checkWaves(ctx, &plan, waves, &resp.Diagnostics)
		return
	}
	var prior daemonSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	changed := !plan.Spec.Equal(prior.Spec) || !plan.Metadata.Equal(prior.Metadata) || !plan.ForceConflicts.Equal(prior.ForceConflicts)
	if changed {
		// After a moved block, the update first takes over the fields of
		// hashicorp/kubernetes's managers: a conflict with them is no news.
		moved, _ := req.Private.GetKey(ctx, movedFromKey)
		r.dryRun(ctx, &plan, replacesDaemonSet(&plan, &prior), len(moved) > 0, &resp.Diagnostics)
	}
	if changed || !plan.Rollout.Equal(prior.Rollout) {
		r.checkWaves(ctx, &plan, waves, &resp.Diagnostics)
	}
	if !changed {
		r.planResume(ctx, &plan, &prior, resp)
	}
	if waves != nil {
		return
	}
	var planned, priorTmpl types.Object
	tmpl := path.Root("spec").AtName("template")
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, tmpl, &planned)...)
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, tmpl, &priorTmpl)...)
	var strategy types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("spec").AtName("update_strategy").AtName("type"), &strategy)...)
	if resp.Diagnostics.HasError() || planned.Equal(priorTmpl) {
		return
	}
	if strategy.ValueString() == string(appsv1.OnDeleteDaemonSetStrategyType) {
		resp.Diagnostics.AddAttributeWarning(path.Root("spec").AtName("update_strategy").AtName("type"),
			"Pods Keep The Old Template Until Deleted",
			"update_strategy.type is \"OnDelete\": this apply changes the template, but the running pods keep the "+
				"old one until you delete them (kubectl delete pod), and the apply does not wait for that.")
	}
}

func (r *daemonSetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan daemonSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	r.applyAndWait(ctx, &plan, req.Plan.Raw, tftypes.Value{}, nil, &resp.State, &resp.Diagnostics)
}

func (r *daemonSetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan daemonSetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.AdoptMovedFields(ctx, req.Private, resp.Private, &plan, &resp.Diagnostics)
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	var prior daemonSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.applyAndWait(ctx, &plan, req.Plan.Raw, req.State.Raw, &prior, &resp.State, &resp.Diagnostics)
}

// applyAndWait is Create and Update: apply, wait (or roll out wave by wave),
// read back, set state. A DaemonSet whose wait fails is still recorded in
// the state before the error is added, so Terraform knows it (and, after a
// create, taints it), with a rollout_status that makes the next plan resume
// the rollout; a rollout that rolled back keeps prior, the state before the
// update, which is again what the cluster runs. planned is the plan's value,
// the state's but for what the cluster says; prior is the state before an
// update (the zero Value for a create), priorModel the same as a model.
func (r *daemonSetResource) applyAndWait(ctx context.Context, plan *daemonSetResourceModel, planned, prior tftypes.Value,
	priorModel *daemonSetResourceModel, state *tfsdk.State, diags *diag.Diagnostics) {
	// Terraform starts a new provider process for the apply, so the state
	// codecs (built once per process, a few ms) are built here, while the
	// apply and the rollout run, rather than after convergence.
	go func() { _, _ = daemonSetCodecsOnce() }()
	ds, _, err := daemonSetFromModel(plan)
	if err != nil {
		diags.AddError("Cannot Convert DaemonSet", err.Error())
		return
	}
	rc := r.client(diags)
	if rc == nil {
		return
	}
	live, err := rc.ApplyDaemonSet(ctx, ds, rollout.ApplyOptions{Force: plan.ForceConflicts.ValueBool()})
	if err != nil {
		addApplyError(diags, ds, err)
		return
	}
	var waitErr error
	var settled *appsv1.DaemonSet
	wait := waitOptions(ctx, plan.FailFast, plan.SkipNotReadyNodes, plan.StuckGrace)
	var priorDS *appsv1.DaemonSet
	if priorModel != nil {
		priorDS, _, _ = daemonSetFromModel(priorModel)
	}
	if waves := rolloutOf(ctx, plan.Rollout, diags); waves != nil && plan.WaitForRollout.ValueBool() && priorDS != nil {
		res, err := r.rolloutWaves(ctx, rc, ds, priorDS, plan, waves, wait)
		if err != nil {
			if waveRolledBack(err) {
				// The cluster runs the previous template again, as the
				// prior state says: keep it, so the next plan proposes
				// the change again.
				state.Raw = prior
				addWaveError(diags, err)
				return
			}
			waitErr = err
		} else {
			settled = res.DaemonSet
			for _, w := range res.Warnings {
				diags.AddWarning("DaemonSet Rollout Warning", w)
			}
		}
	} else if plan.WaitForRollout.ValueBool() {
		res, err := rc.WaitDaemonSet(ctx, ds.Namespace, ds.Name, wait)
		if err != nil {
			waitErr = err
		} else {
			settled = res.DaemonSet
			for _, w := range res.Warnings {
				diags.AddWarning("DaemonSet Rollout Warning", w)
			}
		}
	}
	if settled != nil {
		// The object of the watch event that ended the wait is the
		// cluster's DaemonSet at convergence, status and all: no read back.
		live = settled
	} else {
		// No wait, or a failed one: read the object again for its latest
		// status. The context may have run out with the wait; the read gets
		// a short one.
		readCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if cs := r.data.Clientset(diags); cs != nil {
			if got, err := cs.AppsV1().DaemonSets(ds.Namespace).Get(readCtx, ds.Name, metav1.GetOptions{}); err == nil {
				live = got
			}
		}
	}
	mask, _ := modelDocument(plan)
	setDaemonSetState(ctx, planned, live, mask, state, diags)
	setRolloutStatus(ctx, live, plan.SkipNotReadyNodes.ValueBool(), state, diags)
	if waitErr != nil {
		var we *rollout.WaveError
		if errors.As(waitErr, &we) {
			addWaveError(diags, waitErr)
		} else {
			addWaitError(diags, waitErr)
		}
	}
}

func (r *daemonSetResource) client(diags *diag.Diagnostics) *rollout.Client {
	return r.data.Rollout(diags)
}

func addApplyError(diags *diag.Diagnostics, ds *appsv1.DaemonSet, err error) {
	var conflict *k8s.ConflictError
	if errors.As(err, &conflict) {
		diags.AddAttributeError(path.Root("force_conflicts"), "Fields Owned By Another Manager", conflict.Error()+
			"\nTo take ownership and overwrite them, set force_conflicts = true; or stop setting these fields here, "+
			"or stop managing them with the other tool.")
		return
	}
	if release.MissingNamespace(err) {
		diags.AddAttributeError(path.Root("metadata").AtName("namespace"), "Namespace Does Not Exist",
			fmt.Sprintf("Namespace %q does not exist, so DaemonSet %s/%s cannot be created in it. Create it first: "+
				"with a kubernetes_namespace_v1 resource this DaemonSet depends on, with a kubedaemon_preset that has "+
				"create_namespace = true, or with kubectl create namespace %s.\n\nOriginal Error: %s",
				ds.Namespace, ds.Namespace, ds.Name, ds.Namespace, err))
		return
	}
	diags.AddError("Cannot Apply DaemonSet", fmt.Sprintf("Kubernetes refused DaemonSet %s/%s. Fix the attribute "+
		"the message names and apply again.\n\nOriginal Error: %s", ds.Namespace, ds.Name, err))
}

func addWaitError(diags *diag.Diagnostics, err error) {
	var nc *rollout.NotConvergedError
	if !errors.As(err, &nc) {
		diags.AddError("Cannot Wait For DaemonSet", err.Error())
		return
	}
	if nc.Cause == rollout.CauseDeleted {
		diags.AddError("DaemonSet Deleted While Waiting", nc.Error()+"\n\nSomeone or something deleted the "+
			"DaemonSet while its rollout was awaited (kubectl delete, another Terraform state, a controller). The "+
			"next plan sees it gone and creates it again; find what deletes it first.")
		return
	}
	diags.AddError("DaemonSet Did Not Roll Out", nc.Error()+waitRemedy(nc)+"\n\nThe DaemonSet is applied and "+
		"recorded in the state. Fix the cause and apply again (after a create, Terraform replaces the tainted "+
		"DaemonSet), or set wait_for_rollout = false to not wait.")
}

// Read works on the state's value, not on the model: what it changes are
// the id, metadata, spec and status, converted by the schema's codec
// (daemonset_codec.go); the other attributes stay as they are.
func (r *daemonSetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, err := priorDaemonSet(req.State.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read DaemonSet", err.Error())
		return
	}
	ns, name, err := parseDaemonSetID(state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid ID", err.Error())
		return
	}
	cs := r.data.Clientset(&resp.Diagnostics)
	if cs == nil {
		return
	}
	live, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		tflog.Info(ctx, "daemonset is gone; removing it from the state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read DaemonSet", fmt.Sprintf("get daemonset %s/%s: %s", ns, name, err))
		return
	}
	var mask map[string]any
	if state.Spec.IsNull() {
		// Import: no prior state says what is managed; the fields our
		// field manager owns do.
		mask, err = managedDocument(live, r.data.FieldManager())
		if err != nil {
			resp.Diagnostics.AddError("Cannot Import DaemonSet", err.Error())
			return
		}
	} else {
		mask = state.document
		// Labels and annotations that ignore_labels/ignore_annotations
		// match keep their state values: other tools' changes are no drift.
		r.data.KeepIgnoredMetadata(live, mask)
	}
	setDaemonSetState(ctx, req.State.Raw, live, mask, &resp.State, &resp.Diagnostics)
	var skip types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("skip_not_ready_nodes"), &skip)...)
	setRolloutStatus(ctx, live, skip.ValueBool(), &resp.State, &resp.Diagnostics)
}

func (r *daemonSetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state daemonSetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	ns, name, err := parseDaemonSetID(state.ID.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid ID", err.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	rc := r.client(&resp.Diagnostics)
	if rc == nil {
		return
	}
	prop := metav1.DeletionPropagation(state.DeletePropagation.ValueString())
	err = rc.Delete(ctx, appsv1.SchemeGroupVersion.WithKind("DaemonSet"), ns, name, rollout.DeleteOptions{Propagation: prop})
	if err != nil {
		resp.Diagnostics.AddError("Cannot Delete DaemonSet", fmt.Sprintf("%s\n\nWith delete_propagation = %q the "+
			"delete waits for the pods to go; raise timeouts.delete, or use \"Background\".", err, prop))
	}
}

// ImportState accepts `namespace/name`, or `name` in the default namespace.
// Read then fills in the fields that kubedaemon's field manager owns.
func (r *daemonSetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ns, name, err := parseDaemonSetID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}
	s := daemonSetSchemaV0(ctx)
	meta, err := jsonToModel(map[string]any{"name": name, "namespace": ns}, s.Blocks["metadata"].Type(), "metadata")
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}
	set := func(p path.Path, v any) { resp.Diagnostics.Append(resp.State.SetAttribute(ctx, p, v)...) }
	set(path.Root("id"), ns+"/"+name)
	set(path.Root("metadata"), meta)
	setSchemaDefaults(ctx, s, &resp.State, &resp.Diagnostics)
}

// parseDaemonSetID splits `namespace/name`; a bare name is in "default".
func parseDaemonSetID(id string) (string, string, error) {
	parts := strings.Split(id, "/")
	switch {
	case len(parts) == 1 && parts[0] != "":
		return "default", parts[0], nil
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("%q is not a DaemonSet ID: use \"namespace/name\", or \"name\" for the default namespace, "+
		"e.g. \"kube-system/node-exporter\"", id)
}
