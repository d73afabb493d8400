package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
)

var (
	_ resource.ResourceWithConfigure   = (*presetResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*presetResource)(nil)
	_ resource.ResourceWithImportState = (*presetResource)(nil)
)

// Default timeouts of the resource's operations.
const (
	presetDefaultApplyTimeout  = 10 * time.Minute
	presetDefaultDeleteTimeout = 5 * time.Minute
)

// NewPresetResource returns the kubedaemon_preset resource.
func NewPresetResource() resource.Resource {
	return &presetResource{}
}

// presetResource installs a rendered preset and keeps an inventory of it.
type presetResource struct {
	data *providerData
}

type presetResourceModel struct {
	ID                types.String   `tfsdk:"id"`
	Preset            types.String   `tfsdk:"preset"`
	Name              types.String   `tfsdk:"name"`
	Namespace         types.String   `tfsdk:"namespace"`
	Values            types.List     `tfsdk:"values"`
	Set               types.List     `tfsdk:"set"`
	Strict            types.Bool     `tfsdk:"strict"`
	SetSensitive      types.List     `tfsdk:"set_sensitive"`
	SensitiveValues   types.List     `tfsdk:"sensitive_values"`
	CRDs              types.List     `tfsdk:"crds"`
	CreateNamespace   types.Bool     `tfsdk:"create_namespace"`
	Wait              types.Bool     `tfsdk:"wait"`
	FailFast          types.Bool     `tfsdk:"fail_fast"`
	StuckGrace        types.String   `tfsdk:"stuck_grace"`
	SkipNotReadyNodes types.Bool     `tfsdk:"skip_not_ready_nodes"`
	ForceConflicts    types.Bool     `tfsdk:"force_conflicts"`
	AdoptHelmRelease  types.Bool     `tfsdk:"adopt_helm_release"`
	DeletePropagation types.String   `tfsdk:"delete_propagation"`
	Objects           types.Map      `tfsdk:"objects"`
	Inventory         types.List     `tfsdk:"inventory"`
	Manifest          types.String   `tfsdk:"manifest"`
	DaemonSets        types.List     `tfsdk:"daemonsets"`
	DaemonSetStatus   types.Map      `tfsdk:"daemonset_status"`
	Rollout           types.Object   `tfsdk:"rollout"`
	RolloutStatus     types.Map      `tfsdk:"rollout_status"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (r *presetResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_preset"
}

func (r *presetResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = presetResourceSchemaV0(ctx)
}

// presetResourceSchemaV0 is the resource's schema.
func presetResourceSchemaV0(ctx context.Context) schema.Schema {
	attrs := presetInputAttributesV0()
	attrs["id"] = schema.StringAttribute{
		Computed: true, MarkdownDescription: "`namespace/name`: the inventory's identity, what `terraform import` takes.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
	attrs["create_namespace"] = schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(false),
		MarkdownDescription: "Create `namespace` when it does not exist. The namespace is not part of the " +
			"inventory: destroy leaves it, as `helm install --create-namespace` does. Defaults to `false`.",
	}
	attrs["wait"] = schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(true),
		MarkdownDescription: "Wait until every DaemonSet of the preset runs its current template, ready and " +
			"available, on every node it should, before apply returns. Defaults to `true`.",
	}
	withWaitAttributes(attrs)
	attrs["force_conflicts"] = schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(false),
		MarkdownDescription: "Take over objects of the same kind and name that exist but are not in this " +
			"resource's inventory (created by hand or by another tool or release). Defaults to `false`: such " +
			"an object fails the apply, named, and is left untouched.",
	}
	attrs["adopt_helm_release"] = adoptHelmReleaseAttribute()
	attrs["delete_propagation"] = deletePropagationAttribute("How DaemonSet pods go when an object is deleted " +
		"(destroy, or an object a new render no longer produces)")
	attrs["objects"] = schema.MapAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "The rendered objects, rendered at plan time, as YAML keyed by `kind/namespace/name` " +
			"(empty namespace for cluster-scoped kinds): the plan shows which objects are created, changed or " +
			"deleted. A refresh that finds an object changed in the cluster prefixes its YAML with one " +
			"`# drift:` comment per changed field, so the plan shows the drift that apply puts back.",
	}
	attrs["sensitive_values"] = schema.ListAttribute{
		Optional: true, Sensitive: true, WriteOnly: true, ElementType: types.StringType,
		MarkdownDescription: "Values documents with secrets (YAML or JSON maps), merged after `values` and " +
			"before `set`. Write-only: Terraform keeps them out of the plan and the state (Terraform 1.11 or " +
			"later). Their string values are redacted wherever they appear in `objects` and `manifest`, as " +
			"`(sensitive value sha256:...)`, so that a change still shows in the plan.",
	}
	attrs["crds"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Names of the CustomResourceDefinitions in the chart's `crds/` folders. As Helm does, " +
			"apply creates each that does not exist, before any other object, and never updates or deletes " +
			"them: they are not in the inventory.",
	}
	attrs["inventory"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "The keys of `objects` in install order; destroy deletes in the reverse order.",
	}
	attrs["manifest"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "Every object as one YAML stream, as `kubedaemon render` prints it.",
	}
	attrs["daemonsets"] = schema.ListAttribute{
		Computed: true, ElementType: types.StringType,
		MarkdownDescription: "`namespace/name` of each DaemonSet, the ones apply waits for.",
	}
	attrs["daemonset_status"] = schema.MapNestedAttribute{
		Computed: true,
		MarkdownDescription: "The counters of each DaemonSet, keyed `namespace/name`, as of the last apply or " +
			"refresh: e.g. `ready == desired` once the daemon runs on every node it should.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"desired":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that should run the daemon."},
			"current":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that run a pod of it."},
			"updated":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that run the current template."},
			"ready":     schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes whose pod is ready."},
			"available": schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes whose pod is available."},
		}},
	}
	attrs["rollout_status"] = presetRolloutStatusAttribute()
	return schema.Schema{
		MarkdownDescription: "Installs a preset (built-in or a folder) with values, like `helm_release` for node " +
			"daemons: the preset is rendered at plan time so the plan shows each object that changes and values " +
			"errors point at the `values` element or `set` block at fault; apply uses server-side apply in install " +
			"order and waits until every DaemonSet runs everywhere it should. An inventory (in state, and the " +
			"`" + presetInventoryAnnotation + "` annotation on each object) deletes objects a new render no " +
			"longer produces and never overwrites an object this resource does not own unless `force_conflicts`.",
		Attributes: attrs,
		Blocks: map[string]schema.Block{
			"set":           presetSetBlockV0(),
			"set_sensitive": presetSetSensitiveBlockV0(),
			"rollout":       rolloutBlock(),
			"timeouts":      timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *presetResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan renders the preset so that the plan holds the objects.
func (r *presetResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, cfg presetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *presetResourceModel
	if !req.State.Raw.IsNull() {
		state = &presetResourceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	out, known := r.renderPresetResource(ctx, cfg, state != nil, &resp.Diagnostics)
	if !known {
		plan.Objects = types.MapUnknown(types.StringType)
		plan.Inventory = types.ListUnknown(types.StringType)
		plan.DaemonSets = types.ListUnknown(types.StringType)
		plan.CRDs = types.ListUnknown(types.StringType)
		plan.Manifest = types.StringUnknown()
		plan.DaemonSetStatus = types.MapUnknown(presetStatusType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	if out == nil {
		return
	}
	// Apply renders again, and Terraform requires it to get what the plan
	// said: a chart whose output changes from one render to the next fails
	// here, named, rather than at apply.
	again, _ := r.renderPresetResource(ctx, cfg, state != nil, &resp.Diagnostics)
	if again == nil {
		return
	}
	if keys := unstableObjects(out, again); len(keys) > 0 {
		resp.Diagnostics.AddAttributeError(pathPreset, "Chart Renders Differently Each Time",
			fmt.Sprintf("Preset %q rendered %s differently in two renders of the same inputs: a template calls a "+
				"function whose result changes each time (randAlphaNum, randAscii, uuidv4, now, genCA, genPrivateKey, "+
				"...), usually to make a default password or certificate. Terraform needs the same objects at plan and "+
				"at apply: set that value yourself (in values, set or set_sensitive), or render it once outside the "+
				"chart (e.g. with the random provider) and pass it in.", cfg.Preset.ValueString(), strings.Join(keys, ", ")))
		return
	}
	replace := state != nil && (state.Name.ValueString() != out.name || state.Namespace.ValueString() != out.namespace)
	if replace {
		// A replacement installs anew: render as an install, as apply will.
		if out, _ = r.renderPresetResource(ctx, cfg, false, &resp.Diagnostics); out == nil {
			return
		}
		if state.Name.ValueString() != out.name {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("name"))
		}
		if state.Namespace.ValueString() != out.namespace {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("namespace"))
		}
	}
	resp.Diagnostics.Append(plan.setRendered(ctx, out)...)
	if state == nil || !plan.Objects.Equal(state.Objects) {
		r.dryRun(ctx, cfg, out, &resp.Diagnostics)
	}
	if state == nil {
		plan.DaemonSetStatus = types.MapUnknown(presetStatusType)
	} else if !req.Plan.Raw.Equal(req.State.Raw) || !plan.Objects.Equal(state.Objects) {
		// The counters change with any apply: unknown whenever the plan
		// changes something, including a chart folder edited on disk.
		plan.DaemonSetStatus = types.MapUnknown(presetStatusType)
	}
	r.planPresetRollout(ctx, &plan, state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// setRendered sets the computed attributes a render decides.
func (m *presetResourceModel) setRendered(ctx context.Context, out *presetRendered) diag.Diagnostics {
	diags := m.setObjects(ctx, out.objects)
	m.Name = types.StringValue(out.name)
	m.Namespace = types.StringValue(out.namespace)
	m.ID = types.StringValue(out.namespace + "/" + out.name)
	m.Manifest = types.StringValue(out.manifest)
	crds, d := types.ListValueFrom(ctx, types.StringType, out.crds)
	diags.Append(d...)
	m.CRDs = crds
	return diags
}

// setObjects sets objects, inventory and daemonsets from a render.
func (m *presetResourceModel) setObjects(ctx context.Context, objs []presetObject) diag.Diagnostics {
	var diags diag.Diagnostics
	byKey := make(map[string]string, len(objs))
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		if _, dup := byKey[o.Key]; dup {
			diags.AddAttributeError(pathPreset, "Duplicate Object In Preset",
				fmt.Sprintf("The preset renders %s twice: give each object a distinct name in the templates.", o.Key))
			continue
		}
		byKey[o.Key] = o.YAML
		keys = append(keys, o.Key)
	}
	var d diag.Diagnostics
	m.Objects, d = types.MapValueFrom(ctx, types.StringType, byKey)
	diags.Append(d...)
	m.Inventory, d = types.ListValueFrom(ctx, types.StringType, keys)
	diags.Append(d...)
	m.DaemonSets, d = types.ListValueFrom(ctx, types.StringType, presetDaemonSets(objs))
	diags.Append(d...)
	return diags
}

// entries returns the inventory in install order with each object's YAML.
func (m *presetResourceModel) entries(ctx context.Context) ([]release.Entry, diag.Diagnostics) {
	var diags diag.Diagnostics
	var keys []string
	objects := map[string]string{}
	if !m.Inventory.IsNull() && !m.Inventory.IsUnknown() {
		diags.Append(m.Inventory.ElementsAs(ctx, &keys, false)...)
	}
	if !m.Objects.IsNull() && !m.Objects.IsUnknown() {
		diags.Append(m.Objects.ElementsAs(ctx, &objects, false)...)
	}
	out := make([]release.Entry, 0, len(keys))
	for _, k := range keys {
		out = append(out, release.Entry{Key: k, YAML: objects[k]})
	}
	return out, diags
}

func (r *presetResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan presetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Create, presetDefaultApplyTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, req.Config, &plan, nil, &resp.State, &resp.Diagnostics)
}

func (r *presetResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state presetResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.Timeouts.Update, presetDefaultApplyTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, req.Config, &plan, &state, &resp.State, &resp.Diagnostics)
}

// applyRender renders the preset again from the configuration, which holds
// the write-only values the plan does not, and checks that it records the
// planned objects; nil when it does not.
func (r *presetResource) applyRender(ctx context.Context, config tfsdk.Config, plan presetResourceModel, upgrade bool, diags *diag.Diagnostics) *presetRendered {
	var cfg presetResourceModel
	diags.Append(config.Get(ctx, &cfg)...)
	if diags.HasError() {
		return nil
	}
	out, known := r.renderPresetResource(ctx, cfg, upgrade, diags)
	if out == nil {
		if !known {
			diags.AddAttributeError(pathPreset, "Preset Inputs Not Known At Apply",
				"An input of the preset, or the provider's connection, is still unknown at apply time. This is a bug "+
					"in the provider; please report it.")
		}
		return nil
	}
	same, d := out.sameAsPlanned(ctx, plan)
	diags.Append(d...)
	if !same && !plan.Objects.IsUnknown() {
		diags.AddAttributeError(pathPreset, "Preset Rendered Differently At Apply",
			fmt.Sprintf("Preset %q rendered other objects at apply than at plan: the chart folder changed, or "+
				"a lookup or the cluster's API versions gave another answer in between. Nothing was applied; "+
				"run terraform apply again to plan with what is there now.", plan.Preset.ValueString()))
		return nil
	}
	return out
}

// stateSetter is the part of tfsdk.State that apply writes to.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// apply installs the planned objects, deletes those of prior that the plan
// no longer has, and waits for the DaemonSets. Once anything was written
// the plan is saved as state even when a later step fails, so that
// Terraform knows what exists (a failed create is then tainted); objects of
// prior that were not deleted stay in its inventory, so that the next apply
// deletes them.
func (r *presetResource) apply(ctx context.Context, config tfsdk.Config, plan, prior *presetResourceModel, state stateSetter, diags *diag.Diagnostics) {
	rendered := r.applyRender(ctx, config, *plan, prior != nil, diags)
	if rendered == nil {
		return
	}
	if plan.Objects.IsUnknown() {
		// The plan could not render (the cluster was not known yet): the
		// objects are what this render gives.
		diags.Append(plan.setRendered(ctx, rendered)...)
	}
	inv := r.inventory(plan.ID.ValueString(), diags)
	if inv == nil {
		return
	}
	inv.OnDelete = !plan.Rollout.IsNull()
	entries := rendered.entries
	if plan.CreateNamespace.ValueBool() {
		if err := inv.EnsureNamespace(ctx, plan.Namespace.ValueString()); err != nil {
			addNamespaceDiag(diags, err)
			return
		}
	}
	if _, err := inv.EnsureCRDs(ctx, rendered.crdDocs); err != nil {
		diags.AddAttributeError(path.Root("crds"), "Cannot Create Custom Resource Definition",
			fmt.Sprintf("%s\n\nThe chart's crds/ folder defines it and kubedaemon creates it before anything else; "+
				"nothing else was applied. Check that the provider may create customresourcedefinitions, then apply again.", err))
		return
	}
	if !adoptHelmObjects(ctx, inv, plan, entries, diags) {
		return
	}
	if !plan.ForceConflicts.ValueBool() {
		if errs := inv.CheckOwnership(ctx, entries); len(errs) > 0 {
			addOwnershipDiags(diags, inv.ID, errs)
			return
		}
	}
	applied, err := inv.ApplyAll(ctx, entries)
	if err != nil {
		addApplyDiag(diags, err, rendered.redact)
		if applied == 0 {
			return
		}
	} else {
		forgetHelmRelease(ctx, inv, plan, entries, diags)
	}
	var old []release.Entry
	if prior != nil {
		var d diag.Diagnostics
		old, d = prior.entries(ctx)
		diags.Append(d...)
	}
	// Until prune deletes them, the objects only prior has are still there.
	left := release.Dropped(old, entries)
	rolledBack := false
	defer func() {
		if rolledBack {
			// The prior objects are applied again and run: keep prior, so
			// the next plan proposes the change again.
			setPresetStatus(ctx, inv, prior, diags)
			diags.Append(state.Set(ctx, prior)...)
			return
		}
		if len(left) > 0 {
			diags.Append(plan.setEntries(ctx, slices.Concat(entries, left))...)
		}
		setPresetStatus(ctx, inv, plan, diags)
		diags.Append(state.Set(ctx, plan)...)
	}()
	if diags.HasError() {
		return
	}
	left, errs, warnings := inv.Prune(ctx, old, entries, metav1.DeletionPropagation(plan.DeletePropagation.ValueString()))
	addPruneDiags(diags, errs, warnings)
	if plan.Wait.ValueBool() && !diags.HasError() {
		var daemonSets []string
		diags.Append(plan.DaemonSets.ElementsAs(ctx, &daemonSets, false)...)
		opts := waitOptions(ctx, plan.FailFast, plan.SkipNotReadyNodes, plan.StuckGrace)
		if waves := rolloutOf(ctx, plan.Rollout, diags); waves != nil && prior != nil {
			rolledBack = rolloutPreset(ctx, inv, daemonSets, old, wavesOptions(waves, opts), diags)
			if rolledBack {
				// The prior objects run again; what only the new render
				// added goes, or it would stay marked as this inventory's
				// while the state knows nothing of it.
				_, errs, warnings := inv.Prune(ctx, entries, old, metav1.DeletionPropagation(plan.DeletePropagation.ValueString()))
				addPruneDiags(diags, errs, warnings)
			}
			return
		}
		warnings, errs = inv.Wait(ctx, daemonSets, opts)
		addWaitDiags(diags, warnings, errs)
	}
}

func (r *presetResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state presetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inv := r.inventory(state.ID.ValueString(), &resp.Diagnostics)
	if inv == nil {
		return
	}
	inv.OnDelete = !state.Rollout.IsNull()
	var entries []release.Entry
	if state.Inventory.IsNull() {
		// Just imported: the objects are found by their marks.
		var err error
		if entries, err = inv.Discover(ctx); err != nil {
			resp.Diagnostics.AddError("Cannot Import Preset", err.Error())
			return
		}
		if len(entries) == 0 {
			resp.Diagnostics.AddError("Cannot Import Preset",
				fmt.Sprintf("No object in the cluster carries the annotation %s=%s: check the namespace/name of the "+
					"kubedaemon_preset to import (its id).", presetInventoryAnnotation, inv.ID))
			return
		}
	} else {
		prior, d := state.entries(ctx)
		resp.Diagnostics.Append(d...)
		var err error
		if entries, err = inv.Refresh(ctx, prior); err != nil {
			resp.Diagnostics.AddError("Cannot Read Preset Objects", err.Error())
			return
		}
		for _, e := range release.Dropped(prior, entries) {
			tflog.Info(ctx, "object gone from the cluster or taken over; the plan re-creates it", map[string]any{"object": e.Key})
		}
	}
	resp.Diagnostics.Append(state.setEntries(ctx, entries)...)
	setPresetStatus(ctx, inv, &state, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// setEntries sets objects, inventory and daemonsets from inventory entries,
// as the state records them.
func (m *presetResourceModel) setEntries(ctx context.Context, entries []release.Entry) diag.Diagnostics {
	objs := make([]presetObject, 0, len(entries))
	for _, e := range entries {
		kind, ns, name, _ := release.ParseObjectKey(e.Key)
		objs = append(objs, presetObject{Key: e.Key, Kind: kind, Namespace: ns, Name: name, YAML: e.Record()})
	}
	return m.setObjects(ctx, objs)
}

func (r *presetResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state presetResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.Timeouts.Delete, presetDefaultDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	if resp.Diagnostics.HasError() {
		return
	}
	inv := r.inventory(state.ID.ValueString(), &resp.Diagnostics)
	if inv == nil {
		return
	}
	entries, d := state.entries(ctx)
	resp.Diagnostics.Append(d...)
	_, errs, warnings := inv.Prune(ctx, entries, nil, metav1.DeletionPropagation(state.DeletePropagation.ValueString()))
	addPruneDiags(&resp.Diagnostics, errs, warnings)
}

func (r *presetResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	ns, name, ok := strings.Cut(req.ID, "/")
	if !ok || !presetDNSLabel.MatchString(ns) || !presetDNSLabel.MatchString(name) {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("%q is not namespace/name: import a kubedaemon_preset by the namespace and name of its "+
				"release, e.g. `terraform import kubedaemon_preset.node_exporter monitoring/node-exporter`.", req.ID))
		return
	}
	set := func(attr string, v any) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), v)...)
	}
	set("id", req.ID)
	set("name", name)
	set("namespace", ns)
	setSchemaDefaults(ctx, presetResourceSchemaV0(ctx), &resp.State, &resp.Diagnostics)
}

// inventory builds the release inventory id, or adds a diagnostic and
// returns nil.
func (r *presetResource) inventory(id string, diags *diag.Diagnostics) *release.Inventory {
	rc := r.data.Rollout(diags)
	if rc == nil {
		return nil
	}
	inv := presetInventory(rc, id)
	inv.Ignore = r.data.releaseIgnore()
	return inv
}
